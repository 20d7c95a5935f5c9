"""Retention: a closed page's individual signers are anonymised once its retention passes.

Each sign-on page says how many months after closing its signers' details are kept
(`retention_months`; petitions six by default, as the UK Parliament's petitions site
anonymises six months after close; statements keep theirs unless an editor sets one,
since organisations and parliamentarians sign them on the public record). Past it,
`signons_maintenance` removes from each individual signature the name, the link to the
supporter's record (their e-mail address; the record itself goes when nothing else uses
it), the postal area, city and network hash, and hides it from the list. The signature
still counts, in its province and district too. Each run does at most BATCH signatures
(the next run continues), and writes one audit entry per page."""

import calendar
import datetime

from django.db import transaction
from django.utils import timezone

from harbour.core.audit import audit_record
from harbour.core.pagecache import clear_page
from harbour.people.services import persons_delete_unused

from .models import Signature, SignerKind
from .models.pages import PetitionPage, SignOnPage, StatementPage
from .models.signatures import ANONYMOUS

BATCH = 20_000


def months_after(moment: datetime.datetime, months: int) -> datetime.datetime:
    """The same day and time `months` later (the month's last day when it is shorter)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def retention_ends(page: SignOnPage) -> datetime.datetime | None:
    """When the page's signers' details are due for removal, or None (open, or kept)."""
    if page.closes_at is None or page.retention_months is None:
        return None
    return months_after(page.closes_at, page.retention_months)


def pages_past_retention(*, now: datetime.datetime | None = None) -> list[SignOnPage]:
    now = now or timezone.now()
    due: list[SignOnPage] = []
    for model in (PetitionPage, StatementPage):
        # Translations hold no signatures (they are stored against the original): they
        # come out of this with nothing to do.
        candidates = model.objects.filter(closes_at__lt=now, retention_months__isnull=False)
        for page in candidates:
            ends = retention_ends(page)
            if ends is not None and ends <= now:
                due.append(page)
    return due


def signatures_anonymise_due(*, now: datetime.datetime | None = None) -> dict[int, int]:
    """Anonymise the individual signatures of every page past its retention (at most
    BATCH per run in all); answers {page id: signatures anonymised}."""
    now = now or timezone.now()
    done: dict[int, int] = {}
    budget = BATCH
    for page in pages_past_retention(now=now):
        if budget <= 0:
            break
        count = _anonymise(page, now=now, limit=budget)
        if count:
            done[page.pk] = count
            budget -= count
    return done


def _anonymise(page: SignOnPage, *, now: datetime.datetime, limit: int) -> int:
    waiting = Signature.objects.filter(
        page_id=page.pk, kind=SignerKind.INDIVIDUAL, anonymised_at__isnull=True
    )
    with transaction.atomic():
        rows = list(waiting.select_for_update().values_list("pk", "person_id")[:limit])
        if not rows:
            return 0
        Signature.objects.filter(pk__in=[pk for pk, _person in rows]).update(
            **ANONYMOUS, anonymised_at=now
        )
        persons_delete_unused(person_ids={person for _pk, person in rows if person})
        audit_record(
            actor=None,
            action="signatures.anonymise",
            target=page,
            details={"signatures": len(rows), "retention_months": page.retention_months},
        )
    clear_page(page.pk)
    return len(rows)
