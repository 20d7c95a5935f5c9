"""Importing a subscriber list that a coalition kept elsewhere (a Mailchimp or Action Network
export, a spreadsheet), by an administrator, in two steps: a preview, then the import.

Why it is careful:
- Canada's anti-spam law (CASL) lets us e-mail someone only with their consent and a record
  of it: where and when it was given. A row without a consent source or date, or dated in
  the future, is refused, never guessed; each subscription made keeps a people.Consent that
  says, in plain words, where and when the consent was given according to the file (its
  `created_at` is the day of the import, so the original date lives in its wording).
- An import must never undo someone's "no": a suppressed address (stopped all e-mail,
  bounced, complained, erased), a subscription withdrawn earlier, or a row whose status
  column says it was not subscribed in the exported list is refused. Nothing here lifts a
  suppression or reactivates a subscription; only the address's owner can (services.py).
- One supporter per address: an existing supporter gets the subscription (their record's
  blanks filled, never overwritten), a repeated address in the file counts once.
- Supporters may be targets of transnational repression: the preview and the refusals name
  rows by their number in the spreadsheet (the header is row 1), never by address.
- A big file works: the plan looks addresses up by chunks, and the import commits each
  chunk of rows in its own transaction. Applying the same file again changes nothing.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, TypeVar

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from harbour.core.audit import audit_record
from harbour.core.validation import Checks
from harbour.people.models import ConsentTopic, Person
from harbour.people.services import consent_record, normalise_email, person_get_or_create

from .import_cells import (
    SUBSCRIBED_STATUSES,
    cell_blank,
    cell_text,
    columns_recognise,
    consent_moment,
    folded,
    in_future,
    language_code,
    province_code,
)
from .import_files import ImportFile
from .import_files import ImportFileError as ImportFileError  # for the command
from .import_files import import_file_read as import_file_read  # for the command
from .models import MailingList, Subscription, SubscriptionState, Suppression
from .services import address_hash

CHUNK_SIZE = 500  # rows per lookup and per transaction (well under SQLite's 999 parameters)

T = TypeVar("T")
Progress = Callable[[Iterable[Any]], Iterable[Any]]


class Outcome(models.TextChoices):
    NEW = "new", gettext_lazy("new subscribers")
    MERGED = "merged", gettext_lazy("existing supporters subscribed")
    UNCHANGED = "unchanged", gettext_lazy("already subscribed (unchanged)")
    DUPLICATE = "duplicate", gettext_lazy("repeated addresses (merged into their first row)")
    REFUSED = "refused", gettext_lazy("refused")


@dataclass
class ImportRow:
    """One row of the file and what importing it does. The address and names are kept for
    the import itself and left out of `repr`, so a traceback or a log line never shows them."""

    number: int
    outcome: Outcome
    reason: str = ""
    email: str = field(default="", repr=False)
    given_name: str = field(default="", repr=False)
    family_name: str = field(default="", repr=False)
    province: str = ""
    language: str = ""
    consent_source: str = ""
    consent_date: str = ""  # as the file wrote it: the record CASL asks for
    same_as: int | None = None  # a repeated address: the number of its first row
    notes: list[str] = field(default_factory=list)


@dataclass
class ImportPlan:
    """The preview: every non-empty row of the file with its outcome, in the file's order."""

    mailing_list: MailingList
    rows: list[ImportRow]
    ignored_columns: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(Outcome.values, 0)
        for row in self.rows:
            counts[row.outcome] += 1
        return counts

    def refused(self) -> list[ImportRow]:
        return [row for row in self.rows if row.outcome == Outcome.REFUSED]

    def repeated(self) -> list[ImportRow]:
        return [row for row in self.rows if row.outcome == Outcome.DUPLICATE]


