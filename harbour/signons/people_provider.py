"""What the supporters app shows, exports and erases of a person's signatures."""

from typing import Any

from harbour.core.pagecache import clear_page
from harbour.people.models import Person
from harbour.people.registry import HistoryItem, PersonDataProvider

from .models import Signature, SignatureState
from .models.signatures import ANONYMOUS


def _history(person: Person) -> list[HistoryItem]:
    return [
        HistoryItem(
            when=s.created_at,
            kind="signature",
            description=f"Signed “{s.page.title}” as {s.get_kind_display().lower()}",
            state=s.get_state_display(),
        )
        for s in Signature.objects.filter(person=person).select_related("page")
    ]


def _export(person: Person) -> list[dict[str, Any]]:
    return [
        {
            "page": s.page.title,
            "signed_as": s.kind,
            "name": s.name,
            "honorific": s.honorific,
            "office": s.office,
            "city": s.city,
            "region": s.region,
            "website": s.website,
            "contact_name": s.contact_name,
            "listed_as": s.listing,
            "state": s.state,
            "signed": s.created_at.isoformat(),
            "confirmed": s.confirmed_at.isoformat() if s.confirmed_at else None,
        }
        for s in Signature.objects.filter(person=person).select_related("page")
    ]


def _erase(person: Person) -> None:
    """Counted signatures stay as anonymous counts: no name, no contact, not listed, no link
    back. Unconfirmed ones were never counted and are deleted (a late click on the old link
    must not bring them back)."""
    signatures = Signature.objects.filter(person=person)
    page_ids = set(signatures.values_list("page_id", flat=True))
    signatures.filter(state=SignatureState.PENDING).delete()
    signatures.update(**ANONYMOUS)
    for page_id in page_ids:
        clear_page(page_id)


def _in_use(person: Person) -> bool:
    return Signature.objects.filter(person=person).exists()


provider = PersonDataProvider(
    name="signatures", history=_history, export=_export, erase=_erase, in_use=_in_use
)
