"""Backups restore: deploy/backup.sh dumps the database with the row count of every table
from the dump's own snapshot, encrypted for the backup key; `make restore-check` restores
the latest into a fresh database and finds every row (PostgreSQL: what production runs)."""

import os
import subprocess
from pathlib import Path

import pytest
from django.db import connection

from harbour.signons.services import signature_create
from tests.signons.factories import make_petition

ROOT = Path(__file__).resolve().parents[2]
DETAILS = {"given_name": "Ada", "family_name": "B", "postal_code": "K1A 0A6", "listing": "full"}

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="backups are PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]


def _url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


def _run(script: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(ROOT / "deploy" / script), *args],
        env={**os.environ, "DATABASE_URL": _url(), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def signed(home):
    petition = make_petition(home)
    signature_create(page=petition, kind="individual", email="ada@example.org", details=DETAILS)
    return petition


def test_the_latest_backup_restores_with_every_row_and_a_damaged_one_is_caught(signed, tmp_path):
    made = _run("backup.sh", str(tmp_path), HARBOUR_BACKUP_ENCRYPT="none")
    assert made.returncode == 0, made.stderr
    counts = next(tmp_path.glob("harbour-*.counts")).read_text()
    assert "signons_signature 1\n" in counts
    checked = _run("restore-check.sh", str(tmp_path))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "every row count matches" in checked.stdout
    # A backup that lost rows (here: its counts say one more than it holds) fails.
    damaged = next(tmp_path.glob("harbour-*.counts"))
    damaged.write_text(counts.replace("signons_signature 1\n", "signons_signature 2\n"))
    failed = _run("restore-check.sh", str(tmp_path))
    assert failed.returncode != 0
    assert "-signons_signature 2" in failed.stdout and "FAILED" in failed.stderr
    # The scratch databases are gone.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_database WHERE datname LIKE 'harbour_restore%%'")
        assert cursor.fetchone()[0] == 0


def test_an_encrypted_backup_holds_no_address_in_clear_and_still_restores(signed, tmp_path):
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    keys = {"GNUPGHOME": str(home)}
    made_key = subprocess.run(
        [
            "gpg",
            "--batch",
            "--passphrase",
            "",
            "--quick-gen-key",
            "backup@harbour.invalid",
            "default",
            "default",
            "never",
        ],
        env={**os.environ, **keys},
        capture_output=True,
        timeout=60,
    )
    assert made_key.returncode == 0, made_key.stderr
    backups = tmp_path / "backups"
    made = _run(
        "backup.sh", str(backups), HARBOUR_BACKUP_ENCRYPT="gpg:backup@harbour.invalid", **keys
    )
    assert made.returncode == 0, made.stderr
    dump = next(backups.glob("harbour-*.dump.gpg")).read_bytes()
    assert not dump.startswith(b"PGDMP") and b"ada@example.org" not in dump
    checked = _run("restore-check.sh", str(backups), **keys)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_backup_refuses_to_run_without_an_encryption_choice(tmp_path):
    made = _run("backup.sh", str(tmp_path), HARBOUR_BACKUP_ENCRYPT="")
    assert made.returncode != 0 and "HARBOUR_BACKUP_ENCRYPT" in made.stderr
    assert not list(tmp_path.glob("harbour-*"))
