"""The environment variables Harbour reads, each with its type and default (README.md
documents every one). `base.py` builds the settings from them."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PROJECT_DIR = BASE_DIR / "harbour"
VAR_DIR = BASE_DIR / "var"

env = environ.Env(
    DEBUG=(bool, False),
    SECRET_KEY=(str, ""),
    DATABASE_URL=(str, f"sqlite:///{VAR_DIR / 'harbour.sqlite3'}"),
    REDIS_URL=(str, ""),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost"]),
    CSRF_TRUSTED_ORIGINS=(list, []),
    SITE_URL=(str, "http://127.0.0.1:8000"),
    EMAIL_URL=(str, "smtp://127.0.0.1:25"),
    EMAIL_BACKEND=(str, ""),
    ANYMAIL=(dict, {}),
    DEFAULT_FROM_EMAIL=(str, "Harbour <no-reply@harbour.invalid>"),
    HARBOUR_IP_HASH_KEY=(str, ""),
    HARBOUR_REQUIRE_2FA=(bool, False),
    HARBOUR_MEDIA_ROOT=(str, str(VAR_DIR / "media")),
    HARBOUR_STATIC_ROOT=(str, str(VAR_DIR / "static")),
    HARBOUR_LIKE_RATE=(str, "30/h"),
    HARBOUR_DB_CONN_MAX_AGE=(int, 0),
    HARBOUR_ADMIN_EMAIL=(str, "admin@harbour.invalid"),
    HARBOUR_ADMIN_PASSWORD=(str, ""),
    HARBOUR_LOG_LEVEL=(str, "INFO"),
    HARBOUR_BENCH=(bool, False),
    HARBOUR_CONFIRM_DAYS=(int, 7),
    HARBOUR_SIGNATURE_CONFIRM_DAYS=(int, 0),  # deprecated alias of HARBOUR_CONFIRM_DAYS
    HARBOUR_REPRESENTATIVES_DIR=(str, ""),
    HARBOUR_READY_MAX_BACKLOG=(int, 5000),
    HARBOUR_READY_MAX_WAIT_SECONDS=(int, 300),
    HARBOUR_TASK_LEASE_SECONDS=(int, 300),
    HARBOUR_DEGRADED_WARN_SECONDS=(float, 60.0),
    HARBOUR_DB_RETRY_AFTER_SECONDS=(int, 30),
    HARBOUR_TASK_HEARTBEAT_SECONDS=(float, 10.0),
    HARBOUR_TASK_MAX_ATTEMPTS=(int, 8),
    HARBOUR_TASK_RETRY_BASE_SECONDS=(float, 15.0),
    HARBOUR_TASK_RETRY_MAX_SECONDS=(float, 1800.0),
    HARBOUR_MPS_CSV_URL=(str, "https://www.ourcommons.ca/Members/en/search/csv"),
    HARBOUR_DISTRICTS_CSV_URL=(str, "https://www.elections.ca/res/cir/list/ED-Canada_2023.csv"),
    HARBOUR_REPRESENT_URL=(str, ""),
    HARBOUR_REPRESENT_TIMEOUT=(float, 2.0),
    HARBOUR_SIGN_RATE_IP=(str, "20/h"),
    HARBOUR_SIGN_CAP_IP=(str, "500/h"),
    HARBOUR_SIGN_RATE_EMAIL=(str, "5/h"),
    HARBOUR_LETTER_RATE_IP=(str, "30/h"),
    HARBOUR_LETTER_RATE_EMAIL=(str, "5/h"),
    HARBOUR_EVENT_RATE_IP=(str, "30/h"),
    HARBOUR_EVENT_RATE_EMAIL=(str, "5/h"),
    HARBOUR_NEWSLETTER_RATE_IP=(str, "30/h"),
    HARBOUR_MAILING_RATE_PER_HOUR=(int, 0),
    HARBOUR_MAILING_BATCH=(int, 500),
    HARBOUR_NEWSLETTER_SOFT_BOUNCE_LIMIT=(int, 3),
    HARBOUR_NEWSLETTER_LINK_DAYS=(int, 400),
    HARBOUR_MAILING_UNSUBSCRIBE_MAILTO=(str, ""),
    HARBOUR_MAIL_REUSE_SECONDS=(float, 10.0),
    HARBOUR_PARLIAMENT_DOMAINS=(
        list,
        # Legislatures' own domains only: a government-wide or city domain would let any
        # public servant sign as an elected member.
        [
            "parl.gc.ca",
            "sen.parl.gc.ca",
            "ola.org",
            "assnat.qc.ca",
            "leg.bc.ca",
            "assembly.ab.ca",
            "legassembly.sk.ca",
            "nslegislature.ca",
            "assembly.pe.ca",
        ],
    ),
    HARBOUR_TRUST_X_REAL_IP=(bool, False),
)
