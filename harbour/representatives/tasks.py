"""Thin tasks: load by id, call a service."""

from django_tasks import task

from harbour.core.failures import scrubbed

from . import services


@task()
@scrubbed
def send_contact_change_notice(audit_entry_id: int) -> int:
    return services.contact_change_notify(audit_entry_id=audit_entry_id)
