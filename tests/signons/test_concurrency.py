"""Counts stay exact when many people sign and confirm at the same moment (PostgreSQL runs
these with real concurrent connections; SQLite serialises them)."""

import threading

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from harbour.signons.counts import area_counts, count_total, signature_counts_reconcile
from harbour.signons.models import Signature, SignatureAreaCount, SignatureState
from harbour.signons.services import confirmation_token, signature_confirm, signature_create

from .factories import make_petition

DETAILS = {"given_name": "A", "family_name": "B", "postal_code": "K1A 0A6", "listing": "full"}


def _in_threads(target, args_list):
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(args_list))

    def run(*args):
        try:
            barrier.wait()
            target(*args)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=args) for args in args_list]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL"
)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_confirmations_are_counted_exactly(home):
    petition = make_petition(home)
    signatures = [
        signature_create(
            page=petition, kind="individual", email=f"p{n}@example.org", details=DETAILS
        ).signature
        for n in range(24)
    ]
    # Spread over three provinces and two districts, so area counters contend too.
    for n, signature in enumerate(signatures):
        Signature.objects.filter(pk=signature.pk).update(
            province=["ON", "QC", "BC"][n % 3], district_code=["35001", "24001"][n % 2]
        )
    tokens = [confirmation_token(s) for s in signatures]
    # Every link clicked twice at once: each signature must count exactly once.
    errors = _in_threads(lambda t: signature_confirm(token=t), [(t,) for t in tokens * 2])
    assert errors == []
    assert Signature.objects.filter(state=SignatureState.CONFIRMED).count() == 24
    assert count_total(page=petition) == 24
    assert area_counts(page=petition, kind=SignatureAreaCount.PROVINCE) == {
        "ON": 8,
        "QC": 8,
        "BC": 8,
    }
    assert area_counts(page=petition, kind=SignatureAreaCount.DISTRICT) == {
        "35001": 12,
        "24001": 12,
    }
    assert signature_counts_reconcile(page=petition) == 24
    assert area_counts(page=petition, kind=SignatureAreaCount.PROVINCE)["ON"] == 8


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_submissions_with_one_address_make_one_signature(home):
    petition = make_petition(home)
    errors = _in_threads(
        lambda: signature_create(
            page=petition, kind="individual", email="same@example.org", details=DETAILS
        ),
        [()] * 8,
    )
    assert errors == []
    assert Signature.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_confirmation_mail_goes_through_the_database_worker(home, mailoutbox):
    """The task is a row committed with the signature; `db_worker` sends it once."""
    from django_tasks_db.models import DBTaskResult

    with override_settings(TASKS=settings.DATABASE_TASKS):
        petition = make_petition(home)
        signature_create(page=petition, kind="individual", email="w@example.org", details=DETAILS)
        assert mailoutbox == []
        assert (
            DBTaskResult.objects.filter(
                task_path="harbour.signons.tasks.send_signature_confirmation"
            ).count()
            == 1
        )
        call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
        call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
    assert [m.to for m in mailoutbox] == [["w@example.org"]]
    assert Signature.objects.get().confirmation_sent_at is not None


@pytest.mark.django_db
def test_maintenance_command_recounts(home, capsys):
    petition = make_petition(home)
    Signature.objects.create(
        page=petition, kind="individual", name="X", state=SignatureState.CONFIRMED
    )
    call_command("signons_maintenance")
    assert "Recounted 1 page(s)." in capsys.readouterr().out
    assert count_total(page=petition) == 1
