"""Where the events scenario's time goes, in one Django process, one thing at a time (no
load, no queue): a registration posted through Django's test client, and an event's
reminders sent into the sink. Run like events_django's functions (`run_in_django`, the
scenario's environment); each part is a function's cumulative time under cProfile over the
whole, by profile_rows' short names, so parts overlap (SQL runs inside the others).

Imported only in that process: nothing here runs when the harness imports the scenarios.
"""

import cProfile
import io
import pstats
import re
import time
from collections.abc import Callable
from typing import Any

from bench.profiling import profile_rows

from .events_django import _event, _listing, _registrants
from .letters_inproc import bench_input, bench_output, drain_in_process

REGISTRATION_PARTS = {
    "routing": "wagtail/models/pages.py:route_for_request",
    "view": "events/views.py:event_page",
    "create": "events/registrations.py:registration_create",
    "limits": "core/ratelimit.py:hits",
    "sql": "django/db/backends/utils.py:execute",
}
REMINDER_PARTS = {
    "invitation": "events/calendars.py:invitation",
    "time_zone": "icalendar/cal/calendar.py:add_missing_timezones",
    "templates": "django/template/loader.py:render_to_string",
    "smtp": "django/core/mail/backends/smtp.py:send_messages",
    "claims": "core/mailsend.py:_claim",
    "sql": "django/db/backends/utils.py:execute",
}


def _measured(run: Callable[[], int], parts: dict[str, str]) -> dict[str, Any]:
    """`run()` (answering how many things it did) timed with its SQL counted, then again
    under cProfile: per thing, the wall and CPU time, SQL statements and time; the parts."""
    from django.db import connection

    sql = {"n": 0, "s": 0.0}

    def timed_sql(execute: Any, query: str, params: Any, many: bool, context: Any) -> Any:
        began = time.perf_counter()
        try:
            return execute(query, params, many, context)
        finally:
            sql["n"] += 1
            sql["s"] += time.perf_counter() - began

    began, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(timed_sql):
        done = max(1, run())
    wall, cpu = time.perf_counter() - began, time.process_time() - cpu
    profiler = cProfile.Profile()
    profiler.enable()
    run()
    profiler.disable()
    stats = pstats.Stats(profiler, stream=io.StringIO())
    rows = profile_rows(stats)

    def share(name: str) -> float:
        where, function = name.rsplit(":", 1)
        found = [
            r["cumtime_s"]
            for r in rows
            if r["function"].startswith(where + ":") and r["function"].endswith(f"({function})")
        ]
        return max(found, default=0.0) / stats.total_tt if stats.total_tt else 0.0

    return {
        "count": done,
        "ms_each": 1000 * wall / done,
        "cpu_ms_each": 1000 * cpu / done,
        "sql_each": sql["n"] / done,
        "sql_ms_each": 1000 * sql["s"] / done,
        "shares": {part: share(name) for part, name in parts.items()},
        "top_cumulative": sorted(rows, key=lambda r: r["cumtime_s"], reverse=True)[:100],
        "top_own_time": sorted(rows, key=lambda r: r["tottime_s"], reverse=True)[:30],
    }


def profile_registrations() -> None:
    """N registrations posted to the event's page, one at a time, as wrk posts them (the
    CSRF cookie and token of one visitor, a new address each, the flash message's cookie
    dropped): then N more under cProfile."""
    from django.test import Client

    cfg = bench_input()
    path, run_id, count = cfg["path"], cfg["run_id"], int(cfg["count"])
    visitor = Client(enforce_csrf_checks=True, HTTP_HOST="127.0.0.1")
    page = visitor.get(path).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if token is None:
        raise RuntimeError(f"GET {path} showed no form token")
    sent = {"n": 0}

    def register(times: int) -> int:
        for _ in range(times):
            sent["n"] += 1
            email = f"bench-{run_id}-0-{sent['n']}@example.invalid"
            data = {"csrfmiddlewaretoken": token.group(1), "name": "Bench", "email": email}
            response = visitor.post(path, data)
            visitor.cookies.pop("messages", None)
            if response.status_code != 302:
                raise RuntimeError(f"POST {path} answered {response.status_code}")
        return times

    register(1)  # warm: first-request imports and caches are not what a spike pays
    bench_output(_measured(lambda: register(count), REGISTRATION_PARTS))


def profile_reminders() -> None:
    """An event with N confirmed registrants: `event_notices_send` for its 1-day reminder,
    timed, then for its 1-hour one under cProfile, into the sink."""
    from harbour.events.mails import event_notices_send
    from harbour.events.updates import reminder_key

    cfg = bench_input()
    session, count = cfg["session"], int(cfg["count"])
    event = _event(
        _listing(), f"Bench profile {session}", f"bench-profile-{session}", days=2, capacity=None
    )
    _registrants(event, f"profile-{session}", count)
    drain_in_process()  # Wagtail's indexing tasks of the publication
    offsets = [1440, 60]

    def send() -> int:
        key = reminder_key(event, offsets.pop(0))
        return event_notices_send(event_id=event.pk, kind="reminder", key=key)

    bench_output({"registrants": count, **_measured(send, REMINDER_PARTS)})
