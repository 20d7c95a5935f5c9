"""No address in a failed task's stored traceback, nor in any log line."""

import logging

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from harbour.core.logscrub import ScrubPersonalData, scrub
from tests.signons.factories import INDIVIDUAL, make_petition
from tests.smtp_sink import use_sink as _use_sink

VICTIM = "refused.person@example.org"


@pytest.mark.django_db(transaction=True)
def test_a_refused_confirmation_leaves_no_address_in_the_task_or_the_log(
    client,
    home,
    sink,  # noqa: F811
    caplog,
):
    handler, port = sink
    handler.refuse_for_good.add(VICTIM)
    with override_settings(TASKS=settings.DATABASE_TASKS):
        _use_sink(settings, port)
        client.post(make_petition(home).url + "sign/", {**INDIVIDUAL, "individual-email": VICTIM})
        with caplog.at_level(logging.INFO):
            call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
    failed = DBTaskResult.objects.get(status="FAILED")
    assert failed.exception_class_path == "harbour.core.failures.TaskFailure"
    assert "permanent: SMTPRecipientsRefused" in failed.traceback
    assert "refused.person" not in failed.traceback
    assert caplog.records  # the worker logged the failure...
    for record in caplog.records:  # ...and the project's filter scrubs what handlers write
        ScrubPersonalData().filter(record)
        assert "refused.person" not in record.getMessage()
        assert "refused.person" not in (record.exc_text or "")


def test_the_filter_scrubs_addresses_tokens_ips_and_postal_codes_from_messages_and_tracebacks():
    record = logging.LogRecord(
        "x",
        logging.ERROR,
        __file__,
        1,
        "Sent to %s from %s",
        ("mimi@example.org", "10.1.2.3"),
        None,
    )
    try:
        raise ValueError("POST /petition/confirm/AbC-123_x/ for K1A 0B1 at 2001:db8::7")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    ScrubPersonalData().filter(record)
    text = record.getMessage() + record.exc_text
    for secret in ("mimi@", "10.1.2.3", "AbC-123_x", "K1A 0B1", "2001:db8::7"):
        assert secret not in text
    assert "Sent to [e-mail] from [ip]" in text
    assert "/confirm/[token]/" in text
    assert scrub("Ottawa K1A0B1") == "Ottawa [postal code]"


def test_every_log_handler_of_the_project_scrubs():
    from harbour.settings import base

    handlers = base.LOGGING["handlers"]
    assert handlers and all("scrub" in handler.get("filters", []) for handler in handlers.values())
