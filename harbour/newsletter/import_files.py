"""Reading the file of a subscriber list's import (newsletter.importing): a CSV (UTF-8,
Windows' code page or UTF-16; comma, semicolon or tab) or an .xlsx workbook, with tablib,
each row numbered as the spreadsheet shows it (the header is row 1), so that a refusal
names the row the administrator sees, never an address."""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tablib
from django.utils.translation import gettext as _


class ImportFileError(Exception):
    """The file cannot be imported at all (unreadable, not a table, no e-mail column)."""


@dataclass
class ImportFile:
    """A table as read: its header, and each row with its number in the spreadsheet."""

    headers: list[str]
    rows: list[tuple[int, Sequence[Any]]]


def import_file_read(path: Path | str) -> ImportFile:
    """The table in a CSV file (UTF-8, Windows' code page or UTF-16; comma, semicolon or
    tab) or an .xlsx workbook's first sheet; ImportFileError says why not."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ImportFileError(
            _("Cannot read %(file)s: %(why)s.") % {"file": path, "why": error.strerror}
        ) from None
    if data.startswith(b"PK\x03\x04"):
        return _xlsx_read(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            _("%(file)s is an old Excel workbook (.xls): save it as .xlsx or CSV.")
            % {"file": path.name}
        )
    return _csv_read(_decode(data, path))


def _decode(data: bytes, path: Path) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8-sig", "cp1252"]  # Mailchimp writes UTF-8; Excel, its code page
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(
        _("%(file)s is not a text file in a known encoding: save it as CSV (UTF-8).")
        % {"file": path.name}
    )


def _csv_read(text: str) -> ImportFile:
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first_line.count)
    # tablib skips blank lines; the spreadsheet's row numbers are counted here, so that a
    # refusal names the row the administrator sees.
    numbers: list[int] = []
    try:
        records = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        if not records or not any(cell.strip() for cell in records[0]):
            raise ImportFileError(_("The file is empty: its first row should name the columns."))
        width = len(records[0])
        for index, record in enumerate(records[1:], start=2):
            if len(record) > width and any(cell.strip() for cell in record[width:]):
                raise ImportFileError(
                    _(
                        "Row %(row)d has more cells than the header row: check its quotes "
                        "and separators."
                    )
                    % {"row": index}
                )
            if record:
                numbers.append(index)
        if any(len(record) > width for record in records[1:]):  # only empty cells beyond
            text = _csv_trimmed(records, width, delimiter)
        dataset = tablib.Dataset().load(text, format="csv", delimiter=delimiter)
    except csv.Error as error:
        raise ImportFileError(_("The file is not a readable CSV table: %s.") % error) from None
    if dataset.height != len(numbers):  # never expected: better refuse than misnumber
        raise ImportFileError(_("The file's rows could not be counted reliably."))
    headers = [str(header or "") for header in dataset.headers or []]
    return ImportFile(headers=headers, rows=list(zip(numbers, dataset, strict=True)))


def _csv_trimmed(records: list[list[str]], width: int, delimiter: str) -> str:
    """The table again without the empty cells some spreadsheets add past the header's."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    for record in records:
        writer.writerow(record[:width])
    return out.getvalue()


def _xlsx_read(data: bytes) -> ImportFile:
    """tablib reads .xlsx with openpyxl, which Wagtail already requires (its redirects
    import): no dependency of its own."""
    try:
        dataset = tablib.Dataset().load(data, format="xlsx")
    except Exception:  # openpyxl's errors for a damaged or foreign zip are many
        raise ImportFileError(
            _("The file is not a workbook that can be read here: save it as CSV (UTF-8).")
        ) from None
    headers = [str(header) if header is not None else "" for header in dataset.headers or []]
    if not any(header.strip() for header in headers):
        raise ImportFileError(_("The file is empty: its first row should name the columns."))
    return ImportFile(headers=headers, rows=[(n, row) for n, row in enumerate(dataset, start=2)])
