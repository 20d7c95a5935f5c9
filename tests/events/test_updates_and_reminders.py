"""What registrants are told when an event changes (the invitation again, with a higher
SEQUENCE; a cancellation that removes it from their calendar), the wait-list moving up when
places are added, and reminders: each sent once per registrant by a real task worker, even
queued twice, even with a worker killed mid-batch (PostgreSQL)."""

import datetime
import signal
import subprocess

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from icalendar import Calendar

from harbour.events.models import EventPage, Registration, RegistrationState
from harbour.events.updates import event_published
from tests.worker_process import wait_for, worker_start

from .factories import link, mails_to, make_event, make_listing, register

pytestmark = pytest.mark.django_db
S = RegistrationState
REMINDERS = "harbour.events.tasks.send_event_notices"


def _confirmed(event, email):
    register(Client(), event, email=email, name=email.split("@")[0])
    Client().post(link(mails_to(email)[-1]))
    return Registration.objects.get(event=event, person__email=email)


def _invitation(message):
    (part,) = [a for a in message.attachments if getattr(a, "get_content_type", None)]
    return part, Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")[0]


def _publish(event, **changes):
    event = EventPage.objects.get(pk=event.pk)
    for name, value in changes.items():
        setattr(event, name, value)
    event.save_revision().publish()
    return event


def test_a_new_time_resends_the_invitation_and_a_cancellation_removes_it(home):
    event = make_event(make_listing(home), capacity=1)
    _confirmed(event, "a@example.org")
    _confirmed(event, "b@example.org")  # wait-listed
    _part, first = _invitation(mails_to("a@example.org")[-1])
    assert first["sequence"] == 0

    later = event.starts_at + datetime.timedelta(days=1)
    _publish(event, starts_at=later, ends_at=later + datetime.timedelta(hours=2))
    changed = mails_to("a@example.org")[-1]
    assert changed.subject.startswith("Changed:")
    part, moved = _invitation(changed)
    assert part.get_param("method") == "REQUEST"
    assert moved["uid"] == first["uid"] and moved["sequence"] == 1
    assert moved.decoded("dtstart") == later
    assert not mails_to("b@example.org")[-1].subject.startswith("Changed")  # no place, no news

    _publish(event, summary="A new summary.")  # words only: nobody is told
    assert mails_to("a@example.org")[-1] is changed

    _publish(event, status="cancelled")
    cancelled = mails_to("a@example.org")[-1]
    part, gone = _invitation(cancelled)
    assert part.get_param("method") == "CANCEL" and gone["status"] == "CANCELLED"
    assert gone["sequence"] == 2 and gone["uid"] == first["uid"]
    assert "Cancelled:" in mails_to("b@example.org")[-1].subject  # every live registrant
    assert "Join" not in str(gone.get("description", ""))


def test_more_places_move_the_wait_list_up(home):
    event = make_event(make_listing(home), capacity=1)
    _confirmed(event, "a@example.org")
    b = _confirmed(event, "b@example.org")
    c = _confirmed(event, "c@example.org")
    assert (b.state, c.state) == (S.WAITLISTED, S.WAITLISTED)
    _publish(event, capacity=2)
    b.refresh_from_db()
    c.refresh_from_db()
    assert (b.state, c.state) == (S.OFFERED, S.WAITLISTED)
    assert "A place is free for you" in mails_to("b@example.org")[-1].subject


def _due_now() -> None:
    DBTaskResult.objects.filter(task_path=REMINDERS, status="READY").update(
        run_after=timezone.now()
    )


