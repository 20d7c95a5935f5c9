"""The project's own copy of Canada's representatives data: `manage.py
representatives_export --source DIR` reads the four source files (districts, MPs,
ministers, the approximate FSA table), checks every row, and writes them, normalised and
sorted, into `harbour/representatives/data/` with a README naming each file's source,
licence, size, checksum and known defects. `make run` and `load_representatives` read
that copy, so a clone works on any machine without the source folder."""

import csv
import datetime
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from .loaders import PROVINCE_BY_CODE_PREFIX, name_key, rows

DATA_DIR = Path(__file__).parent / "data"
DISTRICTS = "federal_electoral_districts_2023.csv"
MPS = "members_of_parliament_45th.csv"
MINISTERS = "ministers_current.csv"
FSAS = "fsa_to_district_approximate.csv"
COLUMNS = {
    DISTRICTS: ["code", "name_en", "name_fr", "province"],
    MPS: [
        "district_code",
        "district_name",
        "first_name",
        "last_name",
        "party",
        "email",
        "photo_url",
    ],
    MINISTERS: ["portfolio_code", "title_en", "title_fr", "name", "since"],
    FSAS: ["fsa", "district_code"],
}
SOURCES = {
    DISTRICTS: (
        "Elections Canada and Statistics Canada, 2023 Representation Order (the federal "
        "electoral districts' attribute table: number, English and French names, as mirrored "
        "in Open North's represent-canada-data); the province follows from the number's "
        "first two digits. Checked against the Open Civic Data division identifiers (CC0).",
        "Open Government Licence – Canada",
    ),
    MPS: (
        "Members of the 45th Parliament as published by the House of Commons (names, "
        "party, official e-mail, photo address), as served by Open North's Represent API in "
        "January 2026, matched to districts by number.",
        "Facts published by the House of Commons. The photos themselves are not shipped: "
        "`load_representatives --photos` copies them into the site's media.",
    ),
    MINISTERS: (
        "The holder of each ministerial portfolio, with the portfolio's English and French "
        "titles, from the Government of Canada's open-data portal (ckanext-canada's list of "
        "ministers, July 2026).",
        "Facts; the portal's code is MIT-licensed, the titles Crown copyright.",
    ),
    FSAS: (
        "One federal district per forward sortation area (the first three characters of "
        "a postal code), taken from where one sample postal code of the area falls.",
        "Facts derived from third-party data published in an MIT-licensed repository.",
    ),
}
KNOWN_DEFECTS = """\
- **The postal-code lookup is approximate.** Many forward sortation areas straddle two or
  more districts and the table names one. That is why the letter form always shows the
  district and MP it found and offers "Not your riding?" (a search by district name or
  city). No open table maps full postal codes to districts, and Canada Post claims
  copyright in full postal codes, so none is shipped.
- **Members change between elections** (resignations, by-elections, floor crossings).
  Refresh with `manage.py load_representatives --download` (the House of Commons members
  export and Elections Canada's district list) or correct a record in the admin; an
  editor's correction is kept by later loads unless `--force`.
- **Ministers' own addresses are not in the source**: a minister is written to at their
  MP address unless an editor sets a ministerial one.
- **No senators**: no open list of senators was available; the model and loader accept
  them for an organiser to import.
"""

FSA_PATTERN = re.compile(r"^[ABCEGHJKLMNPRSTVXY]\d[ABCEGHJKLMNPRSTVWXYZ]$")
EMAIL_PATTERN = re.compile(r"^[a-z0-9._'-]+@parl\.gc\.ca$")
PROVINCES = set(PROVINCE_BY_CODE_PREFIX.values())


class ExportRefused(Exception):
    """A source row that cannot be exported; the message says which file, row and why."""


@dataclass
class ExportReport:
    counts: dict[str, int] = field(default_factory=dict)
    # Facts about the data worth telling whoever uses it (not errors).
    notes: list[str] = field(default_factory=list)


def _read(source: Path, name: str) -> list[dict[str, str]]:
    path = source / name
    if not path.exists():
        raise ExportRefused(f"{path} is missing.")
    found = list(rows(path))
    missing = [c for c in COLUMNS[name] if found and c not in found[0]]
    if not found or missing:
        raise ExportRefused(f"{name}: no rows, or columns missing: {', '.join(missing)}.")
    return found


def _refuse(name: str, number: int, why: str) -> ExportRefused:
    return ExportRefused(f"{name}, row {number + 2}: {why}")  # +2: the header, from 1


def _districts(source: Path) -> dict[str, dict[str, str]]:
    districts: dict[str, dict[str, str]] = {}
    for n, row in enumerate(_read(source, DISTRICTS)):
        code, province = row["code"], row["province"]
        if not re.fullmatch(r"\d{5}", code) or code in districts:
            raise _refuse(DISTRICTS, n, f"the code {code!r} is not a new five-digit number")
        if province != PROVINCE_BY_CODE_PREFIX.get(code[:2]) or not row["name_en"]:
            raise _refuse(DISTRICTS, n, f"district {code}: no name, or not in {province!r}")
        districts[code] = {**row, "name_fr": row["name_fr"] or row["name_en"]}
    return districts


