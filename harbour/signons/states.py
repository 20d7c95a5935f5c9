"""How a signature's state may change: the table, and the one function that moves it.

pending ──e-mail confirmed──▶ confirmed (counted)
   └──────e-mail confirmed──▶ awaiting moderation ──approve──▶ confirmed
                                    ├──reject──▶ rejected ──spam──▶ spam
                                    └──spam────▶ spam
confirmed ──reject / spam──▶ rejected / spam (uncounted)

A signature still waiting for its e-mail confirmation is not moderated: it is purged if never
confirmed (services.signatures_purge_expired)."""

from typing import Any

from .counts import count_add
from .models import COUNTED_STATES, Signature, SignatureState

S = SignatureState
SIGNATURE_MOVES: dict[str, frozenset[str]] = {
    S.PENDING: frozenset({S.CONFIRMED, S.AWAITING_MODERATION}),
    S.AWAITING_MODERATION: frozenset({S.CONFIRMED, S.REJECTED, S.SPAM}),
    S.CONFIRMED: frozenset({S.REJECTED, S.SPAM}),
    S.REJECTED: frozenset({S.SPAM}),
    S.SPAM: frozenset(),
}


class TransitionRefused(Exception):
    """A move the table does not allow; the message says which, for a moderator."""


def signature_move(signature: Signature, target: str, **fields: Any) -> None:
    """Move a signature whose row the caller holds locked (select_for_update), with `fields`,
    and keep the page's counts exact (a move into or out of COUNTED_STATES adds ±1 to a count
    shard, and to its province's and district's, in the same transaction)."""
    if target not in SIGNATURE_MOVES[signature.state]:
        raise TransitionRefused(
            f"A signature that is “{S(signature.state).label}” cannot become “{S(target).label}”."
        )
    was_counted = signature.state in COUNTED_STATES
    signature.state = target
    for name, value in fields.items():
        setattr(signature, name, value)
    signature.save(update_fields=["state", *fields])
    now_counted = target in COUNTED_STATES
    if was_counted != now_counted:
        count_add(
            page_id=signature.page_id,
            delta=1 if now_counted else -1,
            province=signature.province,
            district_code=signature.district_code,
        )
