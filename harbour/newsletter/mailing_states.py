"""How mailings and their recipients' rows may change state: the tables, and one function
per kind of row that makes a move, by one conditional UPDATE (`WHERE state = <from>`), so of
two workers (or an organiser's click and a worker) only one wins."""

from typing import Any

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
    # Claimed; or, their turn come, no longer subscribed or suppressed.
    RecipientState.QUEUED: frozenset({RecipientState.SENDING, RecipientState.SKIPPED}),
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
