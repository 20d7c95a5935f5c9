"""Accounts and the security baseline: hashing, lockout, staff 2FA, production checks."""

import datetime
import os
import subprocess
import sys
import time

import pytest
import time_machine
from django.conf import settings
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from harbour.core.roles import EDITORS
from tests.content.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_passwords_are_hashed_with_argon2_outside_tests():
    from harbour.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_login_locks_out_after_five_failures(home):
    UserFactory(username="editor@example.org")
    client = Client()
    statuses = [
        client.post(
            "/admin/login/", {"username": "editor@example.org", "password": "wrong"}
        ).status_code
        for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]
    locked = client.post(
        "/admin/login/", {"username": "editor@example.org", "password": "a-long-test-password"}
    )
    assert locked.status_code == 429
    assert locked["Retry-After"] == "3600"  # the lockout's cool-off (AXES_COOLOFF_TIME = 1 h)
    assert b"Too many failed sign-in attempts" in locked.content


def test_login_with_right_password_works(home):
    UserFactory(username="editor@example.org", roles=[EDITORS])
    client = Client()
    response = client.post(
        "/admin/login/", {"username": "editor@example.org", "password": "a-long-test-password"}
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


@override_settings(HARBOUR_REQUIRE_2FA=True)
def test_staff_must_enrol_and_verify_a_totp_device(client, home):
    editor = UserFactory(roles=[EDITORS])
    client.force_login(editor)

    response = client.get("/admin/pages/")
    assert response.status_code == 302
    assert response["Location"] == "/account/two-factor/"

    enrol = client.get("/account/two-factor/")
    assert enrol.status_code == 200
    assert b"Scan this code" in enrol.content
    assert b"data:image/svg+xml;base64," in enrol.content
    assert "img-src 'self' data:" in enrol["Content-Security-Policy"]  # the QR code shows
    device = TOTPDevice.objects.get(user=editor)
    assert not device.confirmed

    wrong = client.post(
        "/account/two-factor/", {"token": "000000" if _code(device) != "000000" else "111111"}
    )
    assert wrong.status_code == 400
    assert b"That code is not right" in wrong.content
    malformed = client.post("/account/two-factor/", {"token": "abc"})
    assert malformed.status_code == 400
    assert b"Enter the six digits" in malformed.content

    # django-otp throttles a device after a failure; a person waits, the test moves the clock.
    with time_machine.travel(time.time() + 120, tick=False):
        device.refresh_from_db()
        right = client.post("/account/two-factor/", {"token": _code(device)})
        assert right.status_code == 302
        assert client.get("/admin/pages/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed

    # A new session needs a code again, without re-enrolling.
    fresh = Client()
    fresh.force_login(editor)
    assert fresh.get("/admin/").status_code == 302
    assert b"Scan this code" not in fresh.get("/account/two-factor/").content


@override_settings(HARBOUR_REQUIRE_2FA=True)
def test_two_factor_guesses_are_rate_limited(client, home):
    client.force_login(UserFactory(roles=[EDITORS]))
    # Inside one fixed one-minute window, whatever the clock says when the test runs.
    with time_machine.travel(
        datetime.datetime(2026, 12, 1, 12, 0, 20, tzinfo=datetime.UTC), tick=False
    ):
        responses = [client.post("/account/two-factor/", {"token": "123456"}) for _ in range(12)]
    statuses = [response.status_code for response in responses]
    # Ten guesses a minute are judged (and refused: a wrong code is a 400); the rest wait.
    assert statuses == [400] * 10 + [429] * 2
    assert all(0 < int(r["Retry-After"]) <= 60 for r in responses[10:])


def test_two_factor_page_needs_login(client, home):
    response = client.get("/account/two-factor/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_production_settings_pass_the_deploy_check():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "harbour.settings.production",
        "SECRET_KEY": "x" * 20 + "-production-like-secret-key-for-check-0123456789",
        "HARBOUR_IP_HASH_KEY": "ip-hash-key",
        "ALLOWED_HOSTS": "harbour.example.org",
    }
    result = _manage_check(env, "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secrets():
    dropped = ("SECRET_KEY", "HARBOUR_IP_HASH_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env["DJANGO_SETTINGS_MODULE"] = "harbour.settings.production"
    result = _manage_check(env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_language_switch_needs_csrf(home):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/i18n/setlang/", {"language": "fr", "next": "/"}).status_code == 403


@pytest.mark.django_db
def test_the_benchmark_views_are_not_served_without_harbour_bench(client, home):
    """They write rows and queue tasks for anyone: only `make bench`'s server mounts them."""
    from django.urls import resolve

    from harbour.benchviews import views as bench
    from harbour.core.models import AuditEntry

    bench_views = {
        bench.bench_ping,
        bench.bench_insert,
        bench.bench_insert_enqueue,
        bench.bench_sign_service,
    }
    assert settings.HARBOUR_BENCH is False
    for path in (
        "/bench/ping/",
        "/bench/insert/",
        "/bench/insert-enqueue/",
        f"/bench/sign-service/{home.pk}/",
    ):
        assert resolve(path).func not in bench_views  # Wagtail's page serving, not the view
        assert client.post(path, {"individual-email": "x@example.org"}).status_code == 404
    assert not AuditEntry.objects.filter(action__startswith="bench.").exists()


def test_production_refuses_the_benchmark_views_on_a_public_host():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "harbour.settings.production"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(
        SECRET_KEY="x" * 64,
        HARBOUR_IP_HASH_KEY="y" * 32,
        HARBOUR_BENCH="true",
        ALLOWED_HOSTS="harbour.example.org",
    )
    result = _manage_check(env)
    assert result.returncode != 0
    assert "HARBOUR_BENCH is for make bench" in result.stderr
    env["ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    assert "HARBOUR_BENCH" not in _manage_check(env).stderr


def _manage_check(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`manage.py check ARGS` in a new process with `env` (settings chosen at start-up)."""
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
