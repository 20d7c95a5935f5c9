"""Sending letters: one delivery at a time at most once, digests, held letters. A temporary
failure puts a delivery (or the supporter's copy) back and makes its task fail as temporary,
so that core.taskrecovery runs the task again with back-off: no retry loop of our own."""

import datetime
import logging
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, QuerySet, Value, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone

from harbour.core.branding import brand
from harbour.core.mailsend import PERMANENT, TEMPORARY, UNCERTAIN, mail_send
from harbour.representatives.services import letters_may_go_to

from .models import Delivery, DeliveryState, Letter, LetterCampaignPage
from .rendering import letter_text, needs_roles
from .selectors import public_letter_count_forget
from .services import delivery_queue_or_defer
from .states import delivery_move

MAX_ATTEMPTS = 5

logger = logging.getLogger(__name__)


def _message_id() -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].rstrip(">") or "harbour.invalid"
    return make_msgid(domain=domain)


def letter_send(*, letter_id: int) -> dict[str, int]:
    """Send a confirmed letter: each of its queued deliveries at most once, then the copy
    to the supporter, over the worker's SMTP connection. Deliveries held back (daily cap,
    digest) stay for `letters_daily`. Answers how many deliveries ended each way; "retry"
    (deliveries) and "copy_retry" say what a temporary failure put back for the next run."""
    letter, deliveries = _letter_with_deliveries(letter_id)
    outcomes: dict[str, int] = {}
    for delivery in deliveries:
        if delivery.digest or delivery.state not in (DeliveryState.QUEUED, DeliveryState.SENDING):
            continue
        outcome = _delivery_send(delivery)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    if letter is not None:
        copy = _supporter_copy_send(letter, deliveries)
        outcomes["copy"] = int(copy == "sent")
        if copy == "retry":
            outcomes["copy_retry"] = 1
        if outcomes.get("sent"):
            public_letter_count_forget(page_id=letter.campaign_id)
    return outcomes


def delivery_send(*, delivery_id: int) -> str:
    """Send one letter to one office, at most once (a retry, or a letter held back and
    released)."""
    found = _deliveries_for_sending(delivery_id=delivery_id)
    if not found:
        return "missing"
    outcome = _delivery_send(found[0])
    if outcome == "sent":
        public_letter_count_forget(page_id=found[0].letter.campaign_id)
    return outcome


def _deliveries_for_sending(
    *, letter_id: int | None = None, delivery_id: int | None = None
) -> list[Delivery]:
    queryset = Delivery.objects.all()
    if letter_id is not None:
        queryset = queryset.filter(letter_id=letter_id)
    if delivery_id is not None:
        queryset = queryset.filter(pk=delivery_id)
    return _with_message_data(queryset)


def _with_message_data(queryset: QuerySet[Delivery]) -> list[Delivery]:
    """Deliveries with everything their messages need in one query; the representatives'
    roles (one more) only if a letter names a title."""
    deliveries = list(
        queryset.select_related(
            "letter",
            "letter__person",
            "letter__district",
            "representative",
            "representative__district",
        ).order_by("pk")
    )
    if any(needs_roles(d.letter.subject + d.letter.body) for d in deliveries):
        prefetch_related_objects([d.representative for d in deliveries], "roles")
    return deliveries


def _letter_with_deliveries(letter_id: int) -> tuple[Letter | None, list[Delivery]]:
    """A letter (with its supporter) and its deliveries, ready for sending."""
    deliveries = _deliveries_for_sending(letter_id=letter_id)
    if deliveries:
        return deliveries[0].letter, deliveries
    return Letter.objects.select_related("person").filter(pk=letter_id).first(), []


