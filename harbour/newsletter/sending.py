"""Sending a mailing in the task worker: the recipients' rows written when it starts, then
batches of them, each row claimed (committed) before its message leaves.

Exactly once per recipient, across killed workers: a row is claimed by one conditional
UPDATE that names the task run (`claimed_by`), in the same transaction that records the
previous message as sent, and only then does its message go (over plain SMTP, once the
server has accepted the address and waits for the lines: a worker killed before that leaves
an unfinished transaction the server drops, and the row still queued). A worker killed at any point
leaves at most one row claimed and not recorded; the same task run again (core.taskrecovery
gives a dead worker's task to another) finds it and marks it `uncertain`: the message may
have left, so it is never sent again. Every other row is either sent or still queued, and
the run goes on from there. A temporary failure (no connection, 4xx) puts the row back and
fails the task as temporary, so it is tried again after a back-off."""

import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from harbour.core.failures import TaskFailure, TemporaryTaskFailure
from harbour.core.mailconnection import connection_discard, worker_connection
from harbour.core.mailsend import (
    NOT_CLAIMED,
    PERMANENT,
    TEMPORARY,
    UNCERTAIN,
    mail_send,
    mail_send_bytes,
    raw_smtp,
)

from .audiences import audience, audience_subscriptions
from .mailing_states import mailing_move, recipient_claim, recipient_move
from .models import (
    Mailing,
    MailingRecipient,
    MailingState,
    RecipientState,
    SubscriptionState,
    Suppression,
)
from .registry import UnknownAudienceFilter
from .rendering import MailingRenderer
from .services import address_hash

WRITE_CHUNK = 2000
STATE_CHECK_EVERY = 50  # messages between two looks at whether the mailing was paused


def mailing_start(*, mailing_id: int) -> int:
    """Write the recipients of a mailing whose time has come and queue their batches, in
    one transaction with its move to `sending`; answers how many recipients. Run again (its
    worker was killed after it committed), it finds the rows written and does nothing."""
    with transaction.atomic():
        mailing = Mailing.objects.select_for_update().filter(pk=mailing_id).first()
        if mailing is None:
            return 0
        if mailing.state == MailingState.SCHEDULED:
            try:
                audience_subscriptions(mailing)
            except UnknownAudienceFilter:
                # Its narrowing went away while it waited: back to draft, where the admin
                # page says why, rather than to everyone on the list.
                mailing_move(mailing, MailingState.SCHEDULED, MailingState.DRAFT, scheduled_at=None)
                return 0
            mailing_move(mailing, MailingState.SCHEDULED, MailingState.SENDING)
        if mailing.state != MailingState.SENDING or mailing.recipients.exists():
            return 0
        Mailing.objects.filter(pk=mailing.pk).update(started_at=timezone.now())
        rows: list[MailingRecipient] = []
        written = 0
        for recipient in audience(mailing):
            rows.append(
                MailingRecipient(
                    mailing_id=mailing.pk,
                    person_id=recipient.person_id,
                    subscription_id=recipient.subscription_id,
                    language=recipient.language,
                )
            )
            if len(rows) >= WRITE_CHUNK:
                written += _write(rows)
        written += _write(rows)
        batches_queue(mailing)
        if not written:
            mailing_move(
                mailing, MailingState.SENDING, MailingState.SENT, finished_at=timezone.now()
            )
    return written


def _write(rows: list[MailingRecipient]) -> int:
    MailingRecipient.objects.bulk_create(rows, batch_size=WRITE_CHUNK)
    count = len(rows)
    rows.clear()
    return count


