"""Thin tasks: load by id, call a service."""

from django_tasks import TaskContext, task

from harbour.core.failures import scrubbed
from harbour.core.mailsend import task_claim

from . import sending, services


@task(takes_context=True)
@scrubbed
def send_letter_confirmation(context: TaskContext, letter_id: int) -> bool:
    return services.letter_confirmation_send(letter_id=letter_id, claim=task_claim(context))


@task(takes_context=True)
@scrubbed
def send_letter_already_sent(context: TaskContext, letter_id: int) -> bool:
    return services.letter_already_sent_notify(letter_id=letter_id, claim=task_claim(context))


@task()
@scrubbed
def send_letter(letter_id: int) -> dict[str, int]:
    return sending.letter_send(letter_id=letter_id)


@task()
@scrubbed
def send_letter_copy(letter_id: int) -> bool:
    return sending.letter_copy_send(letter_id=letter_id)


@task()
@scrubbed
def send_delivery(delivery_id: int) -> str:
    return sending.delivery_send(delivery_id=delivery_id)
