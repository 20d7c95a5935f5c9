"""The e-mails about a registration, each sent once (core.mailsend's claims): one template
set, `events/email/registration`, whose wording depends on `kind`.

Kinds and the state a registration must still be in for the e-mail to go (an e-mail queued
before a change that made it untrue is dropped):
confirm (pending), already (any live state), registered, awaiting, waitlisted, offered,
lapsed, declined, and the event-wide ones sent to many: reminder and changed (a place),
cancelled and postponed (any live state). Registered, already (with a place), changed and
cancelled carry the invitation (.ics); a reminder carries the personal links only."""

from email.mime.text import MIMEText
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from harbour.core.mailsend import action_mail_send, confirmation_url, mail_claimed

from . import calendars
from .links import accept_url, attend_url, withdraw_url
from .models import ACTIVE, EventStatus, Registration, RegistrationState
from .registrations import cancel_deadline, confirmation_token, places_left, waitlist_position
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


def _invitation(registration: Registration, url: str, sequence: int) -> MIMEText:
    event = registration.event
    ics = calendars.invitation(
        event,
        sequence=sequence,
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
    if registration is None:
        return False
    return _send(registration, kind, claim)


def _send(registration: Registration, kind: str, claim: str, sequence: int | None = None) -> bool:
    if registration.state not in NEEDS_STATE[kind]:
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
    # The invitation goes with a place, and again when the event changes; a reminder
    # carries the personal link only (the calendar has the entry already).
    if has_place and kind != "reminder":
        if sequence is None:
            sequence = event_sequence(event)
        attachments.append(_invitation(registration, context.get("attend_url", ""), sequence))
    return action_mail_send(
        registration.person,
        page=event,
        template="events/email/registration",
        context=context,
        claim=claim,
        attachments=attachments,
    )


# An event-wide e-mail to more registrants than this is sent by one task per batch of them,
# so that every task worker takes a share.
NOTICE_BATCH = 250


def event_notices_send(*, event_id: int, kind: str, key: str, first: int = 0, last: int = 0) -> int:
    """An event-wide e-mail (`kind` in EVENT_WIDE) to each registrant it concerns (those
    with ids first..last, or all), each claimed under (kind, key, registration), so a task
    run again, or queued twice, sends nobody a second one; answers how many went now. For
    all of a large event it queues one task per NOTICE_BATCH registrants instead."""
    from .models import EventPage
    from .tasks import send_event_notices

    event = EventPage.objects.filter(pk=event_id).first()
    if event is None or kind not in EVENT_WIDE:
        return 0
    if kind == "reminder" and not any(
        key == reminder_key(event, offset) for offset in _offsets(event)
    ):
        return 0  # the start (or the offsets) moved since it was queued: a stale reminder
    concerned = Registration.objects.filter(event=event, state__in=NEEDS_STATE[kind])
    if not first and not last:
        ids = list(concerned.order_by("pk").values_list("pk", flat=True))
        if len(ids) > NOTICE_BATCH:
            for start in range(0, len(ids), NOTICE_BATCH):
                batch = ids[start : start + NOTICE_BATCH]
                send_event_notices.enqueue(event_id, kind, key, batch[0], batch[-1])
            return 0
    else:
        concerned = concerned.filter(pk__gte=first, pk__lte=last)
    sequence = event_sequence(event)
    sent = 0
    for registration in concerned.select_related("person").order_by("pk").iterator(500):
        registration.event = event
        claim = f"event:{kind}:{event_id}:{key}:{registration.pk}"
        if mail_claimed(claim):
            continue  # sent already (a task run again): nothing to render
        if _send(registration, kind, claim, sequence):
            sent += 1
    return sent


def _offsets(event: Any) -> list[int]:
    from .models import reminder_offsets_parse

    try:
        return reminder_offsets_parse(event.reminders)
    except ValidationError:  # saved before the rule existed: no reminders
        return []
