"""Registrations for an event: one more confirmed action (core.confirmed_action), with
places, a wait-list and offers.

- A registration is stored pending from the public form; the e-mailed link's button
  confirms it. Confirming takes a place if one is free and nobody waits for one, else
  joins the wait-list in order; in approval mode it waits for an organiser instead.
- Places are counted under a lock on the event's row (`event_locked`), so two people
  confirming at once for the last place cannot both take it. A place is held by a
  confirmed registration or by an offer waiting for its answer.
- A cancellation (or more places, or an offer not taken in time) offers each free place to
  the next on the wait-list (`places_offer`), who holds it `offer_hold_hours`.
- Every registrant has personal links, signed and bound to the registration: to attend
  (the online meeting's address, never on a public page), to withdraw, to accept an offer.
  A new `join_key` revokes every earlier link to attend.

Every state change goes through `registration_move` and its table."""

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from harbour.core.pagecache import clear_page
from harbour.core.tokens import (
    confirmation_token_read,
    content_digest,
    token_make,
)
from harbour.core.validation import Checks
from harbour.people.services import person_get_or_create

from .links import ACCEPT_SALT, WITHDRAW_SALT, InvalidRegistrationLink, personal_registration
from .models import (
    ACTIVE,
    HOLDS_PLACE,
    EventPage,
    Registration,
    RegistrationState,
    join_key_new,
)

S = RegistrationState
CONFIRM_SALT = "harbour.events.register"

MOVES: dict[str, frozenset[str]] = {
    S.PENDING: frozenset({S.AWAITING, S.CONFIRMED, S.WAITLISTED, S.CANCELLED}),
    S.AWAITING: frozenset({S.CONFIRMED, S.WAITLISTED, S.DECLINED, S.CANCELLED}),
    S.WAITLISTED: frozenset({S.OFFERED, S.CANCELLED}),
    S.OFFERED: frozenset({S.CONFIRMED, S.LAPSED, S.CANCELLED}),
    S.CONFIRMED: frozenset({S.CANCELLED}),
    S.CANCELLED: frozenset(),
    S.DECLINED: frozenset(),
    S.LAPSED: frozenset(),
}


class RegistrationRefused(Exception):
    """Registering (or the organiser's change) is not possible; the message says why."""


def registration_move(registration: Registration, target: str, **fields: Any) -> None:
    """The one way a registration changes state (the table above)."""
    if target not in MOVES[registration.state]:
        raise RegistrationRefused(
            _("This registration is %(state)s already.")
            % {"state": registration.get_state_display()}
        )
    registration.state = target
    for name, value in fields.items():
        setattr(registration, name, value)
    registration.save(update_fields=["state", *fields])
    # The event's page shows the places left: its cached copy goes once this commits (not
    # while the event's row is locked).
    event_id = registration.event_id
    transaction.on_commit(lambda: clear_page(event_id))


def mail_queue(registration: Registration, kind: str) -> None:
    """Queue an e-mail about `registration`, sent once the transaction commits."""
    from .tasks import send_registration_mail

    send_registration_mail.enqueue(registration.pk, kind)


def event_locked(event_id: int) -> EventPage:
    """The event, its row locked until the transaction ends: whoever counts places holds
    this lock (a no-op on SQLite, whose writers take turns anyway)."""
    return EventPage.objects.select_for_update(of=("self",)).get(pk=event_id)


def registration_locked(registration_id: int) -> tuple[EventPage, Registration] | None:
    """The registration and its event, both locked, the event first (as every service
    here locks them: never a registration and then its event, which could deadlock)."""
    event_id = (
        Registration.objects.filter(pk=registration_id).values_list("event_id", flat=True).first()
    )
    if event_id is None:
        return None
    event = event_locked(event_id)
    registration = Registration.objects.select_for_update().filter(pk=registration_id).first()
    return None if registration is None else (event, registration)


def places_taken(event: EventPage) -> int:
    return Registration.objects.filter(event=event, state__in=HOLDS_PLACE).count()


def places_left(event: EventPage) -> int | None:
    """Free places (None: no limit)."""
    if event.capacity is None:
        return None
    return max(0, event.capacity - places_taken(event))


def waitlist(event: EventPage) -> QuerySet[Registration]:
    return Registration.objects.filter(event=event, state=S.WAITLISTED).order_by(
        "waitlisted_at", "pk"
    )


