"""Production: secrets must come from the environment; a missing one stops start-up."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")
if not SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to at least 50 random characters.")
HARBOUR_IP_HASH_KEY = env.str("HARBOUR_IP_HASH_KEY")
if not HARBOUR_IP_HASH_KEY:
    raise ImproperlyConfigured("HARBOUR_IP_HASH_KEY must be set (the key of the IP HMAC).")

HARBOUR_REQUIRE_2FA = env.bool("HARBOUR_REQUIRE_2FA", default=True)
# The benchmark's views write rows and queue e-mails for anyone: only on a loopback server.
if HARBOUR_BENCH and set(ALLOWED_HOSTS) - {"127.0.0.1", "localhost", "::1"}:  # noqa: F405
    raise ImproperlyConfigured("HARBOUR_BENCH is for make bench: ALLOWED_HOSTS must be loopback.")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("HARBOUR_DB_CONN_MAX_AGE", default=600)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
