"""Thin tasks: load by id, call a service. A letter an office (or the supporter's copy)
refused for now makes the task fail as temporary, so core.taskrecovery runs it again with
back-off, the one retry mechanism of every task (each delivery and copy still goes at most
once)."""

from django_tasks import TaskContext, task

from harbour.core.failures import TemporaryTaskFailure, scrubbed
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
    outcomes = sending.letter_send(letter_id=letter_id)
    if outcomes.get("retry") or outcomes.get("copy_retry"):  # core retries the task
        raise TemporaryTaskFailure(
            f"temporary: {outcomes.get('retry', 0)} letter(s) and "
            f"{outcomes.get('copy_retry', 0)} copy put back"
        )
    return outcomes


@task()
@scrubbed
def send_delivery(delivery_id: int) -> str:
    outcome = sending.delivery_send(delivery_id=delivery_id)
    if outcome == "retry":  # refused for now: core retries the task, with back-off
        raise TemporaryTaskFailure("temporary: the letter was put back")
    return outcome
