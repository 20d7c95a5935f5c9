"""Bounces and complaints: the addresses mail cannot reach, or whose owners called it spam,
are suppressed, so that mailings stop going where they are not wanted or cannot arrive
(a sender that keeps writing to dead or complaining addresses loses its reputation, and
then every supporter's mail goes to spam).

One service, `bounce_record`, applies the same rules whatever told us: a provider's webhook
through anymail (`tracking_receive`, connected in apps.py) or, for plain SMTP deployments,
the delivery status notifications read by `manage.py newsletter_bounces`.

- A hard bounce (the address does not exist, the server refuses it for good) or a spam
  complaint suppresses the address at once; a hard bounce also marks the mailing's
  recipient row bounced when the message is known by its Message-ID.
- A soft bounce (mailbox full, server busy) is counted (DeliveryProblem); the address is
  suppressed when the count reaches HARBOUR_NEWSLETTER_SOFT_BOUNCE_LIMIT. A provider
  retrying one message reports it delayed again and again, and a greylisting server delays
  every first attempt, so at most one soft bounce is counted per address in
  `SOFT_BOUNCE_SPACING` (as Mailman counts at most one bounce a day).
- A provider's own unsubscribe leaves every list, as "stop all e-mail" does.

An existing suppression keeps its reason. Addresses are stored and logged only as the keyed
hash suppression uses (services.address_hash): supporters can be targets of repression."""

import datetime
import logging
import re
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from harbour.people.models import Person
from harbour.people.services import normalise_email

from .models import (
    DeliveryProblem,
    MailingRecipient,
    RecipientState,
    SuppressionReason,
)
from .services import address_hash, suppress, unsubscribe_all

logger = logging.getLogger(__name__)

HARD = "hard"
SOFT = "soft"
COMPLAINT = "complaint"
UNSUBSCRIBED = "unsubscribed"
KINDS = frozenset({HARD, SOFT, COMPLAINT, UNSUBSCRIBED})

# One message retried all day counts once; mailings on successive days count each.
SOFT_BOUNCE_SPACING = datetime.timedelta(hours=20)


def bounce_record(*, email: str, kind: str, message_id: str = "") -> None:
    """Apply what a provider or a bounce message said of `email`: a "hard" bounce, a
    "soft" one, a spam "complaint", or "unsubscribed" at the provider. `message_id`, when
    known, is the Message-ID (or the provider's id) of the message that bounced."""
    if kind not in KINDS:
        raise ValueError(f"Unknown kind of bounce: {kind!r}")
    email = normalise_email(email or "")
    if "@" not in email:
        raise ValueError("A bounce needs the recipient's address.")
    hashed = address_hash(email)
    logger.info("Newsletter: %s for address %s", kind, hashed[:12])
    with transaction.atomic():
        if kind == HARD:
            suppress(email, SuppressionReason.HARD_BOUNCE)
            _recipients_bounced(email, message_id)
        elif kind == COMPLAINT:
            suppress(email, SuppressionReason.COMPLAINT)
        elif kind == SOFT:
            if _soft_bounce_count(hashed) >= settings.HARBOUR_NEWSLETTER_SOFT_BOUNCE_LIMIT:
                suppress(email, SuppressionReason.SOFT_BOUNCES)
        else:
            person = Person.objects.filter(email=email, erased_at__isnull=True).first()
            if person is not None:
                unsubscribe_all(person)
            else:
                suppress(email, SuppressionReason.UNSUBSCRIBED)


def _soft_bounce_count(hashed: str) -> int:
    """Count one soft bounce (unless one was counted less than SOFT_BOUNCE_SPACING ago) by
    one conditional UPDATE, so two workers never lose an increment; answers the count."""
    problem, created = DeliveryProblem.objects.get_or_create(
        address_hash=hashed, defaults={"soft_bounces": 1}
    )
    if not created:
        now = timezone.now()
        DeliveryProblem.objects.filter(
            pk=problem.pk, last_at__lte=now - SOFT_BOUNCE_SPACING
        ).update(soft_bounces=F("soft_bounces") + 1, last_at=now)
        problem.refresh_from_db(fields=["soft_bounces"])
    return problem.soft_bounces


def _message_id_forms(message_id: str) -> set[str]:
    """A Message-ID with and without its angle brackets: newsletter.sending stores it
    without, a returned message's header has them, providers give either."""
    bare = message_id.strip().strip("<>").strip()
    return {bare, f"<{bare}>"} if bare else set()


def _recipients_bounced(email: str, message_id: str) -> None:
    """Mark bounced the mailing recipient row of the message that bounced. A provider's
    batch send may give one id to many messages: then only the row of this address."""
    from .mailing_states import recipient_move

    forms = _message_id_forms(message_id)
    if not forms:
        return
    rows = MailingRecipient.objects.filter(
        Q(message_id__in=forms) | Q(provider_message_id__in=forms)
    )
    if rows.count() > 1:
        rows = rows.filter(person__email=email)
    for source in (RecipientState.SENT, RecipientState.UNCERTAIN):
        recipient_move(rows, source, RecipientState.BOUNCED)


# Anymail's normalised tracking events (anymail.signals.EventType, documented in anymail's
# "Tracking sent mail status"): what each means here.

# "rejected" is the provider refusing to send at all, often for its own policy; only these
# reasons say the recipient itself can never be reached (a previous bounce, an invalid
# address) or complained before.
_REJECTED_KINDS = {"bounced": HARD, "invalid": HARD, "spam": COMPLAINT}
# An SMTP reply or enhanced status at the start of the receiving server's answer, after an
# optional "smtp;" (RFC 5321 4.2.1, RFC 3463): its first digit 4 means a transient failure.
_SMTP_STATUS = re.compile(
    r"^\s*(?:smtp\s*;\s*)?([245])(?:\d\d(?:[\s-]|$)|\.\d{1,3}\.\d{1,3})", re.IGNORECASE
)


def _transient(mta_response: str | None) -> bool:
    match = _SMTP_STATUS.match(mta_response or "")
    return bool(match and match.group(1) == "4")


def event_kind(event: Any) -> str | None:
    """The kind of bounce an AnymailTrackingEvent is, or None for events that change
    nothing here (sent, delivered, opened, clicked, ...).

    "bounced" is a hard bounce, unless the receiving server's answer is a transient (4xx)
    one: several providers (Postmark, Brevo, Mandrill, SparkPost) report soft bounces as
    "bounced". "deferred" is documented as a delay the provider will retry: a soft bounce."""
    event_type = getattr(event, "event_type", None)
    if event_type == "bounced":
        return SOFT if _transient(getattr(event, "mta_response", None)) else HARD
    if event_type == "complained":
        return COMPLAINT
    if event_type == "deferred":
        return SOFT
    if event_type == "unsubscribed":
        return UNSUBSCRIBED
    if event_type == "rejected":
        return _REJECTED_KINDS.get(getattr(event, "reject_reason", None) or "")
    return None


def tracking_receive(sender: Any, event: Any, esp_name: str = "", **kwargs: Any) -> None:
    """anymail.signals.tracking's receiver. An error propagates: anymail answers the
    provider with an error, and the provider sends the event again later."""
    kind = event_kind(event)
    recipient = getattr(event, "recipient", None) or ""
    if kind is None:
        return
    if "@" not in recipient:
        logger.warning("Newsletter: a %s event from %s without a recipient", kind, esp_name)
        return
    bounce_record(email=recipient, kind=kind, message_id=getattr(event, "message_id", "") or "")
