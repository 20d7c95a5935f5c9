"""Representatives' data: loading from CSV files, and lookups other apps use."""

import time
from pathlib import Path

from django.conf import settings
from django.db import transaction

from . import loaders
from .loaders import LoadReport, Progress
from .models import PostalArea, Representative


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


def address_may_be_a_members(email: str) -> bool:
    """Whether an address in a legislature's domain can stand for a sitting member.

    Staff and constituency offices share their legislature's domain. Where the sitting
    members' official addresses are on file for that exact domain (the House of Commons'
    parl.gc.ca), only those addresses can; where none is on file (a province's assembly,
    the Senate), the domain is all Harbour knows."""
    domain = email.rsplit("@", 1)[-1]
    members = Representative.objects.filter(active_to=None, email__iendswith=f"@{domain}")
    return not members.exists() or members.filter(email__iexact=email).exists()


@transaction.atomic
def representatives_load(
    *, directory: Path, force: bool = False, progress: Progress | None = None
) -> LoadReport:
    """Load whatever of the known files `directory` holds (idempotent)."""
    report = LoadReport()
    show = progress or (lambda items: items)
    for name in ("federal_electoral_districts_2023.csv", "electoral_districts.csv"):
        if (directory / name).exists():
            loaders.load_districts(directory / name, report)
    for name in ("members_of_parliament_45th.csv", "members_of_parliament.csv"):
        if (directory / name).exists():
            loaders.load_mps(directory / name, report, force=force, progress=show)
    if (directory / "ministers_current.csv").exists():
        loaders.load_ministers(directory / "ministers_current.csv", report)
    if (directory / "fsa_to_district_approximate.csv").exists():
        loaders.load_postal_areas(directory / "fsa_to_district_approximate.csv", report)
    transaction.on_commit(fsa_table_forget)
    fsa_table_forget()
    return report


_FSA_SECONDS = 600
_fsa_table: dict[str, str] = {}
_fsa_loaded_at = 0.0


def district_code_for_postal_code(postal_code: str) -> str:
    """The district code the offline FSA table names for a normalised postal code, or "".

    Read from an in-process copy of the table (about 1,400 rows), refreshed every ten
    minutes: counting signatures by district must not cost a query per signature."""
    global _fsa_loaded_at
    if time.monotonic() - _fsa_loaded_at > _FSA_SECONDS or not _fsa_table:
        _fsa_table.clear()
        _fsa_table.update(PostalArea.objects.values_list("fsa", "district__code"))
        _fsa_loaded_at = time.monotonic()
    return _fsa_table.get(postal_code[:3], "")


def fsa_table_forget() -> None:
    """Drop this process's copy of the FSA table and its districts (after a load)."""
    from .lookup import OfflineFSABackend

    _fsa_table.clear()
    OfflineFSABackend._districts.clear()
