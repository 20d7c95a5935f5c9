"""Reach of a campaign: what organisers see (counts only, never who wrote)."""

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count
from django.db.models.functions import TruncDate
from wagtail.models import Page

from .models import Delivery, DeliveryState, Letter, LetterState, MailtoClick


@dataclass(frozen=True)
class Reach:
    letters_sent: int
    delivered: int
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
        delivered=states.get(DeliveryState.SENT, 0),
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
