"""Events: a registration spike on one popular event, its places taken under a lock, the
reminders of a big event, and the events pages under read load.

1. Spike. One event with CAPACITY (500) places, published under the demo's listing. wrk
   posts registrations (name and a new e-mail address per request, post_load.lua) from 32
   connections, against a gunicorn of the scenario's own with the events' rate limits
   raised (all load comes from 127.0.0.1) and Redis as in production; the reference
   `/bench/insert-enqueue/` (one row and one task, one transaction: the least a form that
   queues its e-mail costs) runs in the same interleaved rounds. Every 302 must be one
   PENDING registration with one confirmation task: none lost, none doubled.
2. Places. Every stored registration is then confirmed at once by `registration_confirm`
   (the e-mail's button) from 8 processes, each button pressed twice: exactly CAPACITY
   places, the rest wait-listed in the order they confirmed (by the database's times and
   by the callers' clock), one e-mail task and one consent each. Then 100 registrations
   are posted one at a time in one process, timed and profiled (events_profile.py).
3. Reminders. Another event has 5,000 confirmed registrants; its 1-day reminder task
   (`send_event_notices`, which queues one task per batch of registrants) is queued while
   two `manage.py task_worker`s run, and sends into the letters scenario's SMTP sink:
   messages/s from that commit to the last arrival, the workers' CPU and peak RSS, then
   exactly once per registrant, and the task queued again sends nothing. If the rate
   misses its target, `event_notices_send` is profiled in one process.
4. Reads. The events page and an event's page against the minimal view, in interleaved
   rounds as the pages scenario measures (target: ≥ 0.8 of the minimal view).

The tasks the scenario queued and did not run (e-mails about the spike's registrations,
the reference's no-ops, the events' deferred reminders) are deleted at its end.
"""

import datetime
import re
import secrets
import urllib.parse
from contextlib import ExitStack
from typing import Any

from bench.context import BenchContext, Scenario, ScenarioResult, ScenarioSkipped
from bench.cpu import OtherCpu
from bench.report import cpu_busy
from bench.scenarios.events_common import (
    CAPACITY,
    EVENT_TASKS,
    NAME,
    PROFILE_REGISTRANTS,
    PROFILE_REGISTRATIONS,
    RATE_ENV,
    READ_TARGETS,
    REMINDER_REGISTRANTS,
    TARGET_REMINDERS,
    TITLE,
    _django,
    _profile,
)
from bench.scenarios.events_confirm import _confirm
from bench.scenarios.events_reminders import _reminders
from bench.scenarios.events_report import _result
from bench.scenarios.events_spike import _check_register, _event_csrf, _spike, _stored_checks
from bench.scenarios.letters_common import _start_sink
from bench.scenarios.letters_runs import _scenario_env
from bench.scenarios.pages import check_targets, measure_rounds, summarise
from bench.scenarios.signatures import _drop_queued_tasks
from bench.scenarios.signatures_common import NOOP_TASK, REDIS_URL, Checks
from bench.scenarios.signatures_load import _flush_redis, _http
from bench.server import free_port, log_tail, start_gunicorn


def run(ctx: BenchContext) -> ScenarioResult:
    database_url = ctx.server_env.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise ScenarioSkipped("the events scenario checks its results in PostgreSQL")
    if ctx.tmp is None:
        raise RuntimeError("the events scenario needs the harness's temp dir")
    busy = cpu_busy(2.0)
    print(f"  CPU busy before this scenario (other processes): {busy:.0%}", flush=True)
    redis_note = _flush_redis()
    started = datetime.datetime.now(datetime.UTC)
    with ExitStack() as stack:
        sink, port = _start_sink(stack)
        # The sink for every e-mail (nothing leaves the machine), the raised limits, Redis.
        env = {**_scenario_env(ctx, port), **RATE_ENV}
        env.pop("REDIS_URL", None)
        if redis_note is None:
            env["REDIS_URL"] = REDIS_URL
        print(f"  SMTP sink on 127.0.0.1:{port}; Redis: {redis_note or REDIS_URL + ' (flushed)'}")
        session = secrets.token_hex(3)
        prepared = _django(
            env,
            ctx.tmp,
            "prepare",
            {"session": session, "capacity": CAPACITY, "registrants": REMINDER_REGISTRANTS},
        )
        print(
            f"  events {prepared['spike']['url']} ({CAPACITY} places) and "
            f"{prepared['reminders']['url']} ({prepared['registrants']:,} registrants, written "
            f"in {prepared['create_s']:.1f} s)",
            flush=True,
        )
        log_path = ctx.tmp / "gunicorn-events.log"
        base_url = start_gunicorn(
            stack, env, port=free_port(), workers=ctx.gunicorn_workers,
            max_requests=ctx.max_requests, log_path=log_path,
        )  # fmt: skip
        print(f"  gunicorn for this scenario: {ctx.gunicorn_workers} workers on {base_url}")
        import psycopg

        try:
            with psycopg.connect(database_url, autocommit=True) as db:
                found = _measure(ctx, env, base_url, db, database_url, sink, prepared, started)
        finally:
            _drop_queued_tasks(database_url, started, [*EVENT_TASKS, NOOP_TASK])
        server_log = log_path.read_text(errors="replace")
    found["busy"] = busy
    found["redis_note"] = redis_note
    found["gunicorn_errors"] = bool(
        re.search(r"Traceback|\[(ERROR|CRITICAL)\]| (ERROR|CRITICAL) ", server_log)
    )
    if found["gunicorn_errors"]:
        print(f"\ngunicorn reported errors; the end of its log:\n{log_tail(log_path)}")
    return _result(ctx, found)


