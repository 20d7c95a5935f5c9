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