def _row_read(
    number: int, cells: Sequence[Any], columns: dict[str, list[int]]
) -> tuple[ImportRow, Any, str] | None:
    """The row's values, its consent date as the cell holds it, and its status (None for
    a row with nothing in it)."""
    if all(cell_blank(cell) for cell in cells):
        return None

    def pick(name: str) -> Any:
        for i in columns.get(name, []):
            if i < len(cells) and not cell_blank(cells[i]):
                return cells[i]
        return None

    row = ImportRow(
        number=number,
        outcome=Outcome.NEW,
        email=cell_text(pick("email"), 300),
        given_name=cell_text(pick("given_name"), 100),
        family_name=cell_text(pick("family_name"), 100),
        consent_source=cell_text(pick("consent_source"), 200),
        consent_date=cell_text(pick("consent_date"), 60),
    )
    raw_province = cell_text(pick("province"), 100)
    row.province = province_code(raw_province) if raw_province else ""
    if raw_province and not row.province:
        row.notes.append(_("province or territory not recognised, left blank"))
    raw_language = cell_text(pick("language"), 40)
    row.language = language_code(raw_language) if raw_language else ""
    if raw_language and not row.language:
        row.notes.append(_("language not recognised, the supporter's or the default used"))
    return row, pick("consent_date"), cell_text(pick("status"), 40)


def _address_refusal(row: ImportRow) -> str:
    if not row.email:
        return _("no e-mail address")
    checks = Checks({"email": row.email})
    checks.email()
    return _("not a valid e-mail address") if checks.errors else ""


def _consent_refusals(row: ImportRow, raw_date: Any, status: str) -> list[str]:
    """Why this row's consent cannot be imported, whatever the database holds."""
    reasons = []
    if folded(status) not in SUBSCRIBED_STATUSES:
        reasons.append(
            _("not subscribed in the exported list (its status: %(status)s)") % {"status": status}
        )
    if not row.consent_source:
        reasons.append(_("no consent source (CASL: where the consent was given)"))
    if not row.consent_date:
        reasons.append(_("no consent date (CASL: when the consent was given)"))
    else:
        moment = consent_moment(raw_date)
        if moment is None:
            reasons.append(_("consent date not understood (write it as YYYY-MM-DD)"))
        elif in_future(moment):
            reasons.append(_("consent date in the future"))
    return reasons


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _as_file(rows: ImportFile | Iterable[Mapping[str, Any]]) -> ImportFile:
    if isinstance(rows, ImportFile):
        return rows
    mappings = list(rows)
    headers: dict[str, None] = {}
    for mapping in mappings:
        headers.update(dict.fromkeys(mapping))
    return ImportFile(
        headers=list(headers),
        rows=[
            (n, [mapping.get(h) for h in headers]) for n, mapping in enumerate(mappings, start=2)
        ],
    )


def import_plan(
    rows: ImportFile | Iterable[Mapping[str, Any]], mailing_list: MailingList
) -> ImportPlan:
    """What importing these rows into the list would do, row by row; changes nothing.

    `rows` is a file read by `import_file_read`, or mappings of column name to value (a
    header such as "Email Address" or "OPTIN_TIME", recognised as in a file)."""
    table = _as_file(rows)
    columns, ignored = columns_recognise(table.headers)
    planned: list[ImportRow] = []
    first_rows: dict[str, ImportRow] = {}
    for number, cells in table.rows:
        read = _row_read(number, cells, columns)
        if read is None:
            continue
        row, raw_date, status = read
        planned.append(row)
        refusal = _address_refusal(row)
        if refusal:
            row.outcome, row.reason, row.email = Outcome.REFUSED, refusal, ""
            continue
        row.email = normalise_email(row.email)
        first = first_rows.get(row.email)
        if first is not None:  # the first row counts; this one only fills its blanks
            row.outcome, row.same_as = Outcome.DUPLICATE, first.number
            for name in ("given_name", "family_name", "province", "language"):
                if not getattr(first, name):
                    setattr(first, name, getattr(row, name))
            continue
        first_rows[row.email] = row
        reasons = _consent_refusals(row, raw_date, status)
        if reasons:
            row.outcome, row.reason = Outcome.REFUSED, "; ".join(reasons)
    candidates = [row for row in first_rows.values() if row.outcome == Outcome.NEW]
    for chunk in _chunks(candidates, CHUNK_SIZE):
        _plan_against_database(chunk, mailing_list)
    return ImportPlan(mailing_list=mailing_list, rows=planned, ignored_columns=ignored)


