"""Settings read from the environment, and the deprecated names still honoured."""

import os
import subprocess
import sys

import pytest
from django.conf import settings


def _confirm_days(**env: str) -> int:
    clean = {k: v for k, v in os.environ.items() if "CONFIRM_DAYS" not in k}
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.HARBOUR_CONFIRM_DAYS)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env={**clean, "DJANGO_SETTINGS_MODULE": "harbour.settings.dev", **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("env", "days"),
    [
        ({}, 7),
        ({"HARBOUR_CONFIRM_DAYS": "10"}, 10),
        ({"HARBOUR_SIGNATURE_CONFIRM_DAYS": "3"}, 3),  # the old name, for one release
        ({"HARBOUR_CONFIRM_DAYS": "10", "HARBOUR_SIGNATURE_CONFIRM_DAYS": "3"}, 10),
    ],
)
def test_the_life_of_confirmation_links(env, days):
    assert _confirm_days(**env) == days


def test_make_run_shows_the_sites_own_error_pages_and_still_serves_static_and_media():
    """`make run` (dev settings): DEBUG off unless asked for, so a missing page is the
    site's own 404 page; static files and uploads are still served by the one process."""
    clean = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "from django.urls import resolve; "
        "print(settings.DEBUG, settings.WHITENOISE_USE_FINDERS, "
        "resolve('/media/images/x.png').func.__name__)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env={**clean, "DJANGO_SETTINGS_MODULE": "harbour.settings.dev"},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split() == ["False", "True", "serve"]


@pytest.mark.django_db
@pytest.mark.skipif(
    "postgres" not in settings.DATABASES["default"]["ENGINE"], reason="PostgreSQL's JIT"
)
def test_postgresql_connections_compile_no_query_plans():
    """JIT compilation cost 20-40 ms on each small lookup of a six-million-row petition's
    moderation page (docs/benchmarks.md, scale): Harbour's connections turn it off."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
