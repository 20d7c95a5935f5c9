"""Reads for the public pages: the grouped signatory list, counts, statistics."""

import datetime
import functools
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connections, router
from django.db.models import Count, QuerySet
from django.db.models.functions import Lower, Trim
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from .counts import count_total
from .models import Listing, Signature, SignatureState, SignerKind

if TYPE_CHECKING:
    from harbour.core.actions import ActionCard

    from .models.pages import SignOnPage

_PAGE_SECONDS = 10
_pages: dict[int, tuple[float, object]] = {}


@dataclass(frozen=True)
class SignatoryList:
    organisations: list[Signature]
    parliamentarians: list[Signature]
    individuals: list[Signature]
    count: int
    individuals_unlisted: int


def _public(page: Page) -> QuerySet[Signature]:
    return Signature.objects.filter(page=page, state=SignatureState.CONFIRMED)


def signatory_list(*, page: Page, individuals_limit: int = 500) -> SignatoryList:
    """Organisations, then parliamentarians with their office, then individuals as each
    chose to be listed; the count covers every counted signer."""
    public = _public(page).only(
        "kind",
        "name",
        "honorific",
        "office",
        "city",
        "region",
        "listing",
        "website",
        "confirmed_at",
    )
    organisations = list(public.filter(kind=SignerKind.ORGANISATION).order_by("name"))
    parliamentarians = list(
        public.filter(kind=SignerKind.PARLIAMENTARIAN).order_by("office", "name")
    )
    individuals = list(
        public.filter(kind=SignerKind.INDIVIDUAL)
        .exclude(listing=Listing.HIDDEN)
        .order_by("-confirmed_at")[:individuals_limit]
    )
    count = count_total(page=page)
    listed = len(organisations) + len(parliamentarians) + len(individuals)
    return SignatoryList(
        organisations=organisations,
        parliamentarians=parliamentarians,
        individuals=individuals,
        count=count,
        individuals_unlisted=max(count - listed, 0),
    )


def latest_signers(*, page: Page, limit: int = 10) -> list[Signature]:
    return list(
        _public(page)
        .filter(kind=SignerKind.INDIVIDUAL)
        .exclude(listing=Listing.HIDDEN)
        .only("name", "city", "listing", "kind", "confirmed_at")
        .order_by("-confirmed_at")[:limit]
    )


def signon_page_for_signing(page_id: int) -> "SignOnPage | None":
    """The live, public sign-on page with this id, from this process's memory when it was
    looked up in the last few seconds (a spike of signatures asks for it every time)."""
    from wagtail.models import PageViewRestriction

    from .models.pages import SignOnPage

    now = time.monotonic()
    cached = _pages.get(page_id)
    if cached and now - cached[0] < _PAGE_SECONDS:
        return cached[1]  # type: ignore[return-value]
    page = Page.objects.live().filter(pk=page_id).specific().first()
    if (
        not isinstance(page, SignOnPage)
        or PageViewRestriction.objects.filter(page__in=page.get_ancestors(inclusive=True)).exists()
    ):
        page = None
    _pages[page_id] = (now, page)
    return page


_paths: dict[str, object] = {}


def signon_page_id_for_path(path: str) -> int | None:
    """The id of the live sign-on page (in any language) whose address is `path`, from a
    map of every such page's address this process rebuilds every few seconds: the page's
    own address takes its form's POST without Wagtail's routing (several queries)."""
    from .models.pages import PetitionPage, StatementPage

    now = time.monotonic()
    built = _paths.get("at")
    if not isinstance(built, float) or now - built >= _PAGE_SECONDS:
        addresses: dict[str, int] = {}
        for model in (StatementPage, PetitionPage):
            for page in model.objects.live().only("id", "url_path", "locale_id"):
                if page.url:
                    addresses[page.url] = page.pk
        _paths.clear()
        _paths.update({"at": now, "map": addresses})
    found = _paths["map"]
    return found.get(path) if isinstance(found, dict) else None


def signon_pages_forget() -> None:
    """Drop this process's remembered pages (tests; a worker lets them expire)."""
    _pages.clear()
    _paths.clear()


