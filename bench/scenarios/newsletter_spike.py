"""The newsletter scenario's sign-up spike: wrk posting the /newsletter/ form (a new address
per request, one offered list, the consent box) and the insert + enqueue reference in the
same interleaved rounds, as the events scenario posts its registrations; then every 302
checked against the rows: one sign-up request and one confirmation task each."""

import re
import urllib.parse
from http.cookies import SimpleCookie
from typing import Any

from bench.context import BenchContext
from bench.cpu import OtherCpu
from bench.scenarios.newsletter_common import NEWSLETTER_PATH, PAGE_TITLE, SIGNUP_TASK, THANKS
from bench.scenarios.signatures_common import (
    DRAIN_SECONDS,
    LUA_SCRIPT,
    SPIKE_CONNECTIONS,
    Checks,
    Csrf,
    PostRun,
    _ms,
)
from bench.scenarios.signatures_load import _http, _post_run
from bench.wrk import run_wrk


def signup_form(base_url: str) -> tuple[Csrf, str, str]:
    """A visitor's CSRF pair from an anonymous GET of /newsletter/ (its page cache,
    personalised), where the form posts, and its fields but the address: a name, English,
    the first list offered, the consent box ticked."""
    status, response, body = _http(base_url, "GET", NEWSLETTER_PATH)
    cookie = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        cookie.load(header)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    action = re.search(r'<form method="post" action="([^"#]*)[^"]*" [^>]*id="signup"', body)
    lists = re.findall(r'name="lists" value="(\d+)"', body)
    if status != 200 or PAGE_TITLE not in body or token is None or "csrftoken" not in cookie:
        raise RuntimeError(f"GET {NEWSLETTER_PATH} answered {status} without its form or cookie")
    if action is None or not lists:
        raise RuntimeError(f"the form of {NEWSLETTER_PATH} has no action or no list to choose")
    fields = urllib.parse.urlencode(
        {"from": "page", "name": "Bench Subscriber", "language": "en", "lists": lists[0],
         "consent": "on", "nickname": ""}
    )  # fmt: skip
    return Csrf(cookie=cookie["csrftoken"].value, token=token.group(1)), action.group(1), fields


def check_signup(base_url: str, path: str, csrf: Csrf, fields: str, run_id: str) -> None:
    """One sign-up by hand, as wrk's will be: 302 to the thanks page."""
    email = urllib.parse.quote(f"bench-{run_id}-0-1@example.invalid")
    body = f"csrfmiddlewaretoken={csrf.token}&{fields}&email={email}"
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={csrf.cookie}",
    }
    status, response, _ = _http(base_url, "POST", path, body=body, headers=headers)
    location = response.getheader("Location") or ""
    if status != 302 or not location.endswith(THANKS):
        raise RuntimeError(f"POST {path} answered {status} (Location {location!r}), not 302")
    print(f"  POST {path}: 302 to {THANKS}", flush=True)


def _form_run(
    ctx: BenchContext, url: str, csrf: Csrf, fields: str, run_id: str, seconds: int
) -> PostRun:
    """One wrk run of post_load.lua's "form" mode: `seconds` of sending, then DRAIN_SECONDS."""
    args = ["form", run_id, str(seconds), csrf.cookie, csrf.token, "302", THANKS, fields]
    result = run_wrk(
        ctx.wrk, url, seconds=seconds + DRAIN_SECONDS, threads=ctx.threads,
        connections=SPIKE_CONNECTIONS, script=LUA_SCRIPT, script_args=args,
    )  # fmt: skip
    report = result.script_report
    if report is None:
        raise RuntimeError(f"the wrk script printed no report for POST {url}")
    return PostRun(
        run_id=run_id,
        wrk=result,
        sent=int(report["sent"]),
        responses=int(report["responses"]),
        accepted=int(report["accepted"]),
        window_s=int(report["window_us"]) / 1e6,
        statuses={str(k): int(v) for k, v in report["statuses"].items()},
    )


def spike(
    ctx: BenchContext,
    base_url: str,
    path: str,
    csrf: Csrf,
    fields: str,
    session: str,
    other_cpu: OtherCpu,
) -> tuple[list[PostRun], list[PostRun], list[PostRun]]:
    """Sign-ups and the reference in interleaved rounds after a warm-up of each; answers
    (warm-up sign-ups, measured sign-ups, measured reference runs)."""
    warm: list[PostRun] = []
    if ctx.warmup_seconds:
        print(f"  warm-up: {ctx.warmup_seconds} s of each POST (not measured)", flush=True)
        warm.append(
            _form_run(ctx, base_url + path, csrf, fields, f"{session}w", ctx.warmup_seconds)
        )
        _post_run(ctx, base_url, csrf, "enqueue", f"{session}w", ctx.warmup_seconds)
    signups: list[PostRun] = []
    reference: list[PostRun] = []
    other_cpu.start()
    for round_no in range(1, ctx.runs + 1):
        run_id = f"{session}r{round_no}"
        for label, runs in (("sign-up", signups), ("enqueue", reference)):
            if label == "sign-up":
                run_ = _form_run(ctx, base_url + path, csrf, fields, run_id, ctx.seconds)
            else:
                run_ = _post_run(ctx, base_url, csrf, "enqueue", run_id, ctx.seconds)
            runs.append(run_)
            print(
                f"  run {round_no}/{ctx.runs} POST {label}: {run_.accepted_per_s:,.0f} "
                f"accepted/s, p50 {_ms(run_.wrk.p50_ms)}, p99 {_ms(run_.wrk.p99_ms)}, "
                f"errors {run_.errors}, unanswered {run_.unanswered}",
                flush=True,
            )
    return warm, signups, reference


def stored_checks(db: Any, checks: Checks, session: str, runs: list[PostRun]) -> dict[str, Any]:
    """Every 302 wrk saw is one sign-up request (a new person's) with one `confirm` e-mail
    task; nothing else was stored for the runs' addresses."""
    checks.add("sign-up requests left unanswered", 0, sum(max(r.unanswered, 0) for r in runs))
    per_run = [(f"{session}c", 1)] + [(r.run_id, r.accepted) for r in runs]
    total = 0
    for run_id, accepted in per_run:
        total += accepted
        stored = db.execute(
            "SELECT count(*), count(DISTINCT s.person_id) FROM newsletter_signuprequest s "
            "JOIN people_person p ON p.id = s.person_id WHERE p.email LIKE %s",
            (f"bench-{run_id}-%",),
        ).fetchone()
        checks.add(
            f"sign-up requests (and people) of run {run_id} = its 302s",
            [accepted, accepted],
            [int(stored[0]), int(stored[1])],
        )
    tasks = db.execute(
        "WITH s AS (SELECT s.id FROM newsletter_signuprequest s JOIN people_person p "
        "  ON p.id = s.person_id WHERE p.email LIKE %s), "
        "t AS (SELECT (args_kwargs->'args'->>2)::bigint AS sid, count(*) AS n "
        "  FROM django_tasks_database_dbtaskresult WHERE task_path = %s "
        "  AND args_kwargs->'args'->>1 = 'confirm' GROUP BY 1) "
        "SELECT count(*), count(*) FILTER (WHERE t.n = 1) FROM s LEFT JOIN t ON t.sid = s.id",
        (f"bench-{session}%", SIGNUP_TASK),
    ).fetchone()
    checks.add("sign-ups with exactly one `confirm` e-mail task", int(tasks[0]), int(tasks[1]))
    return {"accepted_302_total": total, "signups": int(tasks[0])}
