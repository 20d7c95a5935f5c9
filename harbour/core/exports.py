"""The one way staff download a CSV: every cell neutralised against spreadsheet formulas."""

import csv
from collections.abc import Iterable, Iterator, Sequence

from django.http import StreamingHttpResponse


def csv_safe(value: object) -> str:
    """Neutralise spreadsheet formulas in supporter-supplied text (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Line:
    """What csv.writer writes to: hands each formatted line back instead of keeping it."""

    def write(self, line: str) -> str:
        return line


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Iterable[object]]
) -> StreamingHttpResponse:
    """A CSV attachment, never cached, whose every cell (e-mail and postal code too) went
    through `csv_safe`. Streamed: rows are written as they are read (pass an iterator such
    as `queryset.iterator()`), so six million signatories take no more memory than ten."""
    writer = csv.writer(_Line())

    def lines() -> Iterator[str]:
        yield writer.writerow([csv_safe(h) for h in header])
        for row in rows:
            yield writer.writerow([csv_safe(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def sql_csv_safe(expression: str, *, nullable: bool = False) -> str:
    """`csv_safe` as a PostgreSQL expression over a text column: a cell starting with a
    formula character gets a leading apostrophe (NULL gives '' when `nullable`)."""
    cell = f"coalesce({expression}, '')" if nullable else expression
    return f"CASE WHEN {cell} ~ '^[=+@\\t\\r-]' THEN '''' || {cell} ELSE {cell} END"


def sql_iso(expression: str) -> str:
    """A timestamp as `datetime.isoformat()` writes it in UTC (always with microseconds)."""
    return (
        f"coalesce(to_char(({expression}) AT TIME ZONE 'UTC', "
        "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"'), '')"
    )


COPY_CHUNK = 1 << 16


def csv_copy_response(filename: str, header: Sequence[str], select: str) -> StreamingHttpResponse:
    """PostgreSQL writes the CSV itself (COPY ... TO STDOUT), streamed to the client as it
    comes: a million rows a few seconds, in the memory of one block. `select` must make
    every column safe (`sql_csv_safe`); it is built by the caller from trusted parts only
    (column names, integers), never from request data."""
    from django.db import connection

    def blocks() -> Iterator[bytes]:
        writer = csv.writer(_Line(), lineterminator="\n")  # as COPY ends its lines
        yield writer.writerow([csv_safe(h) for h in header]).encode()
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY ({select}) TO STDOUT WITH (FORMAT csv)") as copy,
        ):
            # libpq hands COPY's output over one row at a time: gathered into ~64 kB
            # pieces, or the server would make a write to the socket per row.
            buffer = bytearray()
            for block in copy:
                buffer += block
                if len(buffer) >= COPY_CHUNK:
                    yield bytes(buffer)
                    buffer.clear()
            if buffer:
                yield bytes(buffer)

    response = StreamingHttpResponse(blocks(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