def _delivery_send(delivery: Delivery) -> str:
    """The message id is recorded (committed) before the SMTP call, by one conditional
    UPDATE that only one worker can win. A delivery already `sending` may have left before
    a worker died: it is not sent again but marked sent-unconfirmed for review."""
    if delivery.state in (DeliveryState.SENT, DeliveryState.FAILED):
        return str(delivery.state)
    if delivery.state == DeliveryState.SENDING:
        delivery_move(
            Delivery.objects.filter(pk=delivery.pk),
            DeliveryState.SENDING,
            DeliveryState.SENT,
            error="Worker stopped during sending; not sent again.",
            sent_at=Coalesce("sent_at", Value(timezone.now())),
        )
        return "reconciled"
    if not letters_may_go_to(delivery.representative):
        delivery_move(
            Delivery.objects.filter(pk=delivery.pk),
            DeliveryState.QUEUED,
            DeliveryState.FAILED,
            error=UNAPPROVED_ADDRESS,
        )
        return "failed"
    message_id = _message_id()
    claimed = delivery_move(
        Delivery.objects.filter(pk=delivery.pk),
        DeliveryState.QUEUED,
        DeliveryState.SENDING,
        message_id=message_id,
        attempts=F("attempts") + 1,
    )
    if not claimed:  # another worker has it, or it is no longer queued
        return "skipped"
    delivery.message_id = message_id
    delivery.attempts += 1
    failure = mail_send(_letter_message(delivery))
    if failure is not None:
        kind, error = failure
        # A temporary failure puts it back in the queue for the task's retry, up to
        # MAX_ATTEMPTS; a permanent or uncertain one fails the delivery (an office never
        # gets a letter twice).
        failed = kind != TEMPORARY or delivery.attempts >= MAX_ATTEMPTS
        delivery_move(
            Delivery.objects.filter(pk=delivery.pk),
            DeliveryState.SENDING,
            DeliveryState.FAILED if failed else DeliveryState.QUEUED,
            error=error,
        )
        return "failed" if failed else "retry"
    sent = Delivery.objects.filter(pk=delivery.pk)
    if not delivery_move(sent, DeliveryState.SENDING, DeliveryState.SENT, sent_at=timezone.now()):
        # A duplicate task found it `sending` meanwhile and marked it sent with "worker
        # stopped": it did leave, so that note goes (no state changes).
        sent.filter(state=DeliveryState.SENT).update(sent_at=timezone.now(), error="")
    return "sent"


# A representative's address outside the legislature's domains that no administrator
# approved: an edited record must not redirect supporters' letters (issue 11).
UNAPPROVED_ADDRESS = (
    "Not sent: the representative's address is outside the legislature's domains and "
    "has not been approved by an administrator."
)


def _from_header(name: str) -> str:
    """`Supporter Name (via Coalition) <coalition's sender address>`."""
    return brand().via(name)


def _letter_message(delivery: Delivery) -> EmailMessage:
    letter = delivery.letter
    rep = delivery.representative
    person = letter.person
    subject, body = letter_text(letter, rep=rep)
    own_mp = letter.district_id is not None and rep.district_id == letter.district_id
    footer = [f"{letter.supporter_name}", letter.supporter_city]
    if own_mp and person and person.postal_code:
        footer.append(person.postal_code)  # a constituent's address goes to their own MP only
    text = body.rstrip() + "\n\n--\n" + "\n".join(f for f in footer if f) + "\n"
    return EmailMessage(
        subject=subject,
        body=text,
        from_email=_from_header(letter.supporter_name),
        to=[rep.email],
        reply_to=[person.email] if person and person.email else [],
        headers={"Message-ID": delivery.message_id},
    )


def _supporter_copy_send(letter: Letter, deliveries: list[Delivery]) -> str:
    """The supporter's copy, naming every recipient (held-back ones too), at most once:
    "sent"; "retry" when a temporary failure left it for the task's next run (up to
    MAX_ATTEMPTS attempts); "none" when it is already sent, given up, or refused for good.
    Failures are logged without the address."""
    person = letter.person
    if person is None or not person.email:  # erased: nobody to send it to, ever
        Letter.objects.filter(pk=letter.pk, copy_sent_at=None).update(copy_attempts=MAX_ATTEMPTS)
        return "none"
    claimed = Letter.objects.filter(
        pk=letter.pk, copy_sent_at=None, copy_attempts__lt=MAX_ATTEMPTS
    ).update(copy_sent_at=timezone.now(), copy_attempts=F("copy_attempts") + 1)
    if not claimed:  # already sent (this task is running again), or given up
        return "none"
    recipients = [str(d.representative) for d in deliveries]
    sender = brand()
    context = {"letter": letter, "recipients": recipients, "brand": sender}
    body = render_to_string("letters/email/copy.txt", context)
    failure = mail_send(
        EmailMessage(
            subject=f"Copy: {letter.subject}",
            body=body,
            from_email=sender.from_email,
            to=[person.email],
        )
    )
    if failure is not None:
        kind, error = failure
        logger.warning("Copy of letter %s not sent (%s): %s", letter.pk, kind, error)
        if kind == UNCERTAIN:  # it may have left: keep the claim, never send it again
            Letter.objects.filter(pk=letter.pk).update(copy_attempts=MAX_ATTEMPTS)
            return "none"
        # It did not leave: free the claim, and give up at once on a permanent refusal.
        update: dict[str, object] = {"copy_sent_at": None}
        if kind == PERMANENT:
            update["copy_attempts"] = MAX_ATTEMPTS
        Letter.objects.filter(pk=letter.pk).update(**update)
        given_up = kind == PERMANENT or letter.copy_attempts + 1 >= MAX_ATTEMPTS
        return "none" if given_up else "retry"
    return "sent"


