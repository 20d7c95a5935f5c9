"""What the supporters app shows, exports and erases of a person's newsletter sign-ups and
subscriptions. Erasure leaves every list and suppresses the address, kept as a keyed hash
only, so a later import cannot subscribe it again.

The history also shows why mail may not reach the person (newsletter.bounces): their
address's suppression and its reason, the mailings that bounced, and the soft bounces
counted; staff answering "why do I no longer get the newsletter?" find it there."""

from typing import Any

from harbour.people.models import Person
from harbour.people.registry import HistoryItem, PersonDataProvider

from .models import (
    DeliveryProblem,
    MailingRecipient,
    RecipientState,
    SignupRequest,
    Subscription,
    Suppression,
    SuppressionReason,
)
from .services import address_hash, suppress


def _history(person: Person) -> list[HistoryItem]:
    items = [
        HistoryItem(
            when=s.subscribed_at,
            kind="newsletter",
            description=f"Subscribed to “{s.mailing_list.name}”",
            state=s.get_state_display(),
        )
        for s in Subscription.objects.filter(person=person).select_related("mailing_list")
    ]
    bounced = MailingRecipient.objects.filter(
        person=person, state=RecipientState.BOUNCED
    ).select_related("mailing")
    items.extend(
        HistoryItem(
            when=row.sent_at or row.mailing.started_at or row.mailing.created_at,
            kind="newsletter",
            description=f"Mailing “{row.mailing.title}” bounced",
            state=row.get_state_display(),
        )
        for row in bounced
    )
    if person.email:
        hashed = address_hash(person.email)
        suppression = Suppression.objects.filter(address_hash=hashed).first()
        if suppression is not None:
            items.append(
                HistoryItem(
                    when=suppression.created_at,
                    kind="newsletter",
                    description=f"No newsletter e-mail to this address: "
                    f"{suppression.get_reason_display()}",
                    state="suppressed",
                )
            )
        problem = DeliveryProblem.objects.filter(address_hash=hashed, soft_bounces__gt=0).first()
        if problem is not None:
            count = problem.soft_bounces
            items.append(
                HistoryItem(
                    when=problem.last_at,
                    kind="newsletter",
                    description=f"{count} soft bounce{'' if count == 1 else 's'} "
                    "(mailbox full, server busy), the last on this date",
                )
            )
    return items


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
        DeliveryProblem.objects.filter(address_hash=address_hash(person.email)).delete()
    # The mailings' results keep their counts, no longer tied to the person.
    MailingRecipient.objects.filter(person=person).update(person=None, subscription=None)
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
