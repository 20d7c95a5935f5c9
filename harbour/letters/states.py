"""How letters and their deliveries may change state: the tables, and the one function per
kind of row that makes a move.

A delivery moves by one conditional UPDATE (`WHERE state = <from>`): the check and the row
lock in one statement, so of two workers claiming the same delivery only one wins, and a
move the table does not allow is refused before any SQL runs."""

from typing import Any

from django.db.models import QuerySet

from .models import Delivery, DeliveryState, Letter, LetterState


class TransitionRefused(Exception):
    """A move the state table does not allow."""


LETTER_MOVES: dict[str, frozenset[str]] = {
    LetterState.PENDING: frozenset({LetterState.CONFIRMED}),
    LetterState.CONFIRMED: frozenset(),
}

DELIVERY_MOVES: dict[str, frozenset[str]] = {
    # Claimed for sending; held for tomorrow (the office's daily cap); or refused before
    # sending (an address no administrator approved).
    DeliveryState.QUEUED: frozenset(
        {DeliveryState.SENDING, DeliveryState.DEFERRED, DeliveryState.FAILED}
    ),
    DeliveryState.DEFERRED: frozenset({DeliveryState.QUEUED}),
    # Sent; back to the queue after a temporary failure; failed for good; or, found
    # `sending` after its worker died, marked sent without sending again.
    DeliveryState.SENDING: frozenset(
        {DeliveryState.SENT, DeliveryState.QUEUED, DeliveryState.FAILED}
    ),
    DeliveryState.SENT: frozenset(),
    DeliveryState.FAILED: frozenset(),
}


def _check(table: dict[str, frozenset[str]], kind: str, source: str, target: str) -> None:
    if target not in table.get(source, frozenset()):
        raise TransitionRefused(f"A {kind} cannot go from {source} to {target}.")


def letter_move(letter: Letter, target: str, **fields: Any) -> None:
    """Move a letter whose row the caller holds locked (select_for_update)."""
    _check(LETTER_MOVES, "letter", letter.state, target)
    letter.state = target
    for name, value in fields.items():
        setattr(letter, name, value)
    letter.save(update_fields=["state", *fields])


def delivery_move(deliveries: QuerySet[Delivery], source: str, target: str, **fields: Any) -> int:
    """Move the deliveries of `deliveries` that are in `source` to `target`, with `fields`,
    in one conditional UPDATE; returns how many moved (0: another worker moved them first)."""
    _check(DELIVERY_MOVES, "delivery", source, target)
    return deliveries.filter(state=source).update(state=target, **fields)
