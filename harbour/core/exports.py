"""The one way staff download a CSV: every cell neutralised against spreadsheet formulas."""

import csv
from collections.abc import Iterable, Sequence

from django.http import HttpResponse


def csv_safe(value: object) -> str:
    """Neutralise spreadsheet formulas in supporter-supplied text (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Iterable[object]]
) -> HttpResponse:
    """A CSV attachment, never cached, whose every cell (e-mail and postal code too) went
    through `csv_safe`."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    writer.writerow([csv_safe(h) for h in header])
    for row in rows:
        writer.writerow([csv_safe(value) for value in row])
    return response