def _mps(source: Path, districts: dict[str, dict[str, str]]) -> list[dict[str, str]]:
    mps, seats = [], set()
    for n, row in enumerate(_read(source, MPS)):
        code = row["district_code"]
        if code not in districts or code in seats:
            raise _refuse(MPS, n, f"district {code!r} is unknown or has a member already")
        if not (row["first_name"] and row["last_name"]):
            raise _refuse(MPS, n, "a member without a first and last name")
        email = row["email"].lower()
        if email and not EMAIL_PATTERN.match(email):
            raise _refuse(MPS, n, "the e-mail address is not a House of Commons one")
        photo = row["photo_url"] if row["photo_url"].startswith("https://") else ""
        seats.add(code)
        mps.append({**row, "email": email, "photo_url": photo})
    return mps


def _ministers(source: Path) -> list[dict[str, str]]:
    ministers = []
    for n, row in enumerate(_read(source, MINISTERS)):
        if not (row["portfolio_code"] and row["title_en"] and row["name"]):
            raise _refuse(MINISTERS, n, "a portfolio without a code, a title or a holder")
        try:
            datetime.date.fromisoformat(row["since"])
        except ValueError:
            raise _refuse(MINISTERS, n, f"{row['since']!r} is not a date") from None
        ministers.append({**row, "title_fr": row["title_fr"] or row["title_en"]})
    return ministers


def _fsas(source: Path, districts: dict[str, dict[str, str]]) -> list[dict[str, str]]:
    fsas: dict[str, dict[str, str]] = {}
    for n, row in enumerate(_read(source, FSAS)):
        fsa = row["fsa"].upper()
        if not FSA_PATTERN.match(fsa) or fsa in fsas or row["district_code"] not in districts:
            raise _refuse(FSAS, n, f"{fsa!r}: not a new FSA of a known district")
        fsas[fsa] = {"fsa": fsa, "district_code": row["district_code"]}
    return list(fsas.values())


def _notes(
    districts: dict[str, dict[str, str]],
    mps: list[dict[str, str]],
    ministers: list[dict[str, str]],
    fsas: list[dict[str, str]],
) -> list[str]:
    """What the data lacks, for the README (not errors: the export goes ahead)."""
    notes = []
    vacant = sorted(set(districts) - {m["district_code"] for m in mps})
    unmapped = sorted(set(districts) - {f["district_code"] for f in fsas})
    no_email = sum(1 for m in mps if not m["email"])
    if vacant:
        notes.append(f"Seats without a member in the source: {', '.join(vacant)}.")
    if unmapped:
        names = ", ".join(f"{districts[c]['name_en']} ({c})" for c in unmapped)
        notes.append(
            f"{len(unmapped)} districts have no FSA of their own in the table, so a postal "
            f"code never leads to them (supporters there pick their riding): {names}."
        )
    if no_email:
        notes.append(f"{no_email} members have no e-mail address in the source.")
    members = {name_key(f"{m['first_name']} {m['last_name']}") for m in mps}
    members |= {name_key(f"{m['first_name'].split()[0]} {m['last_name']}") for m in mps}
    outside = [
        f"{m['name']} ({m['title_en']})" for m in ministers if name_key(m["name"]) not in members
    ]
    if outside:
        notes.append(
            "Portfolio holders who sit in no House seat, so are not loaded as ministers to "
            f"write to: {', '.join(outside)}."
        )
    return notes


def _write(target: Path, name: str, records: list[dict[str, str]], key: str) -> None:
    with (target / name).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, COLUMNS[name], extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(sorted(records, key=lambda r: r[key]))


def representatives_export(*, source: Path, target: Path = DATA_DIR) -> ExportReport:
    """Check the source files and write the project's copy and its README into `target`;
    ExportRefused (nothing written) if any row is wrong."""
    districts = _districts(source)
    mps = _mps(source, districts)
    ministers = _ministers(source)
    fsas = _fsas(source, districts)
    report = ExportReport(notes=_notes(districts, mps, ministers, fsas))
    target.mkdir(parents=True, exist_ok=True)
    _write(target, DISTRICTS, list(districts.values()), "code")
    _write(target, MPS, mps, "district_code")
    _write(target, MINISTERS, ministers, "portfolio_code")
    _write(target, FSAS, fsas, "fsa")
    report.counts = {DISTRICTS: len(districts), MPS: len(mps), MINISTERS: len(ministers)}
    report.counts[FSAS] = len(fsas)
    (target / "README.md").write_text(_readme(target, report))
    return report


def _readme(target: Path, report: ExportReport) -> str:
    lines = [
        "# Canada's representatives data, as Harbour ships it",
        "",
        "Written by `manage.py representatives_export --source DIR` (harbour/representatives/"
        "export.py), which checks every row of the source files and writes them here sorted "
        "and normalised. `make run` and `manage.py load_representatives` read these files; "
        "do not edit them by hand: correct a record in the admin, or export again.",
        "",
        "| file | rows | source | licence | sha256 |",
        "|---|---|---|---|---|",
    ]
    for name, (source, licence) in SOURCES.items():
        digest = hashlib.sha256((target / name).read_bytes()).hexdigest()[:16]
        lines.append(f"| `{name}` | {report.counts[name]} | {source} | {licence} | {digest}… |")
    lines += ["", "## Known defects", "", KNOWN_DEFECTS.rstrip()]
    lines += [f"- {note}" for note in report.notes]
    return "\n".join(lines) + "\n"
