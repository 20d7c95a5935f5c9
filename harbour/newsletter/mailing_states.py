"""How mailings and their recipients' rows may change state: the tables, and one function
per kind of row that makes a move, by one conditional UPDATE (`WHERE state = <from>`), so of
two workers (or an organiser's click and a worker) only one wins."""

import datetime
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from .models import Mailing, MailingRecipient, MailingState, RecipientState


class TransitionRefused(Exception):
    """A move the state table does not allow."""


MAILING_MOVES: dict[str, frozenset[str]] = {
    MailingState.DRAFT: frozenset({MailingState.SCHEDULED, MailingState.SENDING}),
    # Scheduled: started at its time, or taken back (to draft) or cancelled before it.
    MailingState.SCHEDULED: frozenset(
        {MailingState.SENDING, MailingState.DRAFT, MailingState.CANCELLED}
    ),
    MailingState.SENDING: frozenset(
        {MailingState.PAUSED, MailingState.SENT, MailingState.CANCELLED}
    ),
    MailingState.PAUSED: frozenset({MailingState.SENDING, MailingState.CANCELLED}),
    MailingState.SENT: frozenset(),
    MailingState.CANCELLED: frozenset(),
}

RECIPIENT_MOVES: dict[str, frozenset[str]] = {
    # Claimed; or, their turn come, no longer subscribed or suppressed; or refused for good
    # by the server before its message could be claimed (a 5xx to the address).
    RecipientState.QUEUED: frozenset(
        {RecipientState.SENDING, RecipientState.SKIPPED, RecipientState.FAILED}
    ),
    # Sent; back to the queue (it did not leave: refused for now, no connection); failed
    # for good; or found claimed by a worker that was killed: it may have left.
    RecipientState.SENDING: frozenset(
        {
            RecipientState.SENT,
            RecipientState.QUEUED,
            RecipientState.FAILED,
            RecipientState.UNCERTAIN,
        }
    ),
    RecipientState.SENT: frozenset({RecipientState.BOUNCED}),
    RecipientState.FAILED: frozenset(),
    RecipientState.UNCERTAIN: frozenset({RecipientState.BOUNCED}),
    RecipientState.BOUNCED: frozenset(),
    RecipientState.SKIPPED: frozenset(),
}


def _check(table: dict[str, frozenset[str]], kind: str, source: str, target: str) -> None:
    if target not in table.get(source, frozenset()):
        raise TransitionRefused(f"A {kind} cannot go from {source} to {target}.")


def mailing_move(mailing: Mailing, source: str, target: str, **fields: Any) -> bool:
    """Move `mailing` from `source` to `target` (with `fields`) if it is still in `source`;
    False if something else moved it first. The instance is updated to match."""
    _check(MAILING_MOVES, "mailing", source, target)
    moved = Mailing.objects.filter(pk=mailing.pk, state=source).update(state=target, **fields)
    if moved:
        mailing.state = target
        for name, value in fields.items():
            setattr(mailing, name, value)
    return bool(moved)


def recipient_move(
    recipients: QuerySet[MailingRecipient], source: str, target: str, **fields: Any
) -> int:
    """Move the rows of `recipients` that are in `source` to `target`; how many moved."""
    _check(RECIPIENT_MOVES, "recipient", source, target)
    return recipients.filter(state=source).update(state=target, **fields)


def recipient_claim(
    *,
    row_id: int,
    claimed_by: str,
    message_id: str,
    sent_id: int | None = None,
    sent_at: datetime.datetime | None = None,
    provider_message_id: str = "",
) -> bool:
    """Claim row `row_id` (queued → sending, naming the task run and the message's id) and,
    in the same statement, record row `sent_id` as sent (sending → sent): one UPDATE, so one
    round trip and one commit per message, and never a moment when the previous message is
    recorded but the next not yet claimed. Whether the claim was won."""
    _check(RECIPIENT_MOVES, "recipient", RecipientState.QUEUED, RecipientState.SENDING)
    _check(RECIPIENT_MOVES, "recipient", RecipientState.SENDING, RecipientState.SENT)
    table = connection.ops.quote_name(MailingRecipient._meta.db_table)
    previous = sent_id if sent_id is not None else -1
    sql = (
        f"UPDATE {table} SET "  # noqa: S608 (the model's own table; values are parameters)
        "state = CASE WHEN id = %s THEN %s ELSE %s END, "
        "claimed_by = CASE WHEN id = %s THEN %s ELSE claimed_by END, "
        "message_id = CASE WHEN id = %s THEN %s ELSE message_id END, "
        "sent_at = CASE WHEN id = %s THEN %s ELSE sent_at END, "
        "provider_message_id = CASE WHEN id = %s THEN %s ELSE provider_message_id END "
        "WHERE (id = %s AND state = %s) OR (id = %s AND state = %s) "
        "RETURNING id"
    )
    params: list[Any] = [
        row_id, RecipientState.SENDING, RecipientState.SENT,
        row_id, claimed_by,
        row_id, message_id,
        previous, connection.ops.adapt_datetimefield_value(sent_at),
        previous, provider_message_id,
        row_id, RecipientState.QUEUED, previous, RecipientState.SENDING,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        moved = {found for (found,) in cursor.fetchall()}
    return row_id in moved