def _plan_against_database(rows: list[ImportRow], mailing_list: MailingList) -> None:
    emails = [row.email for row in rows]
    suppressed = _suppressed(emails)
    known = set(Person.objects.filter(email__in=emails).values_list("email", flat=True))
    states = dict(
        Subscription.objects.filter(
            mailing_list=mailing_list, person__email__in=emails
        ).values_list("person__email", "state")
    )
    for row in rows:
        state = states.get(row.email)
        if address_hash(row.email) in suppressed:
            row.outcome, row.reason = (
                Outcome.REFUSED,
                _(
                    "the address asked for no more e-mail, bounced, complained or was erased: "
                    "only its owner can subscribe it again"
                ),
            )
        elif state == SubscriptionState.WITHDRAWN:
            row.outcome, row.reason = (
                Outcome.REFUSED,
                _("unsubscribed from this list earlier: only its owner can subscribe again"),
            )
        elif state == SubscriptionState.ACTIVE:
            row.outcome = Outcome.UNCHANGED
        elif row.email in known:
            row.outcome = Outcome.MERGED


def _suppressed(emails: Iterable[str]) -> set[str]:
    hashes = [address_hash(email) for email in emails]
    return set(
        Suppression.objects.filter(address_hash__in=hashes).values_list("address_hash", flat=True)
    )


def consent_wording(row: ImportRow) -> str:
    """The consent record's words: where and when the file says the consent was given.
    Kept in English whatever the administrator's language, as every import's record is."""
    return f"Imported: consent given at {row.consent_source} on {row.consent_date}."


class _Importer:
    """The audit log's actor for an import run without a staff account (a command)."""

    pk = None

    def __init__(self, label: str) -> None:
        self.label = label[:200]

    def get_username(self) -> str:
        return self.label


def import_apply(
    plan: ImportPlan, *, actor_label: str, progress: Progress | None = None
) -> dict[str, int]:
    """Import the planned rows; answers how many rows had each outcome (Outcome's values).

    Each chunk of rows commits on its own, so a big file goes through and a failure keeps
    what came before it. Every row is checked again as it is written: an address
    suppressed, or a subscription made or withdrawn since the preview, is never overridden;
    so applying a plan, or the same file again, twice changes nothing the second time."""
    mailing_list = plan.mailing_list
    source = f"Import by {actor_label}: {mailing_list.name}"[:200]
    counts = dict.fromkeys(Outcome.values, 0)
    rows: Iterable[ImportRow] = progress(plan.rows) if progress else plan.rows
    for chunk in _chunks(rows, CHUNK_SIZE):
        with transaction.atomic():
            todo = [row for row in chunk if row.outcome in (Outcome.NEW, Outcome.MERGED)]
            suppressed = _suppressed(row.email for row in todo)
            for row in chunk:
                outcome = row.outcome
                if outcome in (Outcome.NEW, Outcome.MERGED):
                    outcome = _row_apply(row, mailing_list, source, suppressed)
                counts[outcome] += 1
    audit_record(
        actor=_Importer(actor_label),
        action="newsletter.import",
        target=mailing_list,
        details=counts,
    )
    return counts


def _row_apply(
    row: ImportRow, mailing_list: MailingList, source: str, suppressed: set[str]
) -> Outcome:
    if address_hash(row.email) in suppressed:
        return Outcome.REFUSED
    person, created = person_get_or_create(
        email=row.email,
        given_name=row.given_name,
        family_name=row.family_name,
        province=row.province,
        language=row.language,
    )
    state = (
        Subscription.objects.filter(person=person, mailing_list=mailing_list)
        .values_list("state", flat=True)
        .first()
    )
    if state is not None:
        return Outcome.UNCHANGED if state == SubscriptionState.ACTIVE else Outcome.REFUSED
    try:
        with transaction.atomic():  # a savepoint: the owner may confirm a sign-up right now
            consent = consent_record(
                person=person,
                topic=ConsentTopic.NEWSLETTER,
                granted=True,
                wording=consent_wording(row),
                language="",  # the file describes the consent; its form's language is unknown
                source=source,
            )
            Subscription.objects.create(
                person=person,
                mailing_list=mailing_list,
                state=SubscriptionState.ACTIVE,
                language=row.language or person.language or settings.LANGUAGE_CODE,
                consent=consent,
            )
    except IntegrityError:
        return Outcome.UNCHANGED
    return Outcome.NEW if created else Outcome.MERGED
