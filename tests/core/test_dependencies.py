"""The web process never answers 500 when a dependency fails: the database away gives a
translated 503 with Retry-After and recovers on its own; Redis away leaves every public
form working (no cache, rate limits per process) with one warning, not a flood."""

import logging
import socket
from contextlib import contextmanager

import pytest
from django.db import OperationalError, connection
from django.test import Client, override_settings

from harbour.signons.models import Signature
from tests.letters.test_flow import LETTER, campaign  # noqa: F401 (fixture)
from tests.signons.factories import INDIVIDUAL, make_petition


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nobody listens once the socket is closed


@contextmanager
def database_away():
    """PostgreSQL: the connection's settings point at a closed port, as after the server
    stopped. SQLite (an in-memory test database cannot be pointed elsewhere): every query
    fails as a locked or vanished database file does."""
    if connection.vendor == "postgresql":
        port = connection.settings_dict["PORT"]
        connection.close()
        connection.settings_dict["PORT"] = str(_closed_port())
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict["PORT"] = port
    else:

        def refuse(execute, sql, params, many, context):
            raise OperationalError("unable to open database file")

        with connection.execute_wrapper(refuse):
            yield


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("path", "words"),
    [("/", "Back in a moment"), ("/fr/", "Nous revenons"), ("/zh-hant/", "稍後")],
)
def test_the_database_away_gives_a_translated_503_then_the_site_recovers(home, path, words):
    client = Client(raise_request_exception=False)
    with database_away():
        response = client.get(path)
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert words in html
    assert "Traceback" not in html and "OperationalError" not in html
    # The database is back: the next request is served, no restart needed.
    assert client.get(path).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_signature_during_a_database_outage_is_answered_503_and_nothing_half_stored(home):
    sign = make_petition(home).url + "sign/"
    client = Client(raise_request_exception=False)
    with database_away():
        response = client.post(sign, INDIVIDUAL)
    assert response.status_code == 503  # not "check your e-mail": nothing was acknowledged
    assert not Signature.objects.exists()
    again = client.post(sign, INDIVIDUAL)
    assert again.status_code == 302
    assert Signature.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_database_outage_logs_one_warning_not_a_traceback_per_request(home, caplog):
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.WARNING), database_away():
        answers = [client.get("/").status_code for _ in range(5)]
    assert answers == [503] * 5
    requests = [r for r in caplog.records if r.name == "django.request"]
    assert [r.getMessage() for r in requests] == [
        "Database unreachable: answering 503 with Retry-After until it is back (0 similar "
        "messages dropped since the last)."
    ]
    assert requests[0].exc_info is None and requests[0].levelname == "WARNING"


REDIS_AWAY = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
        "KEY_PREFIX": "harbour",
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.25},
    }
}


@pytest.mark.django_db
def test_redis_away_every_public_form_still_works_with_one_warning(
    home,
    campaign,  # noqa: F811
    caplog,
):
    petition = make_petition(home)
    client = Client(raise_request_exception=False)
    with override_settings(CACHES=REDIS_AWAY), caplog.at_level(logging.WARNING):
        pages = [client.get(url) for url in ("/", petition.url, campaign.url, "/search/?q=x")]
        signed = client.post(petition.url + "sign/", INDIVIDUAL)
        found = client.post(campaign.url + "write/", {"postal_code": "L1S 2A3"})
        sent = client.post(campaign.url + "send/", LETTER)
        ready = client.get("/readyz")
    assert [p.status_code for p in pages] == [200, 200, 200, 200]
    assert signed.status_code == 302 and Signature.objects.count() == 1
    assert found.status_code == 200
    assert sent.status_code == 302
    assert ready.status_code == 503 and ready.json()["checks"]["cache"] is False
    warnings = [r for r in caplog.records if "Redis unreachable" in r.getMessage()]
    assert len(warnings) == 1, [r.getMessage() for r in caplog.records]
    assert warnings[0].exc_info is None


@pytest.mark.django_db
@override_settings(HARBOUR_SIGN_RATE_IP="3/h", HARBOUR_SIGN_CAP_IP="4/h")
def test_redis_away_rate_limits_still_hold_in_each_process(home):
    petition = make_petition(home)
    with override_settings(CACHES=REDIS_AWAY):
        codes = [
            Client().post(
                petition.url + "sign/", {**INDIVIDUAL, "individual-email": f"s{n}@ex.org"}
            )
            for n in range(6)
        ]
    assert [c.status_code for c in codes] == [302, 302, 302, 302, 429, 429]
