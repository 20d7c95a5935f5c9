"""Representatives' data: loading from CSV files, and lookups other apps use."""

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from .models import ElectoralDistrict, Office, PostalArea, Representative


@dataclass
class LoadReport:
    districts: int = 0
    representatives_created: int = 0
    representatives_updated: int = 0
    kept_edits: int = 0
    postal_areas: int = 0


def data_dir() -> Path:
    """The configured data directory, else ../shared/data/canada when present, else the
    project's own small fixture."""
    configured = settings.HARBOUR_REPRESENTATIVES_DIR
    if configured:
        return Path(configured)
    shared = Path(settings.BASE_DIR).parent / "shared" / "data" / "canada"
    if (shared / "federal_electoral_districts_2023.csv").exists():
        return shared
    return Path(__file__).parent / "fixtures" / "canada"


def _rows(path: Path) -> Iterable[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        yield from csv.DictReader(handle)


@transaction.atomic
def representatives_load(*, directory: Path, force: bool = False, progress=None) -> LoadReport:  # type: ignore[no-untyped-def]
    """Load districts, MPs and the FSA table from `directory` (idempotent)."""
    report = LoadReport()
    districts: dict[str, ElectoralDistrict] = {}
    for row in _rows(directory / "federal_electoral_districts_2023.csv"):
        district, _ = ElectoralDistrict.objects.update_or_create(
            code=row["code"].strip(),
            defaults={
                "name_en": row["name_en"].strip(),
                "name_fr": row["name_fr"].strip(),
                "province": row["province"].strip(),
            },
        )
        districts[district.code] = district
        report.districts += 1
    mps = directory / "members_of_parliament_45th.csv"
    rows = list(_rows(mps)) if mps.exists() else []
    for row in progress(rows) if progress else rows:
        seat = districts.get(row["district_code"].strip())
        values = {
            "first_name": row["first_name"].strip(),
            "last_name": row["last_name"].strip(),
            "office": Office.MP,
            "party": row["party"].strip(),
            "district": seat,
            "province": seat.province if seat else "",
            "email": row["email"].strip().lower(),
            "photo_url": row.get("photo_url", "").strip(),
        }
        _upsert(f"mp:{row['district_code'].strip()}", values, force, report)
    fsas = directory / "fsa_to_district_approximate.csv"
    if fsas.exists():
        for row in _rows(fsas):
            area_district = districts.get(row["district_code"].strip())
            if area_district is None:
                continue
            PostalArea.objects.update_or_create(
                fsa=row["fsa"].strip().upper(), defaults={"district": area_district}
            )
            report.postal_areas += 1
    return report


def _upsert(key: str, values: dict, force: bool, report: LoadReport) -> None:  # type: ignore[type-arg]
    rep = Representative.objects.filter(source_key=key).first()
    if rep is None:
        Representative.objects.create(source_key=key, **values)
        report.representatives_created += 1
        return
    changed = False
    for field, value in values.items():
        if field in rep.edited_fields and not force:
            report.kept_edits += 1
            continue
        if getattr(rep, field) != value:
            setattr(rep, field, value)
            changed = True
    if force:
        rep.edited_fields = []
        changed = True
    if changed:
        rep.save()
        report.representatives_updated += 1


def district_for_postal_code(postal_code: str) -> ElectoralDistrict | None:
    """The district the offline FSA table names for a normalised postal code, if any."""
    area = PostalArea.objects.select_related("district").filter(fsa=postal_code[:3]).first()
    return area.district if area else None
