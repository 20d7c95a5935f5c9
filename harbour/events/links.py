"""A registrant's personal links, in every e-mail about their registration: to attend (the
online meeting's address, which no public page shows), to withdraw, to accept an offered
place. Each is signed and bound to the registration's `join_key`: a new key (a
cancellation, an organiser revoking it) revokes every link given before, so people without
an account join online by a link that is theirs alone."""

import datetime

from django.conf import settings
from django.utils import timezone

from harbour.core.confirmed_action import InvalidLink
from harbour.core.tokens import TokenExpired, TokenInvalid, content_digest, token_make, token_open

from .models import EventPage, Registration, RegistrationState

ATTEND_SALT = "harbour.events.attend"
WITHDRAW_SALT = "harbour.events.withdraw"
ACCEPT_SALT = "harbour.events.accept"
# A personal link works until the event is over; this only bounds a token's age.
PERSONAL_LINK_AGE = datetime.timedelta(days=400)


class InvalidRegistrationLink(InvalidLink):
    pass


def _personal_token(registration: Registration, salt: str) -> str:
    return token_make(registration.pk, salt=salt, digest=content_digest(registration.join_key))


def _url(event: EventPage, route: str, token: str) -> str:
    return f"{settings.SITE_URL}{event.url}{route}/{token}/"


def attend_url(registration: Registration) -> str:
    """The registrant's personal, signed and revocable link to the online meeting."""
    return _url(registration.event, "attend", _personal_token(registration, ATTEND_SALT))


def withdraw_url(registration: Registration) -> str:
    return _url(registration.event, "withdraw", _personal_token(registration, WITHDRAW_SALT))


def accept_url(registration: Registration) -> str:
    return _url(registration.event, "accept", _personal_token(registration, ACCEPT_SALT))


def personal_registration(token: str, salt: str) -> Registration:
    """The registration a personal link names, if the link is still its own."""
    try:
        registration_id, digest = token_open(token, salt=salt, max_age=PERSONAL_LINK_AGE)
    except TokenExpired as exc:
        raise InvalidRegistrationLink("expired") from exc
    except TokenInvalid as exc:
        raise InvalidRegistrationLink("invalid") from exc
    registration = Registration.objects.select_related("event").filter(pk=registration_id).first()
    if registration is None or content_digest(registration.join_key) != digest:
        raise InvalidRegistrationLink("invalid")
    return registration


def registration_for_link(*, token: str, link: str) -> Registration:
    """The registration behind a personal link ("attend", "withdraw", "accept"), changing
    nothing; InvalidRegistrationLink if the link is forged or revoked."""
    salt = {"attend": ATTEND_SALT, "withdraw": WITHDRAW_SALT, "accept": ACCEPT_SALT}[link]
    return personal_registration(token, salt)


def meeting_for(*, token: str) -> tuple[Registration, str]:
    """The registration and the meeting's address for a registrant's link to attend:
    refused once the registration is cancelled, the link revoked or the event over."""
    registration = personal_registration(token, ATTEND_SALT)
    event = registration.event
    if registration.state != RegistrationState.CONFIRMED:
        raise InvalidRegistrationLink("not registered")
    if event.status == "cancelled":
        raise InvalidRegistrationLink("cancelled")
    if not event.is_online or not event.meeting_url:
        raise InvalidRegistrationLink("in person")
    if timezone.now() > event.ends_at + datetime.timedelta(hours=2):
        raise InvalidRegistrationLink("over")
    return registration, event.meeting_url
