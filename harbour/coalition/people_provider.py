"""What the supporters app shows, exports and erases of a person's applications for a group
(as its contact)."""

from typing import Any

from harbour.people.models import Person
from harbour.people.registry import HistoryItem, PersonDataProvider

from .models import ApplicationState, ContactState, GroupApplication, GroupContact


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


def _contacts(person: Person) -> Any:
    return GroupContact.objects.filter(person=person).select_related("group")


def _contact_history(person: Person) -> list[HistoryItem]:
    return [
        HistoryItem(
            when=c.created_at,
            kind="message to a group",
            description=f"Wrote to “{c.group.title}”"
            + (" asking to be a member" if c.membership else ""),
            state=c.get_state_display(),
        )
        for c in _contacts(person)
    ]


def _contact_export(person: Person) -> list[dict[str, Any]]:
    return [
        {
            "group": c.group.title,
            "name": c.name,
            "message": c.message,
            "membership": c.membership,
            "state": c.state,
            "written": c.created_at.isoformat(),
        }
        for c in _contacts(person)
    ]


def _contact_erase(person: Person) -> None:
    """Unsent messages go; sent ones keep only that they were sent (the organisers have
    the e-mail)."""
    contacts = GroupContact.objects.filter(person=person)
    contacts.filter(state=ContactState.PENDING).delete()
    contacts.update(person=None, name="", message="", ip_hash="")


contacts_provider = PersonDataProvider(
    name="messages to groups",
    history=_contact_history,
    export=_contact_export,
    erase=_contact_erase,
    in_use=lambda person: GroupContact.objects.filter(person=person).exists(),
)
