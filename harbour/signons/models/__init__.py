from .pages import PetitionPage, SignOnPage, StatementDemand, StatementPage
from .signatures import (
    COUNTED_STATES,
    Listing,
    Office,
    Signature,
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
    "SignatureCountShard",
    "SignatureState",
    "SignerKind",
    "StatementDemand",
    "StatementPage",
]
