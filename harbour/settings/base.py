"""Every setting Harbour reads, in one place, from the environment.

The full list of variables, with their defaults, is the `env` declaration in
`environment.py`; README.md documents each one. Production (`production.py`) refuses to
start without the secrets.
"""

import os

# BASE_DIR and VAR_DIR are settings too (settings.VAR_DIR).
from .environment import BASE_DIR, PROJECT_DIR, VAR_DIR, env  # noqa: F401

DEBUG = env("DEBUG")
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env("CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL").rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_URL

INSTALLED_APPS = [
    "harbour.people",
    "harbour.content",
    "harbour.representatives",
    "harbour.coalition",
    "harbour.signons",
    "harbour.letters",
    "harbour.events",
    "harbour.newsletter",
    "harbour.benchviews",
    # Content translation: editors translate pages in the admin (wagtail-localize).
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "anymail",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "django.contrib.staticfiles",
    # Last, so its post_migrate hook (the role groups) runs after every app's permissions exist.
    "harbour.core",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside the page cache, so a cached page carries X-Frame-Options like a fresh one.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "harbour.core.middleware.ContentSecurityPolicyMiddleware",
    "harbour.core.middleware.RetryAfterMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "harbour.core.pagecache.AnonymousPageCacheMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "harbour.core.middleware.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # AxesMiddleware must be last (django-axes documentation).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "harbour.urls"
WSGI_APPLICATION = "harbour.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "harbour.core.context_processors.site_meta",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env("HARBOUR_DB_CONN_MAX_AGE")
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the task worker writes (make run runs both).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    # PostgreSQL compiles (JIT) any query whose *estimated* cost passes jit_above_cost: on a
    # six-million-signature petition, each duplicate-name lookup of the moderation page was
    # estimated at 150,000 rows, read five, and spent 20-40 ms compiling (bench: scale).
    # Harbour's queries are short, so its connections run without JIT.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The errors django-redis ignores go to core.degraded's logger: one warning a minute.
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "harbour.cache"

if env("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": env("REDIS_URL"),
            "KEY_PREFIX": "harbour",
            # Redis away: serve without the cache rather than fail (core.degraded), and
            # do not wait long to find out.
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.25,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# django-tasks' database backend with a cheaper enqueue (core.tasks_backend), run by
# `manage.py db_worker`. Tests swap in the immediate backend and use DATABASE_TASKS to run
# the real queue and worker.
DATABASE_TASKS = {
    "default": {
        "BACKEND": "harbour.core.tasks_backend.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
TASKS = DATABASE_TASKS

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "wagtailadmin_login"

# django-axes: lock an account + address pair after 5 failures for an hour.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/lockout.html"
AXES_VERBOSE = False
# Axes logs the username and IP on every failure by default; supporters' safety says no
# personal data in logs, so the access log keeps no user agent and the logger is quiet.
AXES_ENABLE_ACCESS_FAILURE_LOG = False

OTP_TOTP_ISSUER = "Harbour"
HARBOUR_REQUIRE_2FA = env("HARBOUR_REQUIRE_2FA")

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("fr", "Français"),
    ("zh-hant", "繁體中文"),
]
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
LOCALE_PATHS = [PROJECT_DIR / "locale"]
TIME_ZONE = "America/Toronto"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env("HARBOUR_STATIC_ROOT")
STATICFILES_DIRS = [PROJECT_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env("HARBOUR_MEDIA_ROOT")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

EMAIL_CONFIG = env.email_url("EMAIL_URL")
vars().update(EMAIL_CONFIG)
if env("EMAIL_BACKEND"):
    # A provider through anymail, e.g. anymail.backends.postmark.EmailBackend, with its keys
    # in ANYMAIL (e.g. ANYMAIL="POSTMARK_SERVER_TOKEN=...").
    EMAIL_BACKEND = env("EMAIL_BACKEND")
ANYMAIL = env("ANYMAIL")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

WAGTAIL_SITE_NAME = "Harbour"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILEMBEDS_RESPONSIVE_HTML = True
# Pages are translated (wagtail-localize): English at the root, /fr/ and /zh-hant/.
# Documents open only through Wagtail's view, which checks their collection's privacy
# (members-only files); their files under MEDIA_ROOT/documents/ are never served directly.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
# The sign-in page a members-only page or file sends a visitor to.
WAGTAIL_FRONTEND_LOGIN_TEMPLATE = "coalition/members_login.html"
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_COMMENTS_ENABLED = True
WAGTAIL_MODERATION_ENABLED = True
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAIL_ALLOW_UNICODE_SLUGS = False
# No Gravatar: it would leak staff addresses (hashed, easily reversed) to a third party,
# and the CSP blocks it anyway.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]

# The key of the "salted hash" kept instead of IP addresses (HMAC-SHA256, never a slow hash
# on a request path: ../shared/ARCHITECTURE.md). Production refuses to start without one.
HARBOUR_IP_HASH_KEY = env("HARBOUR_IP_HASH_KEY") or SECRET_KEY
HARBOUR_LIKE_RATE = env("HARBOUR_LIKE_RATE")
HARBOUR_ADMIN_EMAIL = env("HARBOUR_ADMIN_EMAIL")
HARBOUR_ADMIN_PASSWORD = env("HARBOUR_ADMIN_PASSWORD")
HARBOUR_BENCH = env("HARBOUR_BENCH")
HARBOUR_TRUST_X_REAL_IP = env("HARBOUR_TRUST_X_REAL_IP")
# How long every confirmation link works (signatures, letters, and every later action);
# unconfirmed actions are purged after it. HARBOUR_SIGNATURE_CONFIRM_DAYS, its old name, is
# read for one release when the new one is not set.
HARBOUR_CONFIRM_DAYS = (
    env("HARBOUR_CONFIRM_DAYS")
    if "HARBOUR_CONFIRM_DAYS" in os.environ or not env("HARBOUR_SIGNATURE_CONFIRM_DAYS")
    else env("HARBOUR_SIGNATURE_CONFIRM_DAYS")
)
# Where `load_representatives` reads districts, MPs and the FSA table (empty: the project's
# own copy in harbour/representatives/data, written by `representatives_export`).
HARBOUR_REPRESENTATIVES_DIR = env("HARBOUR_REPRESENTATIVES_DIR")
# /readyz answers 503 (take this process out of the pool) past these: tasks waiting, and the
# age of the oldest (workers stopped, or falling behind).
HARBOUR_READY_MAX_BACKLOG = env("HARBOUR_READY_MAX_BACKLOG")
HARBOUR_READY_MAX_WAIT_SECONDS = env("HARBOUR_READY_MAX_WAIT_SECONDS")
# Tasks that outlive their workers and dependencies (core.taskrecovery): a running task
# whose worker's heartbeat stopped is put back; one whose worker keeps none, after the
# lease. A temporary failure is retried after base * 2^n seconds (jittered, capped), up to
# the maximum number of attempts.
HARBOUR_TASK_LEASE_SECONDS = env("HARBOUR_TASK_LEASE_SECONDS")
# A dependency away (core.degraded, core.views.server_error): one warning per interval per
# process while Redis is unreachable; the Retry-After of the 503 page while the database is.
HARBOUR_DEGRADED_WARN_SECONDS = env("HARBOUR_DEGRADED_WARN_SECONDS")
# How long an invitation to organise a member group stays valid (one use).
HARBOUR_INVITE_DAYS = env.int("HARBOUR_INVITE_DAYS", default=7)
# A member's one-time sign-in link by e-mail lasts this long (coalition.signin).
HARBOUR_SIGNIN_LINK_MINUTES = env.int("HARBOUR_SIGNIN_LINK_MINUTES", default=30)
HARBOUR_DB_RETRY_AFTER_SECONDS = env("HARBOUR_DB_RETRY_AFTER_SECONDS")
HARBOUR_TASK_HEARTBEAT_SECONDS = env("HARBOUR_TASK_HEARTBEAT_SECONDS")
HARBOUR_TASK_MAX_ATTEMPTS = env("HARBOUR_TASK_MAX_ATTEMPTS")
HARBOUR_TASK_RETRY_BASE_SECONDS = env("HARBOUR_TASK_RETRY_BASE_SECONDS")
HARBOUR_TASK_RETRY_MAX_SECONDS = env("HARBOUR_TASK_RETRY_MAX_SECONDS")
# `load_representatives --download` reads the official sources: the House of Commons
# members export (CSV) and Elections Canada's list of federal electoral districts (CSV).
HARBOUR_MPS_CSV_URL = env("HARBOUR_MPS_CSV_URL")
HARBOUR_DISTRICTS_CSV_URL = env("HARBOUR_DISTRICTS_CSV_URL")
# Optional online postal-code lookup (Open North's Represent API, e.g.
# https://represent.opennorth.ca); empty uses the offline FSA table only.
HARBOUR_REPRESENT_URL = env("HARBOUR_REPRESENT_URL")
HARBOUR_REPRESENT_TIMEOUT = env("HARBOUR_REPRESENT_TIMEOUT")
# Past HARBOUR_SIGN_RATE_IP a network's signatures wait for a moderator (a shared address
# must not lose genuine signers to a flood); past HARBOUR_SIGN_CAP_IP they are refused (429).
HARBOUR_SIGN_RATE_IP = env("HARBOUR_SIGN_RATE_IP")
HARBOUR_SIGN_CAP_IP = env("HARBOUR_SIGN_CAP_IP")
HARBOUR_SIGN_RATE_EMAIL = env("HARBOUR_SIGN_RATE_EMAIL")
HARBOUR_LETTER_RATE_IP = env("HARBOUR_LETTER_RATE_IP")
HARBOUR_LETTER_RATE_EMAIL = env("HARBOUR_LETTER_RATE_EMAIL")
HARBOUR_EVENT_RATE_IP = env("HARBOUR_EVENT_RATE_IP")
HARBOUR_EVENT_RATE_EMAIL = env("HARBOUR_EVENT_RATE_EMAIL")
HARBOUR_NEWSLETTER_RATE_IP = env("HARBOUR_NEWSLETTER_RATE_IP")
# Mailings: messages per hour across all workers (0: as fast as the workers go), recipients
# per task, soft bounces before an address is suppressed, and the address of the
# List-Unsubscribe header's mailto (by default unsubscribe@ the sender's domain).
HARBOUR_MAILING_RATE_PER_HOUR = env("HARBOUR_MAILING_RATE_PER_HOUR")
HARBOUR_MAILING_BATCH = env("HARBOUR_MAILING_BATCH")
HARBOUR_NEWSLETTER_SOFT_BOUNCE_LIMIT = env("HARBOUR_NEWSLETTER_SOFT_BOUNCE_LIMIT")
# How long a mailing's links (unsubscribe, preferences, counted links) work; CASL asks for
# at least 60 days, and a system check refuses less.
HARBOUR_NEWSLETTER_LINK_DAYS = env("HARBOUR_NEWSLETTER_LINK_DAYS")
HARBOUR_MAILING_UNSUBSCRIBE_MAILTO = env("HARBOUR_MAILING_UNSUBSCRIBE_MAILTO")
# A task worker keeps its SMTP connection open between messages for this long (core.mailconnection).
HARBOUR_MAIL_REUSE_SECONDS = env("HARBOUR_MAIL_REUSE_SECONDS")
HARBOUR_PARLIAMENT_DOMAINS = env("HARBOUR_PARLIAMENT_DOMAINS")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Every record, ours or a library's, loses e-mails, IPs, postal codes and link tokens.
    "filters": {"scrub": {"()": "harbour.core.logscrub.ScrubPersonalData"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["scrub"]}
    },
    "root": {"handlers": ["console"], "level": env("HARBOUR_LOG_LEVEL")},
    "loggers": {
        # Axes would otherwise log usernames and IP addresses of failed logins.
        "axes": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        # The request logger prints the path only; never add the query string or IP.
        "django.request": {"level": "ERROR"},
    },
}
