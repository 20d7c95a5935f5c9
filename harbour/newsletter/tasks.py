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


@task()
@scrubbed
def start_mailing(mailing_id: int) -> int:
    from .sending import mailing_start

    return mailing_start(mailing_id=mailing_id)


@task(takes_context=True)
@scrubbed
def send_mailing_batch(context: TaskContext, mailing_id: int, first: int, last: int) -> int:
    from .sending import mailing_batch_send

    return mailing_batch_send(
        mailing_id=mailing_id, first=first, last=last, claimed_by=str(context.task_result.id)
    )


@task()
@scrubbed
def send_mailing_test(mailing_id: int, user_id: int, language: str) -> bool:
    from django.contrib.auth import get_user_model

    from .sending import mailing_test_send

    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return False
    return mailing_test_send(mailing_id=mailing_id, to=user.email, language=language)
