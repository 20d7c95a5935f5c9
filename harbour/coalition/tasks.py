"""Thin tasks: load by id, call a service."""

from django_tasks import TaskContext, task

from harbour.core.failures import scrubbed
from harbour.core.mailsend import task_claim

from . import applications, invitations


@task(takes_context=True)
@scrubbed
def send_application_confirmation(context: TaskContext, application_id: int) -> bool:
    return applications.application_confirmation_send(
        application_id=application_id, claim=task_claim(context)
    )


@task(takes_context=True)
@scrubbed
def send_application_declined(context: TaskContext, application_id: int) -> bool:
    return applications.application_declined_send(
        application_id=application_id, claim=task_claim(context)
    )


@task(takes_context=True)
@scrubbed
def send_organiser_invitation(context: TaskContext, invitation_id: int) -> bool:
    return invitations.invitation_send(invitation_id=invitation_id, claim=task_claim(context))
