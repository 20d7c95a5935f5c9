"""`make run`'s worker is quiet: no line per task; a failed task still shows."""

import logging

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from tests.signons.factories import INDIVIDUAL, make_petition

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_dev_worker_logs_no_line_per_task_but_shows_a_failure(client, home, caplog):
    petition = make_petition(home)
    with override_settings(TASKS=settings.DATABASE_TASKS):
        client.post(petition.url, INDIVIDUAL)
        with caplog.at_level(logging.DEBUG):
            call_command("dev_worker", batch=True, startup_delay=False, verbosity=1)
        quiet = [r for r in caplog.records if r.levelno < logging.WARNING]
        assert [r for r in quiet if r.name.startswith("django_tasks")] == []
        caplog.clear()
        settings.EMAIL_BACKEND = "tests.core.test_dev_worker.Refusing"
        client.post(petition.url, {**INDIVIDUAL, "individual-email": "b@example.org"})
        call_command("dev_worker", batch=True, startup_delay=False, verbosity=1)
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert failures and "state=FAILED" in failures[0].getMessage()


class Refusing:
    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        raise ConnectionRefusedError("no mail server")

    def close(self):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("no mail server")