def waitlist_position(registration: Registration) -> int:
    return (
        waitlist(registration.event)
        .filter(waitlisted_at__lte=registration.waitlisted_at)
        .exclude(waitlisted_at=registration.waitlisted_at, pk__gt=registration.pk)
        .count()
    )


def has_room(event: EventPage) -> bool:
    """A place is free for someone who is not waiting: nobody waits, and one is left."""
    left = places_left(event)
    return left is None or (left > 0 and not waitlist(event).exists())


def registration_create(
    *,
    event: EventPage,
    email: str,
    name: str,
    postal_code: str = "",
    accessibility: str = "",
    newsletter: bool = False,
    group_contact: bool = False,
    member: bool = False,
    ip_hash: str = "",
    language: str = "",
) -> Registration:
    """Store a pending registration and queue its confirmation e-mail. An address with a
    registration for this event already is e-mailed about it instead, and nothing new is
    stored (the page answers the same). InvalidInput names every wrong field;
    RegistrationRefused says why registering is not possible now."""
    event = event.action_page()  # type: ignore[assignment]
    check = Checks(
        {
            "email": email,
            "name": name,
            "postal_code": postal_code,
            "accessibility": accessibility,
        }
    )
    email = check.email()
    name = check.text("name", max_length=200)
    postal_code = check.postal_code(required=False)
    accessibility = check.text("accessibility", max_length=1000, required=False, multiline=True)
    check.done()
    refusal = registration_refusal(event, member=member)
    if refusal:
        raise RegistrationRefused(refusal)
    with transaction.atomic():
        person, _created = person_get_or_create(
            email=email, postal_code=postal_code, language=language
        )
        existing = Registration.objects.filter(event=event, person=person, state__in=ACTIVE)
        found = existing.first()
        if found is None:
            try:
                with transaction.atomic():
                    found = Registration.objects.create(
                        event=event,
                        person=person,
                        name=name,
                        postal_code=postal_code,
                        accessibility=accessibility,
                        newsletter=newsletter,
                        group_contact=group_contact,
                        language=language,
                        ip_hash=ip_hash,
                    )
            except IntegrityError:  # the same address, a moment ago
                found = existing.get()
            else:
                mail_queue(found, "confirm")
                return found
        mail_queue(found, "confirm" if found.state == S.PENDING else "already")
    return found


def registration_refusal(event: EventPage, *, member: bool) -> str:
    """Why registering for `event` is not possible now ("" when it is), as the page says."""
    state = event.registration_state()
    if state != "open":
        return {
            "cancelled": _("This event is cancelled."),
            "postponed": _("This event is postponed: registration will open again."),
            "not_yet": _("Registration has not opened yet."),
        }.get(state, _("Registration for this event is closed."))
    if event.members_only and not member:
        return _("This event is for members of the alliance's groups: log in to register.")
    return ""


def _digest(registration: Registration) -> bytes:
    return content_digest(
        registration.event_id,
        registration.person_id,
        registration.name,
        registration.postal_code,
        registration.accessibility,
    )


def confirmation_token(registration: Registration) -> str:
    return token_make(registration.pk, salt=CONFIRM_SALT, digest=_digest(registration))


def registration_for_confirmation(*, token: str) -> Registration:
    registration_id, digest = confirmation_token_read(
        token, salt=CONFIRM_SALT, error=InvalidRegistrationLink
    )
    registration = Registration.objects.filter(pk=registration_id).first()
    if registration is None or _digest(registration) != digest:
        raise InvalidRegistrationLink("invalid")
    return registration


def registration_confirm(*, token: str) -> Registration:
    """The button of the confirmation e-mail's page: a place, the wait-list, or (approval
    mode) the organisers' decision. Idempotent."""
    registration_id, digest = confirmation_token_read(
        token, salt=CONFIRM_SALT, error=InvalidRegistrationLink
    )
    with transaction.atomic():
        found = registration_locked(registration_id)
        if found is None or _digest(found[1]) != digest:
            raise InvalidRegistrationLink("invalid")
        event, registration = found
        if registration.state != S.PENDING:
            return registration
        if event.status == "cancelled":
            raise InvalidRegistrationLink("cancelled")
        now = timezone.now()
        if event.approval_required:
            registration_move(registration, S.AWAITING, confirmed_at=now)
            mail_queue(registration, "awaiting")
        else:
            place_or_waitlist(event, registration, confirmed_at=now)
        _consents_record(registration, event)
    return registration


