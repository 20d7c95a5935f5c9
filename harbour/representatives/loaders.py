"""Reading districts, MPs, ministers and postal areas from CSV files.

Each reader accepts the project's shared-data layout and the official one: Elections
Canada's list of federal districts, and the House of Commons "Members of Parliament" CSV
export (Honorific Title, First Name, Last Name, Constituency, Province / Territory,
Political Affiliation, Start Date, End Date), so an organiser can refresh MPs after an
election or a by-election from the official site."""

import csv
import datetime
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.text import slugify

from .models import ElectoralDistrict, Office, PostalArea, Representative, Role, RoleKind

PROVINCE_BY_CODE_PREFIX = {
    "10": "NL", "11": "PE", "12": "NS", "13": "NB", "24": "QC", "35": "ON", "46": "MB",
    "47": "SK", "48": "AB", "59": "BC", "60": "YT", "61": "NT", "62": "NU",
}  # fmt: skip
Progress = Callable[[Iterable[Any]], Iterable[Any]]


@dataclass
class LoadReport:
    districts: int = 0
    representatives_created: int = 0
    representatives_updated: int = 0
    representatives_retired: int = 0
    kept_edits: int = 0
    ministers: int = 0
    postal_areas: int = 0
    unmatched: list[str] = field(default_factory=list)


def rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            yield {(k or "").strip(): (v or "").strip() for k, v in row.items()}


def name_key(text: str) -> str:
    """Compare names and district names across sources: accents, dashes, apostrophes,
    case and spacing ignored."""
    text = re.sub(r"[\W_]+", " ", text)  # dashes (— too) and apostrophes part words
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _pick(row: dict[str, str], *names: str) -> str:
    for name in names:
        if row.get(name):
            return row[name]
    return ""


def load_districts(path: Path, report: LoadReport) -> dict[str, ElectoralDistrict]:
    districts = {}
    for row in rows(path):
        code = _pick(
            row,
            "code",
            "FED_NUM",
            "ED_CODE",
            "Electoral District Number",
            "Federal Electoral District Number",
        )
        if not code:
            continue
        name_en = _pick(
            row,
            "name_en",
            "ED_NAMEE",
            "FED_ENNAME",
            "English Name",
            "Electoral District Name (English)",
        )
        name_fr = (
            _pick(
                row,
                "name_fr",
                "ED_NAMEF",
                "FED_FRNAME",
                "French Name",
                "Electoral District Name (French)",
            )
            or name_en
        )
        province = _pick(row, "province") or PROVINCE_BY_CODE_PREFIX.get(code[:2], "")
        district, _ = ElectoralDistrict.objects.update_or_create(
            code=code, defaults={"name_en": name_en, "name_fr": name_fr, "province": province}
        )
        districts[code] = district
        report.districts += 1
    return districts


def load_mps(path: Path, report: LoadReport, *, force: bool, progress: Progress) -> None:
    by_name = {name_key(d.name_en): d for d in ElectoralDistrict.objects.all()}
    by_code = {d.code: d for d in by_name.values()}
    seats_filled: dict[int, int] = {}
    for row in progress(list(rows(path))):
        if row.get("End Date"):
            continue  # a past member in an "all parliaments" export
        district = by_code.get(row.get("district_code", "")) or by_name.get(
            name_key(_pick(row, "Constituency", "district_name"))
        )
        first = _pick(row, "first_name", "First Name")
        last = _pick(row, "last_name", "Last Name")
        if district is None or not (first and last):
            report.unmatched.append(f"MP {first} {last} ({_pick(row, 'Constituency')})")
            continue
        values: dict[str, Any] = {
            "honorific": _pick(row, "Honorific Title"),
            "first_name": first,
            "last_name": last,
            "office": Office.MP,
            "party": _pick(row, "party", "Political Affiliation"),
            "district": district,
            "province": district.province,
            "active_to": None,
        }
        if row.get("email"):
            values["email"] = row["email"].lower()
        if row.get("photo_url"):
            values["photo_url"] = row["photo_url"]
        if row.get("Start Date"):
            values["active_from"] = _date(row["Start Date"])
        key = f"mp:{district.code}:{slugify(f'{first} {last}')}"
        rep = upsert(key, values, force=force, report=report)
        seats_filled[district.pk] = rep.pk
    # A seat's previous member (after an election or by-election) is kept, but retired.
    today = timezone.localdate()
    for district_id, current in seats_filled.items():
        report.representatives_retired += (
            Representative.objects.filter(office=Office.MP, district_id=district_id, active_to=None)
            .exclude(pk=current)
            .update(active_to=today)
        )


def load_ministers(path: Path, report: LoadReport) -> None:
    """Cabinet roles, matched to MPs by name (ministers are reached at their MP address
    unless an editor sets another)."""
    mps: dict[str, Representative] = {}
    for r in Representative.objects.filter(office=Office.MP, active_to=None):
        mps[name_key(f"{r.first_name} {r.last_name}")] = r
        # "David J. McGuinty" in the House's list is "David McGuinty" in the cabinet's.
        mps.setdefault(name_key(f"{r.first_name.split()[0]} {r.last_name}"), r)
    seen = []
    for row in rows(path):
        rep = mps.get(name_key(row["name"]))
        if rep is None:
            report.unmatched.append(f"minister {row['name']}")
            continue
        role, _ = Role.objects.update_or_create(
            representative=rep,
            kind=RoleKind.CABINET,
            code=row["portfolio_code"],
            defaults={
                "title_en": row["title_en"],
                "title_fr": row.get("title_fr", ""),
                "since": _date(row.get("since", "")),
            },
        )
        seen.append(role.pk)
        report.ministers += 1
    Role.objects.filter(kind=RoleKind.CABINET).exclude(pk__in=seen).delete()


def load_postal_areas(path: Path, report: LoadReport) -> None:
    districts = {d.code: d for d in ElectoralDistrict.objects.all()}
    existing = dict(PostalArea.objects.values_list("fsa", "district_id"))
    new, changed = [], []
    for row in rows(path):
        district = districts.get(row["district_code"])
        fsa = row["fsa"].upper()
        if district is None or len(fsa) != 3:
            continue
        report.postal_areas += 1
        if fsa not in existing:
            new.append(PostalArea(fsa=fsa, district=district))
        elif existing[fsa] != district.pk:
            changed.append((fsa, district))
    PostalArea.objects.bulk_create(new)
    for fsa, district in changed:
        PostalArea.objects.filter(fsa=fsa).update(district=district)


def upsert(key: str, values: dict[str, Any], *, force: bool, report: LoadReport) -> Representative:
    rep = Representative.objects.filter(source_key=key).first()
    if rep is None:
        report.representatives_created += 1
        return Representative.objects.create(source_key=key, **values)
    changed = False
    for name, value in values.items():
        if name in rep.edited_fields and not force:
            report.kept_edits += 1
            continue
        if getattr(rep, name) != value:
            setattr(rep, name, value)
            changed = True
    if force and rep.edited_fields:
        rep.edited_fields = []
        changed = True
    if changed:
        rep.save()
        report.representatives_updated += 1
    return rep


def _date(text: str) -> datetime.date | None:
    text = text.strip()[:10]
    try:
        return datetime.date.fromisoformat(text) if text else None
    except ValueError:
        return None
