"""The e-mails about a registration, each sent once (core.mailsend's claims): one template
set, `events/email/registration`, whose wording depends on `kind`.

Kinds and the state a registration must still be in for the e-mail to go (an e-mail queued
before a change that made it untrue is dropped):
confirm (pending), already (any live state), registered, awaiting, waitlisted, offered,
lapsed, declined, and the event-wide ones sent to many: reminder and changed (a place),
cancelled and postponed (any live state). Registered, already (with a place), reminder,
changed and cancelled carry the invitation (.ics)."""

from email.mime.text import MIMEText
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from harbour.core.mailsend import action_mail_send, confirmation_url

from . import calendars
from .models import ACTIVE, EventStatus, Registration, RegistrationState
from .registrations import (
    accept_url,
    attend_url,
    cancel_deadline,
    confirmation_token,
    places_left,
    waitlist_position,
    withdraw_url,
)
from .updates import event_sequence, reminder_key

S = RegistrationState
NEEDS_STATE: dict[str, tuple[str, ...]] = {
    "confirm": (S.PENDING,),
    "already": ACTIVE,
    "registered": (S.CONFIRMED,),
    "awaiting": (S.AWAITING,),
    "waitlisted": (S.WAITLISTED,),
    "offered": (S.OFFERED,),
    "lapsed": (S.LAPSED,),
    "declined": (S.DECLINED,),
    "reminder": (S.CONFIRMED,),
    "changed": (S.CONFIRMED,),
    "cancelled": ACTIVE,
    "postponed": ACTIVE,
}
EVENT_WIDE = ("reminder", "changed", "cancelled", "postponed")


def _invitation(registration: Registration, url: str) -> MIMEText:
    event = registration.event
    ics = calendars.invitation(
        event,
        sequence=event_sequence(event),
        attendee=(registration.person.email if registration.person else None) or "",
        name=registration.name,
        attend_url=url,
    )
    part = MIMEText(ics.decode(), "calendar", "utf-8")
    part.set_param("method", "CANCEL" if event.status == EventStatus.CANCELLED else "REQUEST")
    part.add_header("Content-Disposition", "attachment", filename="invitation.ics")
    return part


def registration_mail_send(*, registration_id: int, kind: str, claim: str) -> bool:
    """Send the e-mail `kind` about a registration, once per `claim`; False if it no longer
    applies (the registration moved on, or its address was erased)."""
    registration = (
        Registration.objects.select_related("event", "person").filter(pk=registration_id).first()
    )
    if registration is None or registration.state not in NEEDS_STATE[kind]:
        return False
    event = registration.event
    if kind == "reminder" and (event.status != EventStatus.SCHEDULED or event.is_past):
        return False
    live = registration.state in ACTIVE
    has_place = registration.state == S.CONFIRMED
    context: dict[str, Any] = {
        "kind": kind,
        "registration": registration,
        "event": event,
        "has_place": has_place,
        "cancellable": live and timezone.now() < cancel_deadline(event),
    }
    if kind == "confirm":
        context["url"] = confirmation_url(event, confirmation_token(registration))
    if live:
        context["withdraw_url"] = withdraw_url(registration)
    if has_place and event.is_online and event.status != EventStatus.CANCELLED:
        context["attend_url"] = attend_url(registration)
    if registration.state == S.WAITLISTED:
        context["position"] = waitlist_position(registration)
    if registration.state == S.OFFERED:
        context["accept_url"] = accept_url(registration)
    if kind == "confirm" and event.capacity is not None:
        context["places_left"] = places_left(event)
    attachments = []
    if has_place:
        attachments.append(_invitation(registration, context.get("attend_url", "")))
    return action_mail_send(
        registration.person,
        page=event,
        template="events/email/registration",
        context=context,
        claim=claim,
        attachments=attachments,
    )


def event_notices_send(*, event_id: int, kind: str, key: str) -> int:
    """An event-wide e-mail (`kind` in EVENT_WIDE) to each registrant it concerns, each
    claimed under (kind, key, registration), so a task run again, or queued twice, sends
    nobody a second one; answers how many went now."""
    from .models import EventPage

    event = EventPage.objects.filter(pk=event_id).first()
    if event is None or kind not in EVENT_WIDE:
        return 0
    if kind == "reminder" and not any(
        key == reminder_key(event, offset) for offset in _offsets(event)
    ):
        return 0  # the start (or the offsets) moved since it was queued: a stale reminder
    states = NEEDS_STATE[kind]
    sent = 0
    ids = Registration.objects.filter(event=event, state__in=states).values_list("pk", flat=True)
    for registration_id in ids.order_by("pk").iterator():
        claim = f"event:{kind}:{event_id}:{key}:{registration_id}"
        if registration_mail_send(registration_id=registration_id, kind=kind, claim=claim):
            sent += 1
    return sent


def _offsets(event: Any) -> list[int]:
    from .models import reminder_offsets_parse

    try:
        return reminder_offsets_parse(event.reminders)
    except ValidationError:  # saved before the rule existed: no reminders
        return []
