"""cProfile's statistics as rows the scenarios keep in their JSON results (imported inside
`manage.py shell` by the scenarios' Django halves)."""

import pstats
import re
from typing import Any


def profile_rows(stats: pstats.Stats) -> list[dict[str, Any]]:
    """One row per function: a short name, its calls, own and cumulative seconds."""
    rows: list[dict[str, Any]] = []
    for (filename, line, function), row in stats.stats.items():
        _calls, ncalls, tottime, cumtime, _callers = row
        rows.append(
            {
                "function": f"{short_name(filename)}:{line}({function})",
                "calls": ncalls,
                "tottime_s": tottime,
                "cumtime_s": cumtime,
            }
        )
    return rows


def short_name(filename: str) -> str:
    """`django/db/...`, `letters/sending.py`, `email/header.py`: enough to recognise."""
    for marker in ("site-packages/", "/harbour/", "lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return re.sub(r"^.*/", "", filename)