def batches_queue(mailing: Mailing) -> int:
    """Queue a task per HARBOUR_MAILING_BATCH queued recipients, spaced in time so that no
    more than HARBOUR_MAILING_RATE_PER_HOUR leave per hour (0: no limit); how many tasks."""
    from .tasks import send_mailing_batch

    size = settings.HARBOUR_MAILING_BATCH
    rate = settings.HARBOUR_MAILING_RATE_PER_HOUR
    ids = list(
        mailing.recipients.filter(state=RecipientState.QUEUED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    now = timezone.now()
    queued = 0
    for number, start in enumerate(range(0, len(ids), size)):
        batch = ids[start : start + size]
        task: Any = send_mailing_batch
        if rate:
            task = task.using(run_after=now + datetime.timedelta(hours=number * size / rate))
        task.enqueue(mailing.pk, batch[0], batch[-1])
        queued += 1
    return queued


def mailing_batch_send(*, mailing_id: int, first: int, last: int, claimed_by: str) -> int:
    """Send the mailing to its queued recipients with ids first..last; answers how many
    messages left now."""
    mailing = (
        Mailing.objects.select_related("mailing_list__group")
        .prefetch_related("versions")
        .filter(pk=mailing_id)
        .first()
    )
    rows = MailingRecipient.objects.filter(mailing_id=mailing_id, pk__gte=first, pk__lte=last)
    # A run of this same task was killed with these in its hands: they may have left. (Even
    # if the mailing was paused or cancelled since: no row may stay claimed for ever.)
    recipient_move(
        rows.filter(claimed_by=claimed_by),
        RecipientState.SENDING,
        RecipientState.UNCERTAIN,
        error="the worker stopped mid-message",
    )
    if mailing is None or mailing.state != MailingState.SENDING:
        return 0  # paused (resuming queues the rest again) or cancelled
    suppressed = set(Suppression.objects.values_list("address_hash", flat=True))
    renderer = MailingRenderer(mailing)
    pending = list(
        rows.filter(state=RecipientState.QUEUED)
        .select_related("person", "subscription")
        .order_by("pk")
    )
    sent = 0
    previous: MailingRecipient | None = None
    try:
        for number, row in enumerate(pending):
            if number and number % STATE_CHECK_EVERY == 0 and not _still_sending(mailing_id):
                break
            person, subscription = row.person, row.subscription
            if (
                person is None
                or not person.email
                or person.erased_at is not None
                or subscription is None
                or subscription.state != SubscriptionState.ACTIVE
                or address_hash(person.email) in suppressed
            ):
                recipient_move(_one(row), RecipientState.QUEUED, RecipientState.SKIPPED)
                continue
            personal = renderer.personal(row, subscription)
            _connect()  # before claiming: a server that is down leaves no claim behind
            session = raw_smtp()
            data = renderer.recipient_bytes(personal) if session is not None else None
            claim = _Claim(row, claimed_by, renderer.message_id(row.pk)[1:-1], previous)
            if session is not None and data is not None:
                # Over SMTP the row is claimed once the server waits for the lines.
                failure = mail_send_bytes(
                    session, renderer.brand.sender, personal.to, data, before_data=claim
                )
            else:
                failure = None if claim() else (NOT_CLAIMED, "")
                if failure is None:
                    message = renderer.recipient_message(personal)
                    failure = mail_send(message)
                    row.provider_message_id = _provider_id(message)
            if claim.ran:
                previous = None  # recorded as sent with this claim
            if not claim.won:
                if failure is None or failure[0] == NOT_CLAIMED:
                    continue  # another run of the batch (queued twice) has it
                kind, error = failure  # refused before anything was claimed
                if kind == PERMANENT:
                    recipient_move(
                        _one(row), RecipientState.QUEUED, RecipientState.FAILED, error=error
                    )
                    continue
                raise TemporaryTaskFailure(f"{kind}: {error}")
            if failure is None:
                previous = row
                sent += 1
                continue
            kind, error = failure
            if kind == TEMPORARY:
                recipient_move(
                    _one(row), RecipientState.SENDING, RecipientState.QUEUED, claimed_by=""
                )
                raise TemporaryTaskFailure(f"{kind}: {error}")
            target = RecipientState.UNCERTAIN if kind == UNCERTAIN else RecipientState.FAILED
            recipient_move(_one(row), RecipientState.SENDING, target, error=error[:120])
    finally:
        _sent(previous)
    mailing_finish_if_done(mailing)
    return sent


class _Claim:
    """Claiming one row (and recording the previous one as sent) when called; remembers
    whether it ran and whether the claim was won."""

    def __init__(
        self,
        row: MailingRecipient,
        claimed_by: str,
        message_id: str,
        previous: MailingRecipient | None,
    ) -> None:
        self.row, self.claimed_by, self.message_id = row, claimed_by, message_id
        self.previous = previous
        self.ran = self.won = False

    def __call__(self) -> bool:
        self.ran = True
        self.won = recipient_claim(
            row_id=self.row.pk,
            claimed_by=self.claimed_by,
            message_id=self.message_id,
            sent_id=self.previous.pk if self.previous else None,
            sent_at=timezone.now(),
            provider_message_id=self.previous.provider_message_id if self.previous else "",
        )
        return self.won


def _one(row: MailingRecipient) -> Any:
    return MailingRecipient.objects.filter(pk=row.pk)


def _sent(row: MailingRecipient | None) -> None:
    if row is not None:
        recipient_move(
            _one(row),
            RecipientState.SENDING,
            RecipientState.SENT,
            sent_at=timezone.now(),
            provider_message_id=row.provider_message_id,
        )


def _provider_id(message: Any) -> str:
    """The provider's id of a message sent through anymail ("" over plain SMTP)."""
    status = getattr(message, "anymail_status", None)
    return str(getattr(status, "message_id", None) or "")[:200]


def _connect() -> None:
    try:
        worker_connection()
    except (OSError, ValueError) as refused:
        connection_discard()
        raise TemporaryTaskFailure(f"{TEMPORARY}: {type(refused).__name__}") from None


def _still_sending(mailing_id: int) -> bool:
    return Mailing.objects.filter(pk=mailing_id, state=MailingState.SENDING).exists()


def mailing_finish_if_done(mailing: Mailing) -> bool:
    """`sent` once no recipient is queued or being sent."""
    busy = mailing.recipients.filter(
        state__in=[RecipientState.QUEUED, RecipientState.SENDING]
    ).exists()
    if busy:
        return False
    return mailing_move(
        mailing, MailingState.SENDING, MailingState.SENT, finished_at=timezone.now()
    )


def mailing_test_send(*, mailing_id: int, to: str, language: str) -> bool:
    """A test of one language version to a staff member's own address, marked as a test;
    its links lead nowhere personal."""
    mailing = Mailing.objects.select_related("mailing_list__group").filter(pk=mailing_id).first()
    if mailing is None or not mailing.versions.exists():
        return False
    renderer = MailingRenderer(mailing)
    placeholder = f"{settings.SITE_URL}/#test-message"
    message = renderer.message(
        to=to,
        language=language,
        unsubscribe_url=placeholder,
        preferences_url=placeholder,
        message_id=f"<harbour.m{mailing.pk}.test.{timezone.now().timestamp():.0f}@{renderer.domain}>",
        subject_prefix="[TEST] ",
    )
    failure = mail_send(message)
    if failure is not None:
        kind, error = failure
        raise (TemporaryTaskFailure if kind == TEMPORARY else TaskFailure)(f"{kind}: {error}")
    return True