def place_or_waitlist(event: EventPage, registration: Registration, **fields: Any) -> None:
    now = timezone.now()
    if has_room(event):
        registration_move(registration, S.CONFIRMED, **fields)
        mail_queue(registration, "registered")
    else:
        registration_move(registration, S.WAITLISTED, waitlisted_at=now, **fields)
        mail_queue(registration, "waitlisted")


def _consents_record(registration: Registration, event: EventPage) -> None:
    from .consents import registration_consents_record

    registration_consents_record(registration, event)


def cancel_deadline(event: EventPage) -> datetime.datetime:
    return event.starts_at - datetime.timedelta(hours=event.cancel_cutoff_hours)


def registration_withdraw(*, token: str) -> Registration:
    """The registrant cancels (the button behind the link in every e-mail): a place it
    held goes to the wait-list. Idempotent; refused after the event's cut-off."""
    registration = personal_registration(token, WITHDRAW_SALT)
    with transaction.atomic():
        event, registration = registration_locked(registration.pk) or (None, registration)
        if event is None or registration.state not in ACTIVE:
            return registration
        if timezone.now() >= cancel_deadline(event):
            raise InvalidRegistrationLink("too late")
        held = registration.state in HOLDS_PLACE
        registration_move(
            registration, S.CANCELLED, cancelled_at=timezone.now(), join_key=join_key_new()
        )
        if held:
            places_offer(event)
    return registration


def registrations_cancel_for_erasure(person: Any) -> None:
    """A supporter erased: their live registrations for events still ahead are cancelled
    (no e-mail can reach them any more), and the places they held go to the wait-list."""
    live = Registration.objects.filter(
        person=person, state__in=ACTIVE, event__starts_at__gt=timezone.now()
    )
    for registration_id in live.values_list("pk", flat=True):
        with transaction.atomic():
            found = registration_locked(registration_id)
            if found is None or found[1].state not in ACTIVE:
                continue
            event, registration = found
            held = registration.state in HOLDS_PLACE
            registration_move(
                registration, S.CANCELLED, cancelled_at=timezone.now(), join_key=join_key_new()
            )
            if held:
                places_offer(event)


def places_offer(event: EventPage) -> list[Registration]:
    """Offer each free place to the next on the wait-list, in order (the caller holds the
    event's lock). Each offer is e-mailed and lapses after the event's hold time."""
    from .tasks import offer_expire

    now = timezone.now()
    if event.starts_at <= now or event.status != "scheduled":
        return []
    left = places_left(event)
    waiting = waitlist(event).select_for_update()
    offered = list(waiting if left is None else waiting[:left])
    expires = min(now + datetime.timedelta(hours=event.offer_hold_hours), event.starts_at)
    for registration in offered:
        registration_move(registration, S.OFFERED, offer_expires_at=expires)
        mail_queue(registration, "offered")
        later(offer_expire, expires, registration.pk)
    return offered


def offer_accept(*, token: str) -> Registration:
    """The button behind an offer's link: the place is the registrant's, if the offer has
    not lapsed."""
    registration = personal_registration(token, ACCEPT_SALT)
    with transaction.atomic():
        event, registration = registration_locked(registration.pk) or (None, registration)
        if registration.state == S.CONFIRMED:
            return registration
        if event is None or registration.state != S.OFFERED:
            raise InvalidRegistrationLink("lapsed")
        if timezone.now() >= (registration.offer_expires_at or event.starts_at):
            _lapse(registration, event)
            raise InvalidRegistrationLink("lapsed")
        registration_move(registration, S.CONFIRMED, offer_expires_at=None)
        mail_queue(registration, "registered")
    return registration


def _lapse(registration: Registration, event: EventPage) -> None:
    registration_move(registration, S.LAPSED)
    mail_queue(registration, "lapsed")
    places_offer(event)


def offer_lapse(*, registration_id: int) -> bool:
    """An offer not taken in time lapses and the place moves on (run by a task at the
    offer's expiry); True if it lapsed now."""
    with transaction.atomic():
        found = registration_locked(registration_id)
        if found is None or found[1].state != S.OFFERED:
            return False
        event, registration = found
        if timezone.now() < (registration.offer_expires_at or timezone.now()):
            return False
        _lapse(registration, event)
    return True


def later(task: Any, when: datetime.datetime, *args: Any) -> None:
    """Enqueue `task` to run at `when` on a backend that can wait (the database's); the
    immediate backend of the tests cannot, and the tests run such tasks themselves."""
    if task.get_backend().supports_defer:
        task.using(run_after=when).enqueue(*args)
