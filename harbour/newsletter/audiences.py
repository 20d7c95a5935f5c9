"""Who a mailing reaches: the active subscribers of its list, narrowed by province,
district, language and action (registry), never an erased supporter or a suppressed
address. Suppressions are kept as keyed hashes only, so that last rule is applied here, in
Python, address by address (about a second per 300,000 subscribers)."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from .models import Mailing, Subscription, SubscriptionState, Suppression
from .registry import audience_filter_people
from .services import address_hash


@dataclass(frozen=True)
class Recipient:
    subscription_id: int
    person_id: int
    language: str


def audience_subscriptions(mailing: Mailing) -> QuerySet[Subscription]:
    """The list's active subscriptions matching the mailing's narrowings (suppressed
    addresses not yet taken out: `audience` does)."""
    subscriptions = Subscription.objects.filter(
        mailing_list_id=mailing.mailing_list_id,
        state=SubscriptionState.ACTIVE,
        person__erased_at=None,
        person__email__isnull=False,
    )
    if mailing.province:
        subscriptions = subscriptions.filter(person__province=mailing.province)
    if mailing.language:
        subscriptions = subscriptions.filter(language=mailing.language)
    for stored in (mailing.district, mailing.action):
        if stored:
            subscriptions = subscriptions.filter(person_id__in=audience_filter_people(stored))
    return subscriptions


def audience(mailing: Mailing) -> Iterator[Recipient]:
    """Each recipient of the mailing, in subscription order."""
    suppressed = set(Suppression.objects.values_list("address_hash", flat=True))
    rows: Any = (
        audience_subscriptions(mailing)
        .order_by("pk")
        .values_list("pk", "person_id", "language", "person__email")
    )
    for subscription_id, person_id, language, email in rows.iterator(2000):
        if suppressed and address_hash(email) in suppressed:
            continue
        yield Recipient(subscription_id, person_id, language)


def audience_count(mailing: Mailing) -> int:
    return sum(1 for _recipient in audience(mailing))
