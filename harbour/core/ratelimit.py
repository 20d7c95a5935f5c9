"""Fixed-window rate limits on the shared cache (Redis in production, so every web process
counts together). Keys are keyed hashes, never raw addresses or e-mails. With Redis
unreachable the counters live in each process's memory instead (core.degraded)."""

import time
from dataclasses import dataclass
from functools import cache as cache_per_client
from typing import Any

from django.core.cache import DEFAULT_CACHE_ALIAS, BaseCache, cache, caches
from django.core.cache.backends.locmem import LocMemCache
from redis.exceptions import RedisError

from .degraded import cache_unreachable
from .privacy import keyed_hash

# Where counters go while Redis is away: this process's memory.
_fallback = LocMemCache("harbour-ratelimit-fallback", {"MAX_ENTRIES": 100_000})


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


@dataclass(frozen=True)
class Verdict:
    """The answer of one or more counters: true while every one is within its rate.
    `over[i]` tells whether check i is over; `retry_after` is the seconds until every
    counter that is over starts a new window (0 when none is)."""

    over: tuple[bool, ...]
    retry_after: int

    def __bool__(self) -> bool:
        return not any(self.over)


def hit(scope: str, identity: str, rate: Rate | str) -> Verdict:
    """Count one hit of `identity` in `scope`; true while it is within the rate."""
    return hits((scope, identity, rate))


def hits(*checks: tuple[str, str, Rate | str]) -> Verdict:
    """Count one hit in each (scope, identity, rate); true if every one is within its rate.

    Every counter is incremented, even when an earlier one is already over. On Redis all of
    them take one round trip (one small Lua script); on other caches, add() then incr()
    per counter."""
    now = time.time()
    windows = []
    for scope, identity, rate in checks:
        parsed = Rate.parse(rate) if isinstance(rate, str) else rate
        window = int(now // parsed.period)
        key = f"rl:{scope}:{keyed_hash(identity, purpose='ratelimit')}:{window}"
        windows.append((key, parsed))
    over = _count_on_redis(windows)
    if over is None:
        store = _fallback if _redis_client() is not None else cache
        over = tuple(not _hit_cache(store, key, rate) for key, rate in windows)
    waits = [
        rate.period - int(now % rate.period)
        for (_key, rate), is_over in zip(windows, over, strict=True)
        if is_over
    ]
    return Verdict(over=over, retry_after=max(waits, default=0))


# Each counter: create it with its expiry if missing, then add one; answers the counts. One
# command, so one round trip whatever the number of limits, and atomic (a counter never
# lives without its expiry).
_COUNT_SCRIPT = """
local counts = {}
for i, key in ipairs(KEYS) do
  redis.call('SET', key, 0, 'EX', ARGV[i], 'NX')
  counts[i] = redis.call('INCR', key)
end
return counts
"""


@cache_per_client
def _count_script(client: Any) -> Any:
    """The script, sent to Redis once and then called by its SHA1 (EVALSHA; redis-py sends
    it again if Redis has forgotten it)."""
    return client.register_script(_COUNT_SCRIPT)


def _count_on_redis(windows: list[tuple[str, Rate]]) -> tuple[bool, ...] | None:
    """Count on Redis; None if the cache is not Redis, or Redis is unreachable."""
    client = _redis_client()
    if client is None:
        return None
    keys = [cache.make_key(key) for key, _rate in windows]
    try:
        counts = _count_script(client)(keys=keys, args=[r.period + 1 for _k, r in windows])
    except (RedisError, OSError):
        cache_unreachable()
        return None
    return tuple(count > rate.limit for count, (_key, rate) in zip(counts, windows, strict=True))


def _hit_cache(store: BaseCache, key: str, rate: Rate) -> bool:
    # add() is atomic on Redis and locmem: it creates the counter only once per window.
    if store.add(key, 1, timeout=rate.period + 1):
        return True
    try:
        count = store.incr(key)
    except ValueError:  # the key expired between add() and incr()
        store.add(key, 1, timeout=rate.period + 1)
        return True
    return count <= rate.limit


def _redis_client() -> Any:
    """The raw Redis client behind django-redis's cache, or None for another cache."""
    backend = caches[DEFAULT_CACHE_ALIAS]  # the backend itself, not the `cache` proxy
    if not type(backend).__module__.startswith("django_redis"):
        return None
    return backend.client.get_client(write=True)  # type: ignore[attr-defined]
