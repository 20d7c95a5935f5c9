"""What the supporters app shows, exports and erases of a person's applications for a group
(as its contact)."""

from typing import Any

from harbour.people.models import Person
from harbour.people.registry import HistoryItem, PersonDataProvider

from .models import ApplicationState, GroupApplication


def _history(person: Person) -> list[HistoryItem]:
    return [
        HistoryItem(
            when=a.created_at,
            kind="group application",
            description=f"Applied for “{a.group_name}” to join the alliance, as its contact",
            state=a.get_state_display(),
        )
        for a in GroupApplication.objects.filter(person=person)
    ]


def _export(person: Person) -> list[dict[str, Any]]:
    return [
        {
            "group_name": a.group_name,
            "city": a.city,
            "province": a.province,
            "website": a.website,
            "contact_name": a.contact_name,
            "what_the_group_does": a.activities,
            "state": a.state,
            "applied": a.created_at.isoformat(),
            "confirmed": a.confirmed_at.isoformat() if a.confirmed_at else None,
        }
        for a in GroupApplication.objects.filter(person=person)
    ]


def _erase(person: Person) -> None:
    """The group's application stays (it is the group's), without its contact; an
    unconfirmed one is deleted."""
    applications = GroupApplication.objects.filter(person=person)
    applications.filter(state=ApplicationState.PENDING).delete()
    applications.update(person=None, contact_name="")


def _in_use(person: Person) -> bool:
    return GroupApplication.objects.filter(person=person).exists()


provider = PersonDataProvider(
    name="group applications", history=_history, export=_export, erase=_erase, in_use=_in_use
)
