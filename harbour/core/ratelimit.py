"""Fixed-window rate limits on the shared cache (Redis in production, so every web process
counts together). Keys are keyed hashes, never raw addresses or e-mails."""

import time
from dataclasses import dataclass

from django.core.cache import cache

from .privacy import keyed_hash


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int  # seconds

    @classmethod
    def parse(cls, text: str) -> "Rate":
        """Parse "30/h", "5/m", "100/d" or "10/s"."""
        count, _, unit = text.partition("/")
        periods = {"s": 1, "m": 60, "h": 3600, "d": 86400}
        if unit not in periods or not count.isdigit():
            raise ValueError(f"Bad rate {text!r}: use N/s, N/m, N/h or N/d.")
        return cls(limit=int(count), period=periods[unit])


def hit(scope: str, identity: str, rate: Rate | str) -> bool:
    """Count one hit of `identity` in `scope`; True while it is within the rate."""
    if isinstance(rate, str):
        rate = Rate.parse(rate)
    window = int(time.time() // rate.period)
    key = f"rl:{scope}:{keyed_hash(identity, purpose='ratelimit')}:{window}"
    # add() is atomic on Redis and locmem: it creates the counter only once per window.
    if cache.add(key, 1, timeout=rate.period + 1):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add() and incr()
        cache.add(key, 1, timeout=rate.period + 1)
        return True
    return count <= rate.limit
