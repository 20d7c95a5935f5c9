"""The confirmation e-mail is claimed before it is sent: a task run again (its worker was
killed, or it is retried) sends nothing twice, a failure that sent nothing lets the next
attempt send it, and one that may have sent it does not."""

import io

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from harbour.core.models import MailClaim
from harbour.signons.services import signature_create
from tests.smtp_sink import use_sink

from .factories import make_petition

DETAILS = {"given_name": "Ada", "family_name": "B", "postal_code": "K1A 0A6", "listing": "full"}
ADDRESS = "ada@example.org"

pytestmark = pytest.mark.django_db(transaction=True)


TASK = "harbour.signons.tasks.send_signature_confirmation"


def _task() -> DBTaskResult:
    return DBTaskResult.objects.get(task_path=TASK)


def _work() -> None:
    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)


def _run_again() -> None:
    """What recovering a task whose worker vanished does: the same task row, ready again."""
    DBTaskResult.objects.filter(task_path=TASK).update(status="READY", run_after=timezone.now())
    _work()


def _sign(petition) -> None:
    signature_create(page=petition, kind="individual", email=ADDRESS, details=DETAILS)


def test_a_confirmation_task_run_twice_sends_one_email(home, sink, settings):
    handler, port = sink
    use_sink(settings, port)
    petition = make_petition(home)
    with override_settings(TASKS=settings.DATABASE_TASKS):
        _sign(petition)
        _work()
        _run_again()
    assert len(handler.to(ADDRESS)) == 1
    assert "confirm your signature" in handler.to(ADDRESS)[0]["Subject"]
    assert _task().status == "SUCCESSFUL"


def test_a_confirmation_refused_for_now_is_sent_once_on_the_next_attempt(home, sink, settings):
    handler, port = sink
    use_sink(settings, port)
    handler.refuse.add(ADDRESS)
    petition = make_petition(home)
    with override_settings(TASKS=settings.DATABASE_TASKS):
        _sign(petition)
        _work()
        assert _task().status == "READY"  # to be tried again after its back-off
        assert not MailClaim.objects.exists()  # nothing left: the claim is free again
        handler.refuse.clear()
        _run_again()
        _run_again()
    assert len(handler.to(ADDRESS)) == 1


def test_a_confirmation_cut_off_mid_message_is_not_sent_again(home, sink, settings):
    handler, port = sink
    use_sink(settings, port)
    settings.EMAIL_TIMEOUT = 1
    handler.stall_seconds = 2
    petition = make_petition(home)
    with override_settings(TASKS=settings.DATABASE_TASKS):
        _sign(petition)
        _work()
        assert _task().status == "FAILED"
        handler.stall_seconds = 0
        _run_again()
    assert handler.received == []
    assert MailClaim.objects.get().state == MailClaim.UNCERTAIN


def test_claims_of_finished_tasks_are_forgotten_after_a_month(home, sink, settings):
    import datetime

    import time_machine
    from django.utils import timezone

    handler, port = sink
    use_sink(settings, port)
    with override_settings(TASKS=settings.DATABASE_TASKS):
        _sign(make_petition(home))
        _work()
    call_command("actions_purge_expired", stdout=io.StringIO())
    assert MailClaim.objects.get().state == MailClaim.SENT
    with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
        call_command("actions_purge_expired", stdout=io.StringIO())
    assert not MailClaim.objects.exists()
