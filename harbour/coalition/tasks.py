"""Thin tasks: load by id, call a service."""

from django_tasks import TaskContext, task

from harbour.core.failures import scrubbed
from harbour.core.mailsend import task_claim

from . import applications, contact, invitations, signin


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


@task(takes_context=True)
@scrubbed
def send_contact_confirmation(context: TaskContext, contact_id: int) -> bool:
    return contact.contact_confirmation_send(contact_id=contact_id, claim=task_claim(context))


@task(takes_context=True)
@scrubbed
def send_contact_to_organisers(context: TaskContext, contact_id: int) -> int:
    return contact.contact_deliver(contact_id=contact_id, claim=task_claim(context))


@task(takes_context=True)
@scrubbed
def send_signin_link(context: TaskContext, user_id: int) -> bool:
    return signin.signin_link_send(user_id=user_id, claim=task_claim(context))
