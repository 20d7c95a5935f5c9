"""Thin tasks: load by id, call a service."""

from django_tasks import TaskContext, task

from harbour.core.failures import scrubbed
from harbour.core.mailsend import task_claim

from . import mails, registrations


@task(takes_context=True)
@scrubbed
def send_registration_mail(context: TaskContext, registration_id: int, kind: str) -> bool:
    return mails.registration_mail_send(
        registration_id=registration_id, kind=kind, claim=task_claim(context)
    )


@task()
@scrubbed
def send_event_notices(event_id: int, kind: str, key: str, first: int = 0, last: int = 0) -> int:
    """Reminders and news of a change, to each registrant once, however often it runs."""
    return mails.event_notices_send(event_id=event_id, kind=kind, key=key, first=first, last=last)


@task()
@scrubbed
def offer_expire(registration_id: int) -> bool:
    return registrations.offer_lapse(registration_id=registration_id)
