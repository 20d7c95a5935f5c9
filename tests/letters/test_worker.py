"""Sending through the real database worker, and a worker that dies mid-send."""

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from harbour.letters.models import Delivery, DeliveryState
from harbour.letters.sending import delivery_send

from .test_flow import LETTER, _confirm, campaign  # noqa: F401 (fixture)

DB_TASKS = settings.DATABASE_TASKS


@pytest.mark.django_db(transaction=True)
def test_worker_sends_each_letter_once_even_after_a_restart(client, campaign, mailoutbox):  # noqa: F811
    with override_settings(TASKS=DB_TASKS):
        client.post(campaign.url + "send/", LETTER)
        assert mailoutbox == []
        call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
        assert [m.to for m in mailoutbox] == [["mimi@example.org"]]  # the confirmation
        _confirm(client, campaign)
        delivery = Delivery.objects.get()
        # The worker "dies" after the SMTP call: the message left, the row still says sending.
        delivery_send(delivery_id=delivery.pk)
        Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.SENDING)
        sent_before = len([m for m in mailoutbox if "parl.gc.ca" in m.to[0]])
        # A new worker picks up the queued task for the same delivery.
        call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
        call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
    to_mp = [m for m in mailoutbox if "parl.gc.ca" in m.to[0]]
    assert sent_before == 1
    assert len(to_mp) == 1
    assert Delivery.objects.get().state == DeliveryState.SENT
    assert len([m for m in mailoutbox if m.subject.startswith("Copy:")]) == 1


def test_a_letter_task_run_again_sends_neither_the_letters_nor_the_copy_twice(
    client,
    campaign,  # noqa: F811
    mailoutbox,
):
    from harbour.letters.models import Letter
    from harbour.letters.sending import letter_send

    client.post(campaign.url + "send/", LETTER)
    _confirm(client, campaign)  # the immediate task backend sends at once
    letter = Letter.objects.get()
    before = len(mailoutbox)
    assert letter_send(letter_id=letter.pk) == {"copy": 0}  # the worker died; it runs again
    assert len(mailoutbox) == before
    assert Letter.objects.get().copy_sent_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_confirmation_task_run_again_sends_the_link_once(client, campaign, mailoutbox):  # noqa: F811
    from django_tasks_db.models import DBTaskResult

    task = DBTaskResult.objects.filter(task_path="harbour.letters.tasks.send_letter_confirmation")
    with override_settings(TASKS=DB_TASKS):
        client.post(campaign.url + "send/", LETTER)
        call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
        task.update(status="READY")  # its worker vanished; the task is made ready again
        call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
    assert task.get().status == "SUCCESSFUL"
    assert [m.to for m in mailoutbox] == [["mimi@example.org"]]


@pytest.mark.django_db(transaction=True)
def test_a_letter_an_office_refuses_for_now_goes_once_when_the_task_queue_retries(
    client,
    campaign,  # noqa: F811
    sink,
    settings,
):
    import re

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from tests.smtp_sink import use_sink

    office = "jennifer.mckelvie@parl.gc.ca"
    handler, port = sink
    use_sink(settings, port)
    handler.refuse.add(office)
    work = lambda: call_command("db_worker", batch=True, startup_delay=False, verbosity=0)  # noqa: E731
    with override_settings(TASKS=DB_TASKS):
        client.post(campaign.url + "send/", LETTER)
        work()
        body = handler.to("mimi@example.org")[0].get_body(("plain",)).get_content()
        link = re.search(r"http://\S+/confirm/\S+/", body).group(0)
        client.post(link.removeprefix("http://127.0.0.1:8000"))
        work()
        task = DBTaskResult.objects.get(task_path="harbour.letters.tasks.send_letter")
        assert task.status == "READY"  # put back by the queue itself, with back-off
        assert Delivery.objects.get().state == DeliveryState.QUEUED
        handler.refuse.clear()
        DBTaskResult.objects.filter(pk=task.pk).update(run_after=timezone.now())
        work()
        work()
    assert DBTaskResult.objects.get(pk=task.pk).status == "SUCCESSFUL"
    assert Delivery.objects.get().state == DeliveryState.SENT
    assert len(handler.to(office)) == 1
    assert len([m for m in handler.to("mimi@example.org") if m["Subject"].startswith("Copy:")]) == 1