def _measure(
    ctx: BenchContext,
    env: dict[str, str],
    base_url: str,
    db: Any,
    database_url: str,
    sink: Any,
    prepared: dict[str, Any],
    started: datetime.datetime,
) -> dict[str, Any]:
    assert ctx.tmp is not None
    session = str(prepared["session"])
    database = urllib.parse.urlsplit(database_url).path.lstrip("/")
    other_cpu = OtherCpu(database)
    checks = Checks(group="spike")
    event = prepared["spike"]
    path, event_id = event["url"], int(event["id"])
    csrf = _event_csrf(base_url, path, event["title"])
    print(f"  GET {path}: 200, the form, a csrftoken cookie and form token", flush=True)
    _check_register(base_url, path, csrf, f"{session}c")
    warm, registrations, reference = _spike(ctx, base_url, path, csrf, session, other_cpu)
    other_posts = other_cpu.share()
    stored = _stored_checks(db, event_id, checks, session, warm + registrations)

    checks.group = "places"
    confirm = _confirm(db, env, ctx.tmp, event_id, int(stored["stored"]), checks)
    status, _, body = _http(base_url, "GET", path)
    full = status == 200 and "Full: you can join the wait-list." in body
    checks.add("the event's page says it is full, right after", True, full)
    print(
        f"  in-process profile of {PROFILE_REGISTRATIONS} + {PROFILE_REGISTRATIONS} registrations"
    )
    data = {"path": path, "run_id": f"{session}p", "count": PROFILE_REGISTRATIONS}
    registration_profile = _profile(env, ctx.tmp, "profile_registrations", data)
    # What the spike queued (its e-mails, the reference's no-ops, the deferred reminders)
    # goes before the worker starts: it is to run the reminder only.
    _drop_queued_tasks(database_url, started, [*EVENT_TASKS, NOOP_TASK])

    checks.group = "reminders"
    reminders = _reminders(db, env, ctx.tmp, database, sink, prepared, checks)
    profile = None
    if reminders["per_s"] < TARGET_REMINDERS:
        print(f"  target missed: the reminders profiled in process ({PROFILE_REGISTRANTS})")
        data = {"session": session, "count": PROFILE_REGISTRANTS}
        profile = _profile(env, ctx.tmp, "profile_reminders", data)

    check_targets(ctx, READ_TARGETS, base_url)
    measured = measure_rounds(ctx, READ_TARGETS, base_url, other_cpu)
    other_gets = other_cpu.share()
    page_rows, page_raw, ceiling = summarise(READ_TARGETS, measured)
    return {
        "prepared": prepared,
        "warm": warm,
        "registrations": registrations,
        "reference": reference,
        "stored": stored,
        "confirm": confirm,
        "reminders": reminders,
        "profile": profile,
        "registration_profile": registration_profile,
        "checks": checks,
        "page_rows": page_rows,
        "page_raw": page_raw,
        "ceiling": ceiling,
        "other_cpu": {
            "POST runs": other_posts,
            "reminders": reminders["other_cpu_share"],
            "GET runs": other_gets,
        },
    }


SCENARIO = Scenario(name=NAME, title=TITLE, run=run)
