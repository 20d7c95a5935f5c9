"""Reach of a campaign: what organisers see (counts only, never who wrote)."""

import datetime
import functools
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connections, router
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from harbour.core.actions import ActionCard
from harbour.people.models import Person

from .models import Delivery, DeliveryState, Letter, LetterCampaignPage, LetterState, MailtoClick


@dataclass(frozen=True)
class Reach:
    letters_sent: int
    failed: int
    waiting: int
    supporters: int
    representatives: int
    mailto_opened: int
    by_party: list[tuple[str, int]]
    by_province: list[tuple[str, int]]
    by_day: list[tuple[str, int]]


def campaign_reach(*, page: Page) -> Reach:
    deliveries = Delivery.objects.filter(letter__campaign=page)
    states = dict(deliveries.values_list("state").annotate(n=Count("pk")))
    sent = deliveries.filter(state=DeliveryState.SENT)
    return Reach(
        letters_sent=states.get(DeliveryState.SENT, 0),
        failed=states.get(DeliveryState.FAILED, 0),
        waiting=sum(
            states.get(s, 0)
            for s in (DeliveryState.QUEUED, DeliveryState.DEFERRED, DeliveryState.SENDING)
        ),
        supporters=Letter.objects.filter(campaign=page, state=LetterState.CONFIRMED)
        .values("person")
        .distinct()
        .count(),
        representatives=sent.values("representative").distinct().count(),
        mailto_opened=MailtoClick.objects.filter(campaign=page).count(),
        by_party=list(
            sent.values_list("representative__party").annotate(n=Count("pk")).order_by("-n")
        ),
        by_province=list(
            sent.values_list("representative__province").annotate(n=Count("pk")).order_by("-n")
        ),
        by_day=[
            (d.isoformat(), n)
            for d, n in sent.annotate(day=TruncDate("sent_at"))
            .values_list("day")
            .annotate(n=Count("pk"))
            .order_by("day")
            if d
        ],
    )


def public_letter_count(*, page: Page) -> int:
    """The page's "N letters sent" counter, cached for a minute."""
    key = f"letters:count:{page.pk}"
    count = cache.get(key)
    if count is None:
        count = (
            Delivery.objects.filter(letter__campaign=page, state=DeliveryState.SENT).count()
            + MailtoClick.objects.filter(campaign=page).count()
        )
        cache.set(key, count, 60)
    return int(count)


def public_letter_count_forget(*, page_id: int) -> None:
    cache.delete(f"letters:count:{page_id}")


def letters_held_below(path: str) -> bool:
    """Whether the campaign page at tree `path`, or one below it, holds any letter."""
    return Letter.objects.filter(campaign__path__startswith=path).exists()


@dataclass(frozen=True)
class SupporterOnFile:
    person_id: int
    sent_letter_id: int | None  # their confirmed letter in the campaign, if any
    fields: dict[str, str]  # what the record holds, for filling its blanks


PERSON_FIELDS = ("given_name", "family_name", "postal_code", "city", "province", "language")


def supporter_on_file(*, email: str, campaign_id: int) -> SupporterOnFile | None:
    """The supporter with this (normalised) address, locked where the database can, and
    their confirmed letter in the campaign: one read whose SQL is built once, so the letter
    form's answer to an address that already wrote costs what a new one's does."""
    alias = router.db_for_write(Person)
    with connections[alias].cursor() as cursor:
        cursor.execute(_supporter_sql(alias), [campaign_id, LetterState.CONFIRMED, email])
        row = cursor.fetchone()
    if row is None:
        return None
    return SupporterOnFile(
        person_id=int(row[0]),
        sent_letter_id=int(row[1]) if row[1] is not None else None,
        fields=dict(zip(PERSON_FIELDS, row[2:], strict=True)),
    )


@functools.cache
def _supporter_sql(alias: str) -> str:
    connection = connections[alias]
    quote = connection.ops.quote_name
    letter, person = quote(Letter._meta.db_table), quote(Person._meta.db_table)
    columns = ", ".join(f"p.{quote(name)}" for name in PERSON_FIELDS)
    lock = " FOR UPDATE OF p" if connection.features.has_select_for_update_of else ""
    # Only the models' own table and column names are formatted in; values are parameters.
    return (
        f"SELECT p.{quote('id')}, (SELECT l.{quote('id')} FROM {letter} l "  # noqa: S608
        f"WHERE l.{quote('campaign_id')} = %s AND l.{quote('person_id')} = p.{quote('id')} "
        f"AND l.{quote('state')} = %s LIMIT 1), {columns} FROM {person} p "
        f"WHERE p.{quote('email')} = %s{lock}"
    )


# --- Staff reads -----------------------------------------------------------------------------


def campaigns_newest_first() -> QuerySet[LetterCampaignPage]:
    return LetterCampaignPage.objects.all().order_by("-first_published_at")


def confirmed_writers(*, campaign: LetterCampaignPage) -> QuerySet[Letter]:
    """Every confirmed letter of `campaign`, with its supporter and district, for the export."""
    return Letter.objects.filter(campaign=campaign, state=LetterState.CONFIRMED).select_related(
        "person", "district"
    )


def letters_pending() -> QuerySet[Letter]:
    """Rows still waiting for their e-mail confirmation (purged once the link expires)."""
    return Letter.objects.filter(state=LetterState.PENDING)


def open_campaign_cards() -> list[ActionCard]:
    """The "Take action" cards of the letter campaigns open now (core.actions)."""
    cards = []
    for page in (
        LetterCampaignPage.objects.live()
        .public()
        .filter(locale__language_code=settings.LANGUAGE_CODE)
    ):
        if page.is_open():
            cards.append(
                ActionCard.for_page(
                    page,
                    kind=str(_("Letter campaign")),
                    verb=str(_("Write your letter")),
                    count=public_letter_count(page=page),
                    counted=str(_("letters sent")),
                )
            )
    return cards


@dataclass(frozen=True)
class DeliveryBacklog:
    waiting: int  # queued, being sent, or held for a later day
    failed: int
    sent_since: int


def delivery_backlog(*, since: datetime.datetime) -> DeliveryBacklog:
    """Letters to representatives still to go, failed, and sent since `since` (dashboard)."""
    rows = Delivery.objects.values("state").annotate(n=Count("id")).order_by()
    counts = {row["state"]: row["n"] for row in rows}
    going = (DeliveryState.QUEUED, DeliveryState.SENDING, DeliveryState.DEFERRED)
    sent = Delivery.objects.filter(state=DeliveryState.SENT, sent_at__gte=since).count()
    return DeliveryBacklog(
        waiting=sum(counts.get(state, 0) for state in going),
        failed=counts.get(DeliveryState.FAILED, 0),
        sent_since=sent,
    )
