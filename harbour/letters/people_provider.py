"""A supporter's letters in their history, export and erasure."""

from typing import Any

from harbour.people.models import Person
from harbour.people.registry import HistoryItem, PersonDataProvider

from .models import Letter


def _history(person: Person) -> list[HistoryItem]:
    return [
        HistoryItem(
            when=letter.created_at,
            kind="letter",
            description=f"Wrote “{letter.subject}” ({letter.campaign.title})",
            state=letter.get_state_display(),
        )
        for letter in Letter.objects.filter(person=person).select_related("campaign")
    ]


def _export(person: Person) -> list[dict[str, Any]]:
    return [
        {
            "campaign": letter.campaign.title,
            "subject": letter.subject,
            "body": letter.body,
            "state": letter.state,
            "written": letter.created_at.isoformat(),
            "recipients": [str(d.representative) for d in letter.deliveries.all()],
        }
        for letter in Letter.objects.filter(person=person).select_related("campaign")
    ]


def _erase(person: Person) -> None:
    """Letters stay as counts: text and name wiped; unconfirmed ones deleted."""
    letters = Letter.objects.filter(person=person)
    letters.filter(state="pending").delete()
    letters.update(
        person=None, supporter_name="", supporter_city="", subject="", body="", ip_hash=""
    )


def _in_use(person: Person) -> bool:
    return Letter.objects.filter(person=person).exists()


provider = PersonDataProvider(
    name="letters", history=_history, export=_export, erase=_erase, in_use=_in_use
)