def signatures_held_below(path: str) -> bool:
    """Whether the page at tree `path`, or one below it, holds any signature."""
    return Signature.objects.filter(page__path__startswith=path).exists()


def signature_on_page(*, page_id: int, email: str) -> tuple[int, str] | None:
    """The id and state of the signature this (normalised) address gave this page, if any.

    One indexed read whose SQL is built once: the sign form's answer to an address that
    signed already must cost what a new signature costs (an ORM query with two models
    to build took over a millisecond more, enough to time)."""
    alias = router.db_for_read(Signature)
    with connections[alias].cursor() as cursor:
        cursor.execute(_signature_on_page_sql(alias), [page_id, email])
        row = cursor.fetchone()
    return (int(row[0]), str(row[1])) if row else None


@functools.cache
def _signature_on_page_sql(alias: str) -> str:
    from harbour.people.models import Person

    quote = connections[alias].ops.quote_name
    signature, person = quote(Signature._meta.db_table), quote(Person._meta.db_table)
    # Only the models' own table names are formatted in; values are parameters.
    return (
        f"SELECT s.{quote('id')}, s.{quote('state')} FROM {signature} s "  # noqa: S608
        f"JOIN {person} p ON p.{quote('id')} = s.{quote('person_id')} "
        f"WHERE s.{quote('page_id')} = %s AND p.{quote('email')} = %s"
    )


# --- Staff reads (the moderation queue, exports, maintenance) -------------------------------


def signatures_for_moderation(*, state: str, page_id: int | None = None) -> QuerySet[Signature]:
    """The queue: signatures in `state` (oldest first), on one page or all."""
    signatures = (
        Signature.objects.filter(state=state)
        .select_related("page", "person", "moderated_by", "member_group")
        # Oldest first by id (the order rows were made): the primary key's index walks a
        # page of six million confirmed signatures without sorting them; a rare state is
        # found through the (state, created_at) index.
        .order_by("pk")
    )
    return signatures.filter(page_id=page_id) if page_id is not None else signatures


DUPLICATE_NAMES_PER_QUERY = 5


def possible_duplicates(signatures: Iterable[Signature]) -> dict[int, Signature]:
    """For signatures in the moderation queue: another signature on the same page under
    the same name (case and surrounding spaces ignored) that is listed or waiting, by the
    queued signature's id."""
    queued = [s for s in signatures if s.name.strip()]
    if not queued:
        return {}
    # A few names per query, so that PostgreSQL uses the (page, name) index of listed and
    # waiting signatures: with a hundred names at once it guesses a large share of a big
    # page and reads all of it.
    names = sorted({s.name.strip().lower() for s in queued})
    first: dict[tuple[int, str], list[Any]] = {}
    for start in range(0, len(names), DUPLICATE_NAMES_PER_QUERY):
        others = (
            Signature.objects.annotate(key=Lower(Trim("name")))
            .filter(
                page_id__in={s.page_id for s in queued},
                key__in=names[start : start + DUPLICATE_NAMES_PER_QUERY],
                state__in=[SignatureState.CONFIRMED, SignatureState.AWAITING_MODERATION],
            )
            .order_by("created_at")
        )
        for other in others:
            first.setdefault((other.page_id, other.key), []).append(other)
    found: dict[int, Signature] = {}
    for signature in queued:
        for other in first.get((signature.page_id, signature.name.strip().lower()), []):
            if other.pk != signature.pk:
                found[signature.pk] = other
                break
    return found


def pages_with_signatures() -> QuerySet[Page]:
    """Sign-on pages holding at least one signature: one index probe per sign-on page (a
    few dozen), not a DISTINCT over millions of signatures."""
    from .models.pages import PetitionPage, StatementPage

    candidates = [
        *PetitionPage.objects.values_list("pk", flat=True),
        *StatementPage.objects.values_list("pk", flat=True),
    ]
    holding = [pk for pk in candidates if Signature.objects.filter(page_id=pk).exists()]
    return Page.objects.filter(pk__in=holding)