def _work() -> None:
    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_reminders_go_once_to_each_registrant_when_due(home, settings):
    event = make_event(make_listing(home), days=3)
    for address in ("a@example.org", "b@example.org", "c@example.org"):
        _confirmed(event, address)
    Registration.objects.filter(person__email="c@example.org").update(state=S.CANCELLED)
    mail.outbox.clear()
    with override_settings(TASKS=settings.DATABASE_TASKS):
        event_published(event_id=event.pk)
        event_published(event_id=event.pk)  # published twice: the reminders queued twice
        queued = DBTaskResult.objects.filter(task_path=REMINDERS)
        assert queued.count() == 4  # 1 day and 1 hour before, twice
        assert all(task.run_after > timezone.now() for task in queued)
        _work()
        assert mail.outbox == []  # not due yet
        _due_now()
        _work()
    for address in ("a@example.org", "b@example.org"):
        reminders = [m for m in mails_to(address) if m.subject.startswith("Reminder:")]
        assert len(reminders) == 2  # one a day before, one an hour before: never twice
        assert "/attend/" in reminders[0].body and "/withdraw/" in reminders[0].body
    assert mails_to("c@example.org") == []


@pytest.mark.django_db(transaction=True)
def test_a_reminder_for_an_old_start_time_sends_nothing(home, settings):
    event = make_event(make_listing(home), days=3)
    _confirmed(event, "a@example.org")
    with override_settings(TASKS=settings.DATABASE_TASKS):
        event_published(event_id=event.pk)
        DBTaskResult.objects.filter(task_path=REMINDERS).update(status="FAILED")  # parked
        later = event.starts_at + datetime.timedelta(days=2)
        EventPage.objects.filter(pk=event.pk).update(
            starts_at=later, ends_at=later + datetime.timedelta(hours=1)
        )
        DBTaskResult.objects.filter(task_path=REMINDERS).update(status="READY")
        _due_now()
        mail.outbox.clear()
        _work()
    assert [m for m in mail.outbox if m.subject.startswith("Reminder:")] == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a second process needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_sends_nobody_a_reminder_twice(home, sink, settings):
    handler, port = sink
    settings.HARBOUR_EVENT_RATE_IP = "1000/h"
    event = make_event(make_listing(home), days=3, reminders="1d")
    addresses = [f"r{n}@example.org" for n in range(40)]
    for address in addresses:
        _confirmed(event, address)
    with override_settings(TASKS=settings.DATABASE_TASKS):
        event_published(event_id=event.pk)
    _due_now()
    handler.delay_seconds = 0.05  # a slow server: the batch takes two seconds or more
    first = worker_start(port, stderr=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: len(handler.received) >= 10)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        first.kill()
    at_kill = len(handler.received)
    assert at_kill < len(addresses)  # killed mid-batch
    handler.delay_seconds = 0
    second = worker_start(port, stderr=subprocess.DEVNULL)
    try:
        assert wait_for(
            lambda: DBTaskResult.objects.get(task_path=REMINDERS).status == "SUCCESSFUL"
        )
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(10)
    counts = {address: len(handler.to(address)) for address in addresses}
    assert max(counts.values()) == 1  # nobody twice
    # At most the one message in flight when the worker died is lost (its claim was taken:
    # it may have left, so it is never sent again); everyone else has theirs.
    assert list(counts.values()).count(0) <= 1


def test_a_large_events_reminders_go_in_batches_each_once(home, monkeypatch, settings):
    from harbour.events import mails
    from harbour.events.updates import reminder_key

    monkeypatch.setattr(mails, "NOTICE_BATCH", 2)
    event = make_event(make_listing(home), days=3)
    addresses = [f"b{n}@example.org" for n in range(5)]
    for address in addresses:
        _confirmed(event, address)
    mail.outbox.clear()
    key = reminder_key(event, 1440)
    # All five: three tasks of two, two and one (run at once by the test's task backend).
    assert mails.event_notices_send(event_id=event.pk, kind="reminder", key=key) == 0
    assert sorted(m.to[0] for m in mail.outbox) == addresses
    assert all(m.subject.startswith("Reminder:") and not m.attachments for m in mail.outbox)
    again = mails.event_notices_send(
        event_id=event.pk, kind="reminder", key=key, first=1, last=10**9
    )
    assert again == 0 and len(mail.outbox) == 5  # every one claimed: none twice
