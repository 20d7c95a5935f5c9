"""Shared helpers: rate limits, keyed hashing of addresses, HTML sanitising."""

import pytest
from django.test import RequestFactory, override_settings

from harbour.core.privacy import client_ip, ip_hash, keyed_hash
from harbour.core.ratelimit import Rate, hit, hits
from harbour.core.sanitise import clean_html, strip_html


def test_rate_parses_the_documented_forms_and_rejects_others():
    assert Rate.parse("30/h") == Rate(limit=30, period=3600)
    assert Rate.parse("5/m") == Rate(limit=5, period=60)
    for bad in ("", "30", "30/y", "x/h", "-1/h"):
        with pytest.raises(ValueError, match="Bad rate"):
            Rate.parse(bad)


def test_hit_allows_up_to_the_limit_per_identity_and_scope():
    assert [hit("test", "a", "3/m") for _ in range(4)] == [True, True, True, False]
    assert hit("test", "b", "3/m") is True
    assert hit("other", "a", "3/m") is True


def test_hits_counts_every_limit_and_answers_false_when_any_is_over():
    ip, email = ("sign-ip", "net", "3/m"), ("sign-email", "a@ex.org", "1/m")
    assert hits(ip, email) is True
    assert hits(ip, email) is False  # the address is over, the network not yet
    assert hits(ip, ("sign-email", "b@ex.org", "1/m")) is True
    assert hits(ip, ("sign-email", "c@ex.org", "1/m")) is False  # now the network is over
    assert hit("sign-ip", "another-net", "3/m") is True


REDIS_TEST_URL = "redis://127.0.0.1:6379/14"


@pytest.fixture
def redis_cache():
    """The production cache backend (django-redis) on a database of its own, flushed."""
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_TEST_URL).flushdb()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    backend = {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_TEST_URL}
    with override_settings(CACHES={"default": backend}):
        from django.core.cache import cache

        yield cache
        cache.clear()


def test_on_redis_limits_count_in_one_round_trip_and_expire_with_their_window(redis_cache):
    import redis

    ip, email = ("sign-ip", "net", "2/m"), ("sign-email", "a@ex.org", "5/m")
    raw = redis.Redis.from_url(REDIS_TEST_URL)
    raw.script_flush()  # as after a Redis restart: the script must be sent again
    raw.config_resetstat()
    assert [hits(ip, email) for _ in range(3)] == [True, True, False]
    commands = raw.info("commandstats")
    # The script is loaded once, then each call for both counters is one EVALSHA: one round
    # trip, never add() then incr(), and never the script's text again.
    assert commands["cmdstat_script|load"]["calls"] == 1
    evalsha = commands["cmdstat_evalsha"]
    assert evalsha["calls"] - evalsha["failed_calls"] == 3
    assert not {"cmdstat_eval", "cmdstat_get", "cmdstat_incrby", "cmdstat_exec"} & set(commands)
    keys = raw.keys("*rl:*")
    assert len(keys) == 2
    assert sorted(int(raw.get(key)) for key in keys) == [3, 3]
    assert all(0 < raw.ttl(key) <= 61 for key in keys)  # no counter lives forever
    assert not any(b"net" in key or b"a@ex.org" in key for key in keys)  # keyed hashes only
    assert hit("sign-email", "a@ex.org", "5/m") is True  # the same counter, read by hit()
    assert hit("sign-email", "a@ex.org", "4/m") is False


def test_ip_hash_is_keyed_and_never_the_address():
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.23")
    digest = ip_hash(request)
    assert "198.51.100.23" not in digest
    assert len(digest) == 64
    assert digest == keyed_hash("198.51.100.23", purpose="ip")
    assert digest != keyed_hash("198.51.100.23", purpose="visitor")
    with override_settings(HARBOUR_IP_HASH_KEY="another-key"):
        assert ip_hash(request) != digest


def test_x_real_ip_is_only_trusted_when_configured():
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.9")
    assert client_ip(request) == "127.0.0.1"
    with override_settings(HARBOUR_TRUST_X_REAL_IP=True):
        assert client_ip(request) == "203.0.113.9"


def test_clean_html_keeps_formatting_and_drops_scripts_and_handlers():
    dirty = (
        '<p onclick="steal()">Hi <strong>there</strong><script>alert(1)</script>'
        '<a href="javascript:alert(1)">x</a><a href="https://example.org">ok</a></p>'
    )
    cleaned = clean_html(dirty)
    assert "<strong>there</strong>" in cleaned
    assert "script" not in cleaned
    assert "onclick" not in cleaned
    assert "javascript:" not in cleaned
    assert 'href="https://example.org"' in cleaned
    assert 'rel="noopener noreferrer nofollow"' in cleaned
    assert strip_html("<b>Dear MP</b>, <i>please</i> act") == "Dear MP, please act"
