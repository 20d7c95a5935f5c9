"""What an event's organisers do with its registrations, and who may: administrators, and
the organisers of a group that organises the event (coalition.organisers), nobody else.
Each change is audited."""

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from harbour.coalition.organisers import groups_managed_by
from harbour.core.audit import audit_record
from harbour.core.roles import ADMINISTRATORS

from .models import EventPage, Registration, RegistrationState, join_key_new
from .registrations import (
    RegistrationRefused,
    mail_queue,
    place_or_waitlist,
    registration_locked,
    registration_move,
)

S = RegistrationState


def _is_admin(user: Any) -> bool:
    return bool(user.is_superuser or user.groups.filter(name=ADMINISTRATORS).exists())


def events_managed_by(user: Any) -> QuerySet[EventPage]:
    """The events (original pages) whose registrations `user` may see and manage."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return EventPage.objects.none()
    events = EventPage.objects.filter(locale__language_code=settings.LANGUAGE_CODE)
    if not _is_admin(user):
        keys = groups_managed_by(user).values_list("translation_key", flat=True)
        events = events.filter(organising_groups__translation_key__in=list(keys)).distinct()
    return events.order_by("-starts_at")


def may_manage_event(user: Any, event: EventPage) -> bool:
    return events_managed_by(user).filter(pk=event.pk).exists()


def _check(user: Any, event: EventPage) -> None:
    if not may_manage_event(user, event):
        raise RegistrationRefused(_("Only this event's organisers may do that."))


def registration_decide(*, registration_id: int, approve: bool, actor: Any) -> Registration:
    """Approval mode: an organiser accepts a registrant (a place, or the wait-list when
    full) or declines them; the registrant is told by e-mail."""
    with transaction.atomic():
        found = registration_locked(registration_id)
        if found is None:
            raise RegistrationRefused(_("That registration no longer exists."))
        event, registration = found
        _check(actor, event)
        if registration.state != S.AWAITING:
            raise RegistrationRefused(_("This registration does not wait for a decision."))
        if approve:
            place_or_waitlist(event, registration, decided_by=actor)
        else:
            registration_move(registration, S.DECLINED, decided_by=actor, join_key=join_key_new())
            mail_queue(registration, "declined")
        audit_record(
            actor=actor,
            action=f"registration.{'approve' if approve else 'decline'}",
            target=registration,
        )
    return registration


def attendance_mark(*, registration_id: int, attended: bool | None, actor: Any) -> Registration:
    """Attended, no-show, or not known (None), for someone who had a place."""
    registration = Registration.objects.select_related("event").get(pk=registration_id)
    _check(actor, registration.event)
    if registration.state != S.CONFIRMED:
        raise RegistrationRefused(_("Only registrants with a place attend."))
    Registration.objects.filter(pk=registration.pk).update(attended=attended)
    registration.attended = attended
    return registration


def attend_link_revoke(*, registration_id: int, actor: Any) -> Registration:
    """Every personal link given to this registrant stops working (a new one goes out with
    their next e-mail)."""
    registration = Registration.objects.select_related("event").get(pk=registration_id)
    _check(actor, registration.event)
    Registration.objects.filter(pk=registration.pk).update(join_key=join_key_new())
    audit_record(actor=actor, action="registration.revoke_link", target=registration)
    registration.refresh_from_db()
    return registration


def registrations_exported(*, event: EventPage, actor: Any) -> QuerySet[Registration]:
    """The event's registrants for its organisers' CSV; the export is audited."""
    _check(actor, event)
    audit_record(actor=actor, action="registration.export", target=event)
    return Registration.objects.filter(event=event).select_related("person").order_by("created_at")
