"""Reads of a petition's counts by province and federal district, from its counters
(counts.area_counts; never a GROUP BY over signatures): the petition page's tables, the
full districts page, and a signer's own district after confirming."""

from dataclasses import dataclass

from django.core.cache import cache
from wagtail.models import Page

from harbour.core.postal import PROVINCE_NAMES
from harbour.representatives.models import local_district_name

from .counts import area_counts
from .models import Signature, SignatureAreaCount, SignatureState

STATS_SECONDS = 60


def signatures_by_province(*, page: Page) -> list[tuple[str, int]]:
    """Counted signatures per province (its name in the visitor's language), largest first,
    from the page's counters (counts.area_counts), cached for a minute by province code."""
    key = f"signons:by-province:{page.pk}"
    rows = cache.get(key)
    if rows is None:
        counts = area_counts(page=page, kind=SignatureAreaCount.PROVINCE)
        rows = sorted(counts.items(), key=lambda row: (-row[1], row[0]))
        cache.set(key, rows, STATS_SECONDS)
    return [(str(PROVINCE_NAMES.get(code, code)), n) for code, n in rows]


@dataclass(frozen=True)
class DistrictCount:
    code: str
    name_en: str
    name_fr: str
    province: str
    n: int

    @property
    def name(self) -> str:
        """In the visitor's language (cached rows serve every language)."""
        return local_district_name(self.name_en, self.name_fr)


def signatures_by_district(*, page: Page, limit: int | None = None) -> list[DistrictCount]:
    """Counted signatures per federal district, largest first (the first `limit`), from
    the page's counters; cached for a minute."""
    from harbour.representatives.selectors import districts_by_code

    key = f"signons:by-district:{page.pk}"
    rows: list[DistrictCount] | None = cache.get(key)
    if rows is None:
        counts = area_counts(page=page, kind=SignatureAreaCount.DISTRICT)
        names = districts_by_code(counts)
        rows = sorted(
            (
                DistrictCount(code, d.name_en, d.name_fr, d.province, n)
                for code, n in counts.items()
                if (d := names.get(code)) is not None
            ),
            key=lambda row: (-row.n, row.name_en),
        )
        cache.set(key, rows, STATS_SECONDS)
    return rows if limit is None else rows[:limit]


def signer_district(signature: Signature) -> DistrictCount | None:
    """A petition signer's own district with its count now (read fresh from the counters,
    so it includes them), for their confirmation page; None when unknown or not counted."""
    from django.db.models import Sum

    from harbour.representatives.selectors import district_by_code

    from .models.pages import PetitionPage

    if signature.state != SignatureState.CONFIRMED or not signature.district_code:
        return None
    if not PetitionPage.objects.filter(pk=signature.page_id).exists():
        return None  # statements show no counts by district
    district = district_by_code(signature.district_code)
    if district is None:
        return None
    counters = SignatureAreaCount.objects.filter(
        page_id=signature.page_id, kind=SignatureAreaCount.DISTRICT, code=district.code
    )
    n = counters.aggregate(n=Sum("count"))["n"] or 0
    return DistrictCount(district.code, district.name_en, district.name_fr, district.province, n)


def district_table(*, page: Page, query: str = "", order: str = "count") -> list[DistrictCount]:
    """The full districts table: filtered by a part of the name (accents and case ignored)
    or the province code, sorted by count (default), name or province."""
    from harbour.representatives.loaders import name_key

    rows = signatures_by_district(page=page)
    words = name_key(query).split()[:5]
    if words:
        rows = [
            row
            for row in rows
            if all(
                f" {word}"
                in f" {name_key(row.name_en)} {name_key(row.name_fr)} {row.province.lower()} "
                for word in words
            )
        ]
    if order == "name":
        return sorted(rows, key=lambda row: name_key(row.name))
    if order == "province":
        return sorted(rows, key=lambda row: (row.province, -row.n, name_key(row.name)))
    return rows