def deliveries_release_deferred(*, today: datetime.date | None = None) -> int:
    """Queue deferred deliveries whose day has come (run daily)."""
    from .tasks import send_delivery

    today = today or timezone.localdate()
    released = 0
    for delivery in Delivery.objects.filter(
        state=DeliveryState.DEFERRED, not_before__lte=today
    ).select_related("letter"):
        if not delivery_move(
            Delivery.objects.filter(pk=delivery.pk), DeliveryState.DEFERRED, DeliveryState.QUEUED
        ):
            continue  # another run released it
        delivery.state = DeliveryState.QUEUED
        if delivery_queue_or_defer(delivery, delivery.letter.campaign.specific):
            send_delivery.enqueue(delivery.pk)
        released += 1
    return released


def digests_send(*, now: datetime.datetime | None = None) -> int:
    """One message per office per campaign carrying every letter waiting for it."""
    waiting = _with_message_data(Delivery.objects.filter(digest=True, state=DeliveryState.QUEUED))
    groups: dict[tuple[int, int], list[Delivery]] = {}
    for delivery in waiting:
        groups.setdefault((delivery.representative_id, delivery.letter.campaign_id), []).append(
            delivery
        )
    campaigns = LetterCampaignPage.objects.in_bulk({campaign for _rep, campaign in groups})
    sent = 0
    for (rep_id, campaign_id), deliveries in groups.items():
        rep = deliveries[0].representative
        campaign = campaigns[campaign_id]
        if not letters_may_go_to(rep):
            delivery_move(
                Delivery.objects.filter(pk__in=[d.pk for d in deliveries]),
                DeliveryState.QUEUED,
                DeliveryState.FAILED,
                error=UNAPPROVED_ADDRESS,
            )
            continue
        parts = [str(_letter_message(d).body) for d in deliveries]
        with transaction.atomic():
            ids = [d.pk for d in deliveries]
            locked = Delivery.objects.select_for_update().filter(
                pk__in=ids, state=DeliveryState.QUEUED
            )
            if locked.count() != len(ids):
                continue
            message_id = _message_id()
            delivery_move(
                locked,
                DeliveryState.QUEUED,
                DeliveryState.SENDING,
                message_id=message_id,
                attempts=F("attempts") + 1,
            )
        failure = mail_send(
            EmailMessage(
                subject=f"{len(deliveries)} letters from constituents and supporters: "
                f"{campaign.title}",
                body=("\n\n" + "=" * 60 + "\n\n").join(parts),
                from_email=brand().from_email,
                to=[rep.email],
                headers={"Message-ID": message_id},
            )
        )
        if failure is not None:
            # One office's failure leaves the others' digests to go. A temporary one keeps
            # its letters for the next digest, each letter up to MAX_ATTEMPTS digests; a
            # permanent or uncertain one fails them.
            kind, error = failure
            tried = Delivery.objects.filter(pk__in=ids)
            if kind == TEMPORARY:
                delivery_move(
                    tried.filter(attempts__lt=MAX_ATTEMPTS),
                    DeliveryState.SENDING,
                    DeliveryState.QUEUED,
                    error=error,
                )
            delivery_move(tried, DeliveryState.SENDING, DeliveryState.FAILED, error=error)
            logger.warning("Digest for representative %s not sent (%s): %s", rep_id, kind, error)
            continue
        delivery_move(
            Delivery.objects.filter(pk__in=ids),
            DeliveryState.SENDING,
            DeliveryState.SENT,
            sent_at=now or timezone.now(),
            error="",
        )
        sent += 1
    return sent
