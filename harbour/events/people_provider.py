"""What the supporters app shows, exports and erases of a person's event registrations."""

from typing import Any

from harbour.people.models import Person
from harbour.people.registry import HistoryItem, PersonDataProvider

from .models import Registration, RegistrationState
from .registrations import registrations_cancel_for_erasure


def _registrations(person: Person) -> Any:
    return Registration.objects.filter(person=person).select_related("event")


def _history(person: Person) -> list[HistoryItem]:
    return [
        HistoryItem(
            when=r.created_at,
            kind="event registration",
            description=f"Registered for “{r.event.title}”",
            state=r.get_state_display(),
        )
        for r in _registrations(person)
    ]


def _export(person: Person) -> list[dict[str, Any]]:
    return [
        {
            "event": r.event.title,
            "starts": r.event.starts_at.isoformat(),
            "name": r.name,
            "postal_code": r.postal_code,
            "accessibility_needs": r.accessibility,
            "state": r.state,
            "registered": r.created_at.isoformat(),
            "confirmed": r.confirmed_at.isoformat() if r.confirmed_at else None,
            "attended": r.attended,
        }
        for r in _registrations(person)
    ]


def _erase(person: Person) -> None:
    """A registration stays as an anonymous count (its state, attendance); an unconfirmed
    one is deleted; one for an event still ahead is cancelled, its place offered on."""
    registrations_cancel_for_erasure(person)
    registrations = Registration.objects.filter(person=person)
    registrations.filter(state=RegistrationState.PENDING).delete()
    registrations.update(person=None, name="", postal_code="", accessibility="", ip_hash="")


def _in_use(person: Person) -> bool:
    return Registration.objects.filter(person=person).exists()


provider = PersonDataProvider(
    name="event registrations", history=_history, export=_export, erase=_erase, in_use=_in_use
)
