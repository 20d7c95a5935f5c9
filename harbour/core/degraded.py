"""Running on when Redis is away: the documented degraded behaviour, said once a minute.

With Redis unreachable (stopped, restarting, a network fault), Harbour keeps serving:

- the cache (django-redis with IGNORE_EXCEPTIONS and short socket timeouts) answers
  "not cached": pages are rendered fresh, counts are read from the database;
- rate limits (core.ratelimit) count in each process's own memory instead: a limit is then
  per web process, so a client spread over N processes gets at most N times its rate;
- /readyz reports the cache as failing, so a load balancer can tell.

Each process logs one warning per HARBOUR_DEGRADED_WARN_SECONDS while this lasts, without
the exception's traceback (django-redis would log one per cache call: thousands a second
in a spike)."""

import logging
import threading
import time

from django.conf import settings

CACHE_LOGGER = "harbour.cache"  # django-redis logs the errors it ignored here (settings)

logger = logging.getLogger(CACHE_LOGGER)


class OncePerInterval(logging.Filter):
    """Lets through one record per interval and drops the rest; the one let through says
    how many were dropped, and carries no traceback."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()
        self.last = float("-inf")
        self.dropped = 0

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        with self.lock:
            if now - self.last < settings.HARBOUR_DEGRADED_WARN_SECONDS:
                self.dropped += 1
                return False
            dropped, self.dropped, self.last = self.dropped, 0, now
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.msg = (
            "Redis unreachable: serving without the cache, rate limits per process "
            "(%d similar messages dropped since the last)."
        )
        record.args = (dropped,)
        record.exc_info = record.exc_text = None
        return True


_filter = OncePerInterval()


def cache_unreachable() -> None:
    """Note (rate-limited) that Redis could not be reached."""
    logger.warning("Redis unreachable.")


def degraded_logging_install() -> None:
    """Attach the filter to the cache logger (core.apps, once)."""
    if _filter not in logger.filters:
        logger.addFilter(_filter)
