"""Exact signature counts without a COUNT(*) per page view or one hot row per page.

An increment lands on one of a few shard rows in the same transaction as the state change
that caused it, so the sum is exact: the page's total, and its counts by province and by
federal district (`SignatureAreaCount`, on the same shard number, so two confirmations
lock rows in the same order). `signature_counts_reconcile` recounts and rewrites them all
(run by `manage.py signons_maintenance` and the admin); the page only ever reads counters."""

import random
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Model, Sum
from wagtail.models import Page

from harbour.core.pagecache import clear_page

from .models import COUNTED_STATES, Signature, SignatureAreaCount, SignatureCountShard

Area = SignatureAreaCount


def count_add(*, page_id: int, delta: int, province: str = "", district_code: str = "") -> None:
    """Must run inside the transaction that moved a signature into or out of COUNTED_STATES;
    `province` and `district_code` are the signature's (empty when unknown)."""
    # Cleared now and again on commit: a reader rendering in between would otherwise cache
    # the old count for a few seconds.
    clear_page(page_id)
    transaction.on_commit(lambda: clear_page(page_id))
    shard = random.randrange(SignatureCountShard.SHARDS)  # noqa: S311 (not security)
    _shard_add(SignatureCountShard, {"page_id": page_id, "shard": shard}, delta)
    for kind, code in ((Area.PROVINCE, province), (Area.DISTRICT, district_code)):
        if code:
            _shard_add(
                Area, {"page_id": page_id, "kind": kind, "code": code, "shard": shard}, delta
            )


def _shard_add(model: type[Model], key: dict[str, Any], delta: int) -> None:
    """Add `delta` to the counter row `key`, creating it (at 0) the first time."""
    manager = model._default_manager
    if manager.filter(**key).update(count=F("count") + delta):
        return
    with transaction.atomic():  # a savepoint: another confirmation may create it first
        row, _ = manager.get_or_create(**key)
    manager.filter(pk=row.pk).update(count=F("count") + delta)


def count_total(*, page: Page) -> int:
    total = SignatureCountShard.objects.filter(page=page).aggregate(total=Sum("count"))["total"]
    return int(total or 0)


def area_counts(*, page: Page, kind: str) -> dict[str, int]:
    """The page's counted signatures by province or district code (counters, summed over
    their shards; areas with none left out)."""
    rows = (
        Area.objects.filter(page=page, kind=kind)
        .values("code")
        .annotate(n=Sum("count"))
        .filter(n__gt=0)
        .values_list("code", "n")
    )
    return dict(rows)


@transaction.atomic
def signature_counts_reconcile(*, page: Page) -> int:
    """Rewrite the page's counters from an exact recount; returns the exact count.

    The total's shard rows are locked first: every confirmation updates one of them before
    its area counters, so one either committed before the recount (and is in it) or adds
    its increments after the rewrite."""
    for shard in range(SignatureCountShard.SHARDS):
        SignatureCountShard.objects.get_or_create(page=page, shard=shard)
    list(SignatureCountShard.objects.select_for_update().filter(page=page))
    counted = Signature.objects.filter(page=page, state__in=COUNTED_STATES)
    exact = counted.count()
    SignatureCountShard.objects.filter(page=page).update(count=0)
    SignatureCountShard.objects.filter(page=page, shard=0).update(count=exact)
    areas = Area.objects.filter(page=page)
    areas.update(count=0)
    for kind, field in ((Area.PROVINCE, "province"), (Area.DISTRICT, "district_code")):
        groups = counted.exclude(**{field: ""}).values_list(field).annotate(n=Count("pk"))
        for code, n in groups.order_by():
            if not areas.filter(kind=kind, code=code, shard=0).update(count=n):
                Area.objects.create(page=page, kind=kind, code=code, shard=0, count=n)
    return exact
