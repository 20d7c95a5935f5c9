"""The events scenario's registration spike: wrk posting registrations on one event (and the
insert + enqueue reference in the same rounds), then every 302 checked against the rows."""

import re
import urllib.parse
from http.cookies import SimpleCookie
from typing import Any

from bench.context import BenchContext
from bench.cpu import OtherCpu
from bench.scenarios.events_common import MAIL_TASK
from bench.scenarios.signatures_common import Checks, Csrf, PostRun, _ms
from bench.scenarios.signatures_load import _http, _post_run, _script_run


def _event_csrf(base_url: str, path: str, title: str) -> Csrf:
    """A visitor's CSRF cookie and form token, from an anonymous GET of the event's page
    (served from the page cache, personalised), which must show its form."""
    status, response, body = _http(base_url, "GET", path)
    cookie = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        cookie.load(header)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    action = re.search(r'<form method="post" action="([^"#]*)', body)
    if status != 200 or title not in body or token is None or "csrftoken" not in cookie:
        raise RuntimeError(f"GET {path} answered {status} without the event, its form or a cookie")
    if action is None or action.group(1) != path:
        raise RuntimeError(f"the form of {path} posts elsewhere ({action and action.group(1)})")
    return Csrf(cookie=cookie["csrftoken"].value, token=token.group(1))


def _check_register(base_url: str, path: str, csrf: Csrf, run_id: str) -> None:
    """One registration by hand, as wrk's will be: 302 to the thanks page."""
    body = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": csrf.token,
            "name": "Bench Registrant",
            "email": f"bench-{run_id}-0-1@example.invalid",
        }
    )
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={csrf.cookie}",
    }
    status, response, _ = _http(base_url, "POST", path, body=body, headers=headers)
    location = response.getheader("Location") or ""
    if status != 302 or not location.endswith(path + "thanks/"):
        raise RuntimeError(f"POST {path} answered {status} (Location {location!r}), not 302")
    print(f"  POST {path}: 302 to {path}thanks/", flush=True)


def _spike(
    ctx: BenchContext, base_url: str, path: str, csrf: Csrf, session: str, other_cpu: OtherCpu
) -> tuple[list[PostRun], list[PostRun], list[PostRun]]:
    """Registrations and the reference in interleaved rounds after a warm-up of each;
    answers (warm-up registrations, measured registrations, measured reference runs)."""

    def register(run_id: str, seconds: int) -> PostRun:
        return _script_run(
            ctx, base_url + path, "register", csrf, run_id, seconds, "302", path + "thanks/"
        )

    warm: list[PostRun] = []
    if ctx.warmup_seconds:
        print(f"  warm-up: {ctx.warmup_seconds} s of each POST (not measured)", flush=True)
        warm.append(register(f"{session}w", ctx.warmup_seconds))
        _post_run(ctx, base_url, csrf, "enqueue", f"{session}w", ctx.warmup_seconds)
    registrations: list[PostRun] = []
    reference: list[PostRun] = []
    other_cpu.start()
    for round_no in range(1, ctx.runs + 1):
        for label, runs in (("register", registrations), ("enqueue", reference)):
            run_id = f"{session}r{round_no}"
            if label == "register":
                run_ = register(run_id, ctx.seconds)
            else:
                run_ = _post_run(ctx, base_url, csrf, "enqueue", run_id, ctx.seconds)
            runs.append(run_)
            print(
                f"  run {round_no}/{ctx.runs} POST {label}: {run_.accepted_per_s:,.0f} "
                f"accepted/s, p50 {_ms(run_.wrk.p50_ms)}, p99 {_ms(run_.wrk.p99_ms)}, "
                f"errors {run_.errors}, unanswered {run_.unanswered}",
                flush=True,
            )
    return warm, registrations, reference


def _stored_checks(
    db: Any, event_id: int, checks: Checks, session: str, runs: list[PostRun]
) -> dict[str, Any]:
    """Every 302 wrk saw is one new PENDING registration on the event with one confirmation
    task; no address twice, no person twice."""

    def one(query: str, params: tuple[Any, ...]) -> int:
        row = db.execute(query, params).fetchone()
        return int(row[0] or 0)

    checks.add("registration requests left unanswered", 0, sum(max(r.unanswered, 0) for r in runs))
    per_run = [(f"{session}c", 1)] + [(r.run_id, r.accepted) for r in runs]
    for run_id, accepted in per_run:
        rows = one(
            "SELECT count(*) FROM events_registration r JOIN people_person p "
            "ON p.id = r.person_id WHERE r.event_id = %s AND p.email LIKE %s",
            (event_id, f"bench-{run_id}-%"),
        )
        checks.add(f"registrations stored for run {run_id} = its 302s", accepted, rows)
    accepted_total = sum(accepted for _, accepted in per_run)
    stored = one("SELECT count(*) FROM events_registration WHERE event_id = %s", (event_id,))
    checks.add(
        "registrations on the event = all 302s (none lost, none extra)", accepted_total, stored
    )
    pending = one(
        "SELECT count(*) FROM events_registration WHERE event_id = %s AND state = 'pending'",
        (event_id,),
    )
    checks.add("registrations PENDING", stored, pending)
    emails = one(
        "SELECT count(DISTINCT lower(p.email)) FROM events_registration r "
        "JOIN people_person p ON p.id = r.person_id WHERE r.event_id = %s",
        (event_id,),
    )
    checks.add("distinct e-mail addresses among them", stored, emails)
    twice = one(
        "SELECT count(*) FROM (SELECT 1 FROM events_registration WHERE event_id = %s "
        "GROUP BY person_id HAVING count(*) > 1) d",
        (event_id,),
    )
    checks.add("people registered twice", 0, twice)
    tasks = _mail_tasks(db, event_id)
    checks.add("registrations with exactly one 'confirm' e-mail task", stored, tasks["confirm"][1])
    checks.add("'confirm' e-mail tasks besides those", 0, tasks["confirm"][0] - tasks["confirm"][1])
    return {"accepted_302_total": accepted_total, "stored": stored, "confirm_tasks": tasks}


def _mail_tasks(db: Any, event_id: int) -> dict[str, tuple[int, int]]:
    """By kind of e-mail, the tasks queued for the event's registrations: (how many, how many
    registrations have exactly one)."""
    rows = db.execute(
        "WITH t AS (SELECT (args_kwargs->'args'->>0)::bigint AS rid, "
        "  args_kwargs->'args'->>1 AS kind FROM django_tasks_database_dbtaskresult "
        "  WHERE task_path = %s), "
        "k AS (SELECT t.kind, t.rid, count(*) AS n FROM t JOIN events_registration r "
        "  ON r.id = t.rid WHERE r.event_id = %s GROUP BY 1, 2) "
        "SELECT kind, sum(n), count(*) FILTER (WHERE n = 1) FROM k GROUP BY kind",
        (MAIL_TASK, event_id),
    ).fetchall()
    found = {str(kind): (int(total), int(once)) for kind, total, once in rows}
    for kind in ("confirm", "registered", "waitlisted"):
        found.setdefault(kind, (0, 0))
    return found
