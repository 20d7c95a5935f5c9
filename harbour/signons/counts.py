"""Exact signature counts without a COUNT(*) per page view or one hot row per page.

An increment lands on one of a few shard rows in the same transaction as the state change
that caused it, so the sum is exact; `signature_counts_reconcile` recounts and rewrites the
shards (run by `manage.py signons_maintenance` and the admin)."""

import random

from django.db import transaction
from django.db.models import F, Sum
from wagtail.models import Page

from harbour.core.pagecache import clear_page

from .models import COUNTED_STATES, Signature, SignatureCountShard


def count_add(*, page_id: int, delta: int) -> None:
    """Must run inside the transaction that moved a signature into or out of COUNTED_STATES."""
    # Cleared now and again on commit: a reader rendering in between would otherwise cache
    # the old count for a few seconds.
    clear_page(page_id)
    transaction.on_commit(lambda: clear_page(page_id))
    shard = random.randrange(SignatureCountShard.SHARDS)  # noqa: S311 (not security)
    updated = SignatureCountShard.objects.filter(page_id=page_id, shard=shard).update(
        count=F("count") + delta
    )
    if not updated:
        with transaction.atomic():
            row, _ = SignatureCountShard.objects.get_or_create(page_id=page_id, shard=shard)
        SignatureCountShard.objects.filter(pk=row.pk).update(count=F("count") + delta)


def count_total(*, page: Page) -> int:
    total = SignatureCountShard.objects.filter(page=page).aggregate(total=Sum("count"))["total"]
    return int(total or 0)


@transaction.atomic
def signature_counts_reconcile(*, page: Page) -> int:
    """Rewrite the page's shards from an exact recount; returns the exact count.

    The shard rows are locked first, so a confirmation either committed before the recount
    (and is in it) or adds its increment after the rewrite."""
    for shard in range(SignatureCountShard.SHARDS):
        SignatureCountShard.objects.get_or_create(page=page, shard=shard)
    list(SignatureCountShard.objects.select_for_update().filter(page=page))
    exact = Signature.objects.filter(page=page, state__in=COUNTED_STATES).count()
    SignatureCountShard.objects.filter(page=page).update(count=0)
    SignatureCountShard.objects.filter(page=page, shard=0).update(count=exact)
    return exact
