"""`make run`: debug on, e-mail written to files under var/mail/ so a person can open links."""

from .base import *  # noqa: F403
from .base import VAR_DIR, env

DEBUG = env("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY") or "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105
HARBOUR_IP_HASH_KEY = env("HARBOUR_IP_HASH_KEY") or SECRET_KEY
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
