from .pages import PetitionPage, SignOnPage, StatementDemand, StatementPage
from .signatures import (
    COUNTED_STATES,
    Listing,
    Office,
    Signature,
    SignatureAreaCount,
    SignatureCountShard,
    SignatureState,
    SignerKind,
)

__all__ = [
    "COUNTED_STATES",
    "Listing",
    "Office",
    "PetitionPage",
    "SignOnPage",
    "Signature",
    "SignatureAreaCount",
    "SignatureCountShard",
    "SignatureState",
    "SignerKind",
    "StatementDemand",
    "StatementPage",
]
