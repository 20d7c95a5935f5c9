"""Sending letters: one delivery at a time at most once, digests, retries, held letters."""

import datetime
import smtplib
from email.utils import formataddr, make_msgid

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Delivery, DeliveryState, Letter, LetterCampaignPage
from .selectors import public_letter_count_forget
from .services import delivery_queue_or_defer, letter_render

MAX_ATTEMPTS = 5


def _is_permanent(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return getattr(error, "smtp_code", 0) >= 500


def deliveries_retry() -> int:
    """Queue again the deliveries a temporary failure put back (run every 15 minutes)."""
    from .tasks import send_delivery

    waiting = Delivery.objects.filter(state=DeliveryState.QUEUED, digest=False, attempts__gt=0)
    count = 0
    for delivery_id in waiting.values_list("pk", flat=True):
        send_delivery.enqueue(delivery_id)
        count += 1
    return count


def delivery_send(*, delivery_id: int) -> str:
    """Send one letter to one office, at most once.

    The message id is recorded (committed) before the SMTP call. A retry that finds a
    delivery already `sending` cannot know whether the message left before the worker
    died, so it does not send again: it marks the delivery sent-unconfirmed for review."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related(
                "letter",
                "letter__person",
                "letter__district",
                "representative",
                "representative__district",
            )
            .prefetch_related("representative__roles")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.state in (DeliveryState.SENT, DeliveryState.FAILED):
            return delivery.state if delivery else "missing"
        if delivery.state == DeliveryState.SENDING:
            delivery.state = DeliveryState.SENT
            delivery.error = "Worker stopped during sending; not sent again."
            delivery.sent_at = delivery.sent_at or timezone.now()
            delivery.save(update_fields=["state", "error", "sent_at"])
            return "reconciled"
        domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].rstrip(">") or "harbour.invalid"
        delivery.message_id = make_msgid(domain=domain)
        delivery.state = DeliveryState.SENDING
        delivery.attempts += 1
        delivery.save(update_fields=["message_id", "state", "attempts"])
    message = _letter_message(delivery)
    try:
        message.send()
    except (OSError, ValueError) as error:  # smtplib's errors are OSErrors
        # A permanent refusal (5xx) or too many attempts fails the delivery; anything else
        # puts it back in the queue for `letters_retry` (the message did not leave).
        failed = _is_permanent(error) or delivery.attempts >= MAX_ATTEMPTS
        Delivery.objects.filter(pk=delivery.pk).update(
            state=DeliveryState.FAILED if failed else DeliveryState.QUEUED,
            error=type(error).__name__,
        )
        return "failed" if failed else "retry"
    Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.SENT, sent_at=timezone.now())
    public_letter_count_forget(page_id=delivery.letter.campaign_id)
    return "sent"


def _from_header(name: str) -> str:
    address = settings.DEFAULT_FROM_EMAIL
    plain = address.rsplit("<", 1)[-1].rstrip(">").strip()
    return formataddr((f"{name} (via Harbour)", plain))


def _letter_message(delivery: Delivery) -> EmailMessage:
    letter = delivery.letter
    rep = delivery.representative
    person = letter.person
    body = letter_render(
        letter.body,
        rep=rep,
        district=letter.district,
        supporter_name=letter.supporter_name,
        supporter_city=letter.supporter_city,
    )
    own_mp = letter.district_id is not None and rep.district_id == letter.district_id
    footer = [f"{letter.supporter_name}", letter.supporter_city]
    if own_mp and person and person.postal_code:
        footer.append(person.postal_code)  # a constituent's address goes to their own MP only
    text = body.rstrip() + "\n\n--\n" + "\n".join(f for f in footer if f) + "\n"
    return EmailMessage(
        subject=letter_render(
            letter.subject,
            rep=rep,
            district=letter.district,
            supporter_name=letter.supporter_name,
            supporter_city=letter.supporter_city,
        ),
        body=text,
        from_email=_from_header(letter.supporter_name),
        to=[rep.email],
        reply_to=[person.email] if person and person.email else [],
        headers={"Message-ID": delivery.message_id},
    )


def supporter_copy_send(*, letter_id: int) -> bool:
    letter = Letter.objects.select_related("person").filter(pk=letter_id).first()
    if letter is None or not letter.person or not letter.person.email:
        return False
    recipients = [str(d.representative) for d in letter.deliveries.select_related("representative")]
    body = render_to_string("letters/email/copy.txt", {"letter": letter, "recipients": recipients})
    EmailMessage(subject=f"Copy: {letter.subject}", body=body, to=[letter.person.email]).send()
    return True


def deliveries_release_deferred(*, today: datetime.date | None = None) -> int:
    """Queue deferred deliveries whose day has come (run daily)."""
    today = today or timezone.localdate()
    released = 0
    for delivery in Delivery.objects.filter(
        state=DeliveryState.DEFERRED, not_before__lte=today
    ).select_related("letter"):
        delivery.state = DeliveryState.QUEUED
        delivery.save(update_fields=["state"])
        delivery_queue_or_defer(delivery, delivery.letter.campaign.specific)
        released += 1
    return released


def digests_send(*, now: datetime.datetime | None = None) -> int:
    """One message per office per campaign carrying every letter waiting for it."""
    waiting: QuerySet[Delivery] = Delivery.objects.filter(
        digest=True, state=DeliveryState.QUEUED
    ).select_related("letter", "representative", "letter__person", "letter__district")
    groups: dict[tuple[int, int], list[Delivery]] = {}
    for delivery in waiting:
        groups.setdefault((delivery.representative_id, delivery.letter.campaign_id), []).append(
            delivery
        )
    sent = 0
    for (_rep_id, campaign_id), deliveries in groups.items():
        rep = deliveries[0].representative
        campaign = LetterCampaignPage.objects.get(pk=campaign_id)
        parts = [str(_letter_message(d).body) for d in deliveries]
        with transaction.atomic():
            ids = [d.pk for d in deliveries]
            locked = Delivery.objects.select_for_update().filter(
                pk__in=ids, state=DeliveryState.QUEUED
            )
            if locked.count() != len(ids):
                continue
            locked.update(state=DeliveryState.SENDING, message_id=make_msgid())
        EmailMessage(
            subject=f"{len(deliveries)} letters from constituents and supporters: {campaign.title}",
            body=("\n\n" + "=" * 60 + "\n\n").join(parts),
            to=[rep.email],
        ).send()
        Delivery.objects.filter(pk__in=ids).update(
            state=DeliveryState.SENT, sent_at=now or timezone.now()
        )
        sent += 1
    return sent
