"""Thin tasks: load by id, call a service."""

from django_tasks import task

from harbour.core.failures import scrubbed

from . import services


@task()
@scrubbed
def send_signature_confirmation(signature_id: int) -> bool:
    return services.signature_confirmation_send(signature_id=signature_id)


@task()
@scrubbed
def send_signature_already_signed(signature_id: int) -> bool:
    return services.signature_already_signed_notify(signature_id=signature_id)