def confirmed_signatories(*, page: Page) -> QuerySet[Signature]:
    """Everyone counted on `page`, with their supporter record, for the signatories export,
    in the order they signed (see `signatories_export_sql`)."""
    return (
        Signature.objects.filter(page=page, state=SignatureState.CONFIRMED)
        .select_related("person")
        .order_by("pk")
    )


def signatories_export_sql(*, page_id: int) -> str:
    """The signatories export as one PostgreSQL SELECT (core.exports.csv_copy_response):
    the same columns, order and formula-neutralised cells as `confirmed_signatories` gives
    the Python export; office names in the staff member's language. Unsorted (the order
    rows are stored in, roughly as people signed): sorting six million rows would cost as
    much again as writing them, and a spreadsheet sorts."""
    from harbour.core.exports import sql_csv_safe, sql_iso

    from .models import Office

    offices = " ".join(
        f"WHEN '{value}' THEN '{str(label).replace(chr(39), chr(39) * 2)}'"
        for value, label in Office.choices
    )
    columns = [
        "s.kind",
        "s.state",
        "s.name",
        "s.honorific",
        f"CASE s.office {offices} ELSE '' END",
        "s.city",
        "s.region",
        "s.website",
        "s.contact_name",
        "s.listing",
    ]
    cells = [sql_csv_safe(column) for column in columns]
    cells[9:9] = [
        sql_csv_safe("p.email", nullable=True),
        sql_csv_safe(
            f"CASE WHEN s.kind = '{SignerKind.INDIVIDUAL}' THEN p.postal_code END", nullable=True
        ),
    ]
    cells += [sql_iso("s.created_at"), sql_iso("s.confirmed_at")]
    # Only column names, an int, enum values and quote-doubled labels go in: no user data.
    return (
        f"SELECT {', '.join(cells)} FROM signons_signature s "  # noqa: S608
        "LEFT JOIN people_person p ON p.id = s.person_id "
        f"WHERE s.page_id = {int(page_id)} AND s.state = '{SignatureState.CONFIRMED}'"
    )


def signatures_pending() -> QuerySet[Signature]:
    """Rows still waiting for their e-mail confirmation (purged once the link expires)."""
    return Signature.objects.filter(state=SignatureState.PENDING)


def open_sign_on_cards() -> list["ActionCard"]:
    """The "Take action" cards of the statements and petitions open now (core.actions):
    one per action, in the visitor's language where it is translated."""
    from harbour.core.actions import ActionCard

    from .models import PetitionPage, StatementPage

    cards = []
    for model in (StatementPage, PetitionPage):
        for page in (
            model.objects.live().public().filter(locale__language_code=settings.LANGUAGE_CODE)
        ):
            if not page.is_open():
                continue
            petition = isinstance(page, PetitionPage)
            cards.append(
                ActionCard.for_page(
                    page,
                    kind=str(_("Petition")) if petition else page.get_kind_display(),
                    verb=str(_("Sign the petition") if petition else _("Read and sign")),
                    count=count_total(page=page),
                    counted=str(_("signatures")),
                    goal=page.goal if petition else None,
                )
            )
    return cards


@dataclass(frozen=True)
class ModerationBacklog:
    page_id: int
    title: str
    waiting: int


def moderation_backlog() -> list[ModerationBacklog]:
    """Signatures waiting for a moderator, per page (the dashboard)."""
    rows = (
        Signature.objects.filter(state=SignatureState.AWAITING_MODERATION)
        .values("page_id", "page__title")
        .annotate(waiting=Count("id"))
        .order_by("-waiting")
    )
    return [ModerationBacklog(r["page_id"], r["page__title"], r["waiting"]) for r in rows]


CONFIRMED_SINCE_CAP = 100_000


def confirmed_since(since: datetime.datetime) -> int:
    """Signatures confirmed since `since` (listed or waiting for a moderator), counted up
    to CONFIRMED_SINCE_CAP + 1 (a day of millions reads as "more than"): the partial index
    on confirmed_at answers in milliseconds whatever the table's size."""
    recent = Signature.objects.filter(confirmed_at__gte=since).order_by().values("pk")
    return recent[: CONFIRMED_SINCE_CAP + 1].count()
