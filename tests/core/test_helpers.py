"""Shared helpers: rate limits, keyed hashing of addresses, HTML sanitising."""

import datetime
import os

import pytest
import time_machine
from django.test import RequestFactory, override_settings

from harbour.core.privacy import client_ip, ip_hash, keyed_hash
from harbour.core.ratelimit import Rate, hit, hits
from harbour.core.sanitise import clean_html, plain_text


def test_rate_parses_the_documented_forms_and_rejects_others():
    assert Rate.parse("30/h") == Rate(limit=30, period=3600)
    assert Rate.parse("5/m") == Rate(limit=5, period=60)
    for bad in ("", "30", "30/y", "x/h", "-1/h"):
        with pytest.raises(ValueError, match="Bad rate"):
            Rate.parse(bad)


def test_hit_allows_up_to_the_limit_per_identity_and_scope():
    assert [bool(hit("test", "a", "3/m")) for _ in range(4)] == [True, True, True, False]
    assert hit("test", "b", "3/m")
    assert hit("other", "a", "3/m")


def test_hits_counts_every_limit_and_answers_false_when_any_is_over():
    ip, email = ("sign-ip", "net", "3/m"), ("sign-email", "a@ex.org", "1/m")
    assert hits(ip, email)
    over = hits(ip, email)
    assert not over
    assert over.over == (False, True)  # the address is over, the network not yet
    assert hits(ip, ("sign-email", "b@ex.org", "1/m"))
    assert hits(ip, ("sign-email", "c@ex.org", "1/m")).over == (True, False)  # the network
    assert hit("sign-ip", "another-net", "3/m")


REDIS_TEST_URL = "redis://127.0.0.1:6379/14"


@pytest.fixture
def redis_cache():
    """The production cache backend (django-redis) on a database of its own, flushed."""
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_TEST_URL).flushdb()
    except redis.ConnectionError:
        if os.environ.get("REDIS_URL"):  # CI sets it: there, a missing Redis is a failure
            pytest.fail("REDIS_URL is set but Redis on 127.0.0.1:6379 does not answer")
        pytest.skip("no Redis on 127.0.0.1:6379 (and no REDIS_URL asking for one)")
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
    assert [bool(hits(ip, email)) for _ in range(3)] == [True, True, False]
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
    assert hit("sign-email", "a@ex.org", "5/m")  # the same counter, read by hit()
    assert not hit("sign-email", "a@ex.org", "4/m")


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


def test_plain_text_is_kept_as_typed_without_hidden_characters():
    typed = "Tom & Jerry say <3 \u2026 a<b and c>d"
    assert plain_text(typed) == typed
    assert plain_text("Ann\u202eeb\u2066 \x00Lee\t  Wong ") == "Anneb Lee Wong"
    assert plain_text("Dear MP,\r\n\r\n\tPlease act.\x07\n", multiline=True) == (
        "Dear MP,\n\n\tPlease act."
    )


def test_a_verdict_over_its_limit_says_when_the_window_ends():
    moment = datetime.datetime(2026, 12, 1, 12, 0, 20, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False):
        assert hit("w", "a", "1/m").retry_after == 0
        assert hit("w", "a", "1/m").retry_after == 40
        assert hits(("w", "a", "1/m"), ("w", "b", "1/h")).retry_after == 40  # b is within
        assert hits(("w", "a", "1/m"), ("w", "b", "1/h")).retry_after == 3580  # both over


def test_ipv6_clients_are_counted_per_64_and_mapped_ipv4_as_ipv4(rf):
    from harbour.core.privacy import client_network

    def network(address):
        return client_network(rf.get("/", REMOTE_ADDR=address))

    assert network("2001:db8:1:2:aaaa::1") == network("2001:db8:1:2:ffff:1:2:3")
    assert network("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert network("2001:db8:1:3::1") != network("2001:db8:1:2::1")
    assert network("::ffff:192.0.2.7") == "192.0.2.7"
    assert network("192.0.2.7") == "192.0.2.7"


def test_a_confirmation_token_names_no_row_and_cannot_be_altered(settings):
    import base64

    from harbour.core.tokens import TokenInvalid, content_digest, token_make, token_open

    week = datetime.timedelta(days=7)
    token = token_make(4242, salt="s", digest=content_digest("words"))
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert b"4242" not in raw  # the id is not in the link
    assert token_make(4242, salt="s") != token_make(4242, salt="s")  # a fresh nonce each
    assert token_open(token, salt="s", max_age=week) == (4242, content_digest("words"))
    flipped = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    for bad in (flipped, token[:-1], "", "%%%", token + "AAAA"):
        with pytest.raises(TokenInvalid):
            token_open(bad, salt="s", max_age=week)
    with pytest.raises(TokenInvalid):
        token_open(token, salt="another purpose", max_age=week)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-key-after-rotation"
    assert token_open(token, salt="s", max_age=week)[0] == 4242
