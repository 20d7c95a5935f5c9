"""What the supporters app shows, exports and erases of a person's newsletter sign-ups and
subscriptions. Erasure leaves every list and suppresses the address, kept as a keyed hash
only, so a later import cannot subscribe it again."""

from typing import Any

from harbour.people.models import Person
from harbour.people.registry import HistoryItem, PersonDataProvider

from .models import SignupRequest, Subscription, SuppressionReason
from .services import suppress


def _history(person: Person) -> list[HistoryItem]:
    return [
        HistoryItem(
            when=s.subscribed_at,
            kind="newsletter",
            description=f"Subscribed to “{s.mailing_list.name}”",
            state=s.get_state_display(),
        )
        for s in Subscription.objects.filter(person=person).select_related("mailing_list")
    ]


def _export(person: Person) -> list[dict[str, Any]]:
    return [
        {
            "list": s.mailing_list.name,
            "state": s.state,
            "language": s.language,
            "subscribed": s.subscribed_at.isoformat(),
            "withdrawn": s.withdrawn_at.isoformat() if s.withdrawn_at else None,
        }
        for s in Subscription.objects.filter(person=person).select_related("mailing_list")
    ]


def _erase(person: Person) -> None:
    if person.email:
        suppress(person.email, SuppressionReason.ERASED)
    Subscription.objects.filter(person=person).delete()
    SignupRequest.objects.filter(person=person).delete()


def _in_use(person: Person) -> bool:
    return (
        Subscription.objects.filter(person=person).exists()
        or SignupRequest.objects.filter(person=person).exists()
    )


provider = PersonDataProvider(
    name="newsletter", history=_history, export=_export, erase=_erase, in_use=_in_use
)
