"""A mailing sent by real task workers (PostgreSQL): one killed (-9) mid-mailing, and the
next takes over; nobody receives it twice, nobody is skipped but the one message that may
have been in flight, which is marked so; and an SMTP server that is down holds the mailing
back without losing anyone."""

import signal
import subprocess

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from harbour.newsletter.mailings import mailing_send
from harbour.newsletter.models import Mailing, MailingRecipient
from tests.worker_process import wait_for, worker_start

from .factories import make_mailing, subscriber

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="a second process needs PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]


def _start(newsletter, settings, count: int) -> Mailing:
    settings.TASKS = settings.DATABASE_TASKS
    settings.HARBOUR_MAILING_BATCH = 20
    for n in range(count):
        subscriber(f"r{n}@example.org", newsletter["news"])
    mailing = make_mailing(newsletter["news"])
    user = get_user_model().objects.create_superuser("boss", "boss@example.org", "x")
    mailing_send(mailing=mailing, user=user)
    return mailing


def _state(mailing: Mailing) -> str:
    return Mailing.objects.get(pk=mailing.pk).state


def test_a_worker_killed_mid_mailing_sends_nobody_the_mailing_twice(newsletter, sink, settings):
    handler, port = sink
    mailing = _start(newsletter, settings, 60)
    handler.delay_seconds = 0.03  # a slow server: the mailing takes two seconds or more
    first = worker_start(port, stderr=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: len(handler.received) >= 15)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        first.kill()
    assert len(handler.received) < 60  # killed mid-mailing
    handler.delay_seconds = 0
    second = worker_start(port, stderr=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: _state(mailing) == "sent", 60)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(10)
    received = [m["Message-ID"] for _session, _rcpt, m in handler.received]
    assert len(received) == len(set(received))  # nobody twice
    rows = {f"<{r.message_id}>": r.state for r in MailingRecipient.objects.filter(mailing=mailing)}
    missing = [mid for mid, state in rows.items() if mid not in received]
    # The one message in the dead worker's hands may not have left: it is marked, not
    # sent again; every other recipient has theirs.
    assert len(missing) <= 1
    assert all(mid in rows for mid in received)
    uncertain = [mid for mid, state in rows.items() if state == "uncertain"]
    assert set(missing) <= set(uncertain) and len(uncertain) <= 1
    sent = [mid for mid, state in rows.items() if state == "sent"]
    assert len(sent) + len(uncertain) == 60


def test_a_server_that_is_down_holds_the_mailing_and_nobody_is_lost(newsletter, sink, settings):
    handler, port = sink
    mailing = _start(newsletter, settings, 10)
    handler.refuse = {f"r{n}@example.org" for n in range(10)}  # 450: try later
    worker = worker_start(port, stderr=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: _attempts() >= 2, 30)  # refused, and tried again
        handler.refuse = set()
        assert wait_for(lambda: _state(mailing) == "sent", 60)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(10)
    addresses = sorted(rcpt[0] for _session, rcpt, _m in handler.received)
    assert addresses == sorted(f"r{n}@example.org" for n in range(10))


def _attempts() -> int:
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.filter(task_path__endswith="send_mailing_batch")
    return max((len(r.worker_ids) for r in rows), default=0)
