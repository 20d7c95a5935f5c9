"""Settings for a real task worker started by a test in its own process: the test's
database (DATABASE_URL) and the real database queue; e-mail over SMTP to EMAIL_URL."""

from harbour.settings.base import *  # noqa: F403

SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
HARBOUR_IP_HASH_KEY = "test-ip-hash-key"
TASKS = DATABASE_TASKS  # noqa: F405
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_TIMEOUT = 30
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
