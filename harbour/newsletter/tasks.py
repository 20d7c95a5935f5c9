"""Thin tasks: load by id, call a service."""

from django_tasks import TaskContext, task

from harbour.core.failures import scrubbed
from harbour.core.mailsend import task_claim

from . import mails


@task(takes_context=True)
@scrubbed
def send_signup_mail(context: TaskContext, person_id: int, kind: str, signup_id: int) -> bool:
    return mails.signup_mail_send(
        person_id=person_id, kind=kind, signup_id=signup_id, claim=task_claim(context)
    )
