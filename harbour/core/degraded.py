"""Running on when Redis is away: the documented degraded behaviour, said once a minute.

With Redis unreachable (stopped, restarting, a network fault), Harbour keeps serving:

- the cache (django-redis with IGNORE_EXCEPTIONS and short socket timeouts) answers
  "not cached": pages are rendered fresh, counts are read from the database;
- rate limits (core.ratelimit) count in each process's own memory instead: a limit is then
  per web process, so a client spread over N processes gets at most N times its rate;
- /readyz reports the cache as failing, so a load balancer can tell.

Each process logs one warning per HARBOUR_DEGRADED_WARN_SECONDS while this lasts, without
the exception's traceback (django-redis would log one per cache call: thousands a second
in a spike). The database away is said the same way: one warning per interval for the
requests answered 503, not a traceback each."""

import logging
import threading
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError

# What a database that is away (down, restarting, refusing connections) raises.
DATABASE_AWAY = (OperationalError, InterfaceError)

CACHE_LOGGER = "harbour.cache"  # django-redis logs the errors it ignored here (settings)

logger = logging.getLogger(CACHE_LOGGER)


class OncePerInterval(logging.Filter):
    """Lets through one record per interval and drops the rest; the one let through says
    `message` and how many were dropped, and carries no traceback."""

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message
        self.lock = threading.Lock()
        self.last = float("-inf")
        self.dropped = 0

    def reset(self) -> None:
        """Forget the last warning (each test starts as a new process would)."""
        with self.lock:
            self.last, self.dropped = float("-inf"), 0

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        with self.lock:
            if now - self.last < settings.HARBOUR_DEGRADED_WARN_SECONDS:
                self.dropped += 1
                return False
            dropped, self.dropped, self.last = self.dropped, 0, now
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.msg = self.message + " (%d similar messages dropped since the last)."
        record.args = (dropped,)
        record.exc_info = record.exc_text = None
        return True


class DatabaseAwayOncePerInterval(logging.Filter):
    """On `django.request`: the requests answered 503 because the database is away
    (core.views.server_error) give one warning per interval instead of a traceback each
    (hundreds a second in a spike); every other record passes untouched."""

    def __init__(self) -> None:
        super().__init__()
        self.once = OncePerInterval(
            "Database unreachable: answering 503 with Retry-After until it is back"
        )

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if getattr(record, "status_code", None) != 503 or not isinstance(error, DATABASE_AWAY):
            return True
        return self.once.filter(record)


_filter = OncePerInterval("Redis unreachable: serving without the cache, rate limits per process")
_database_filter = DatabaseAwayOncePerInterval()


def cache_unreachable() -> None:
    """Note (rate-limited) that Redis could not be reached."""
    logger.warning("Redis unreachable.")


def degraded_logging_install() -> None:
    """Attach the filters to the cache logger and the request logger (core.apps, once)."""
    if _filter not in logger.filters:
        logger.addFilter(_filter)
    requests = logging.getLogger("django.request")
    if _database_filter not in requests.filters:
        requests.addFilter(_database_filter)
