"""`make run`: e-mail written to files under var/mail/ so a person can open links; the
site's own 404 and 500 pages, as a visitor sees them (DEBUG=1 in the environment shows
Django's debug pages instead)."""

from .base import *  # noqa: F403
from .environment import VAR_DIR, env

DEBUG = env("DEBUG", default=False)
# Without DEBUG, WhiteNoise serves static files straight from the apps (no collectstatic),
# picking up edits; and Django serves uploaded media (production leaves both to nginx).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
HARBOUR_SERVE_MEDIA = True
SECRET_KEY = env("SECRET_KEY") or "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105
HARBOUR_IP_HASH_KEY = env("HARBOUR_IP_HASH_KEY") or SECRET_KEY
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = str(VAR_DIR / "mail")

# The worker logs two lines per task at INFO; on a developer's console that buries the
# admin login `make run` prints. Errors still show.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django_tasks": {"level": "WARNING"},
        "django_tasks_db": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
