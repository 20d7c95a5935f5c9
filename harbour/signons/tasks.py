"""Thin tasks: load by id, call a service."""

from django_tasks import TaskContext, task

from harbour.core.failures import scrubbed
from harbour.core.mailsend import task_claim

from . import services


@task(takes_context=True)
@scrubbed
def send_signature_confirmation(context: TaskContext, signature_id: int) -> bool:
    return services.signature_confirmation_send(
        signature_id=signature_id, claim=task_claim(context)
    )


@task(takes_context=True)
@scrubbed
def send_signature_already_signed(context: TaskContext, signature_id: int) -> bool:
    return services.signature_already_signed_notify(
        signature_id=signature_id, claim=task_claim(context)
    )
