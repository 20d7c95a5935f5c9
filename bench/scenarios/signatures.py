"""Petition signatures under a spike: how many sign-ons per second the site accepts, whether
every accepted one is stored exactly once with its confirmation task, whether confirming
keeps the count exact, and how the petition page holds up under read load.

The scenario runs its own gunicorn (same workers as the shared one) with what a spike on one
address needs: sign-on rate limits raised so that one load generator is not turned away, and
Redis for the cache and rate-limit counters as in production (database 15, flushed first).

Signatures are posted by wrk with a Lua script (post_load.lua) that gives each request a new
e-mail address and counts the answers; it stops sending a few seconds before wrk stops, so
that no request is left in flight and the database can be checked exactly against the 302s
it counted. The one-row insert view (`/bench/insert/`) under the same load is the ceiling of
a write on this server; `/bench/ping/` is the ceiling for the page. Two references run
shorter (a third of the runs' time, no warm-up of their own) between them:
`/bench/insert-enqueue/` inserts the same row and queues one task through the tasks API in
one transaction, the least any submission that queues an e-mail does; and
`/bench/sign-service/<page>/` runs the sign-on's rate limits and `signature_create` with
fixed details, without the form. The tasks the scenario queued are deleted at its end.
"""

import datetime
import http.client
import random
import re
import secrets
import statistics
import time
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from bench.context import BenchContext, Column, Scenario, ScenarioResult, ScenarioSkipped
from bench.cpu import OtherCpu
from bench.report import cpu_busy
from bench.server import free_port, log_tail, run_in_django, start_gunicorn
from bench.wrk import WrkResult, run_wrk

PETITION = "/stop-foreign-interference/"
PETITION_SLUG = "stop-foreign-interference"
PETITION_TITLE = "Protect people in Canada from foreign interference"
# Where the petition's form posts (read from the page: `/sign-on/<page id>/`, outside
# Wagtail's routing); this default is replaced by the first GET of the petition.
SIGN = PETITION + "sign/"
THANKS = PETITION + "thanks/"
INSERT = "/bench/insert/"
# References between the ceiling and a submission (HARBOUR_BENCH views): the ceiling's row
# and one task queued with it through the tasks API in one transaction; and the sign-on's
# own rate limits and service (`signature_create`) without the form (its path is made from
# SIGN's page id).
INSERT_ENQUEUE = "/bench/insert-enqueue/"
SERVICE_PREFIX = "/bench/sign-service/"
PING = "/bench/ping/"
# Its task rows are in django_tasks_database_dbtaskresult (django_tasks_db's app label is
# "django_tasks_database").
CONFIRMATION_TASK = "harbour.signons.tasks.send_signature_confirmation"
NOOP_TASK = "harbour.benchviews.tasks.bench_noop"

# One address sends every request: the per-address limit would refuse nearly all of them.
# All load comes from one address: neither held for review nor capped (HARBOUR_SIGN_CAP_IP).
RATE_ENV = {
    "HARBOUR_SIGN_RATE_IP": "100000000/h",
    "HARBOUR_SIGN_CAP_IP": "100000000/h",
    "HARBOUR_SIGN_RATE_EMAIL": "100/h",
    "HARBOUR_LETTER_RATE_IP": "100000000/h",  # the answer-time check writes letters too
}
REDIS_URL = "redis://127.0.0.1:6379/15"
SPIKE_CONNECTIONS = 32
DRAIN_SECONDS = 2  # after the last request is sent, for the last answers
CONFIRM_SAMPLE = 500
CONFIRM_CLIENTS = 16
PROFILE_SUBMISSIONS = 100
OUTCOME_SUBMISSIONS = 60
LUA_SCRIPT = Path(__file__).with_name("post_load.lua")

TARGET_SUBMISSIONS = 300.0
TARGET_P99_MS = 300.0
TARGET_CEILING_SHARE = 0.60
TARGET_PAGE_RPS = 1000.0

COLUMNS = [
    Column("load", "Load", "left"),
    Column("path", "Path", "left"),
    Column("rate", "Per second (median)"),
    Column("p50", "p50"),
    Column("p99", "p99"),
    Column("ratio", "vs ceiling"),
    Column("runs", "Runs (per second)"),
    Column("errors", "Errors"),
]


@dataclass
class PostRun:
    """One wrk run of POSTs through post_load.lua."""

    run_id: str
    wrk: WrkResult
    sent: int
    responses: int
    accepted: int
    window_s: float
    statuses: dict[str, int]

    @property
    def accepted_per_s(self) -> float:
        return self.accepted / self.window_s if self.window_s > 0 else 0.0

    @property
    def unanswered(self) -> int:
        return self.sent - self.responses

    @property
    def errors(self) -> int:
        """Answers other than the expected success, plus socket errors and requests wrk
        never saw answered."""
        sockets = sum(self.wrk.socket_errors.values())
        return self.responses - self.accepted + sockets + max(self.unanswered, 0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "sent": self.sent,
            "responses": self.responses,
            "accepted": self.accepted,
            "unanswered": self.unanswered,
            "window_s": self.window_s,
            "accepted_per_s": self.accepted_per_s,
            "statuses": self.statuses,
            "errors": self.errors,
            "wrk": self.wrk.as_dict(),
        }


@dataclass
class Csrf:
    cookie: str
    token: str


@dataclass
class Snapshot:
    """The database before the spike: what was there already."""

    taken_at: Any  # PostgreSQL's clock then
    page_id: int
    max_signature_id: int
    max_person_id: int
    max_audit_id: int
    confirmation_tasks: int
    confirmed: int


@dataclass
class Checks:
    """Checks of correctness: each a label, the expected and the found value, in a group
    ("page", "spike": lost or duplicated signatures, "confirmation")."""

    items: list[dict[str, Any]] = field(default_factory=list)
    group: str = "spike"

    def add(self, label: str, expected: Any, found: Any) -> None:
        ok = expected == found
        self.items.append(
            {"group": self.group, "check": label, "expected": expected, "found": found, "ok": ok}
        )
        mark = "ok" if ok else "FAILED"
        print(f"  check: {label}: expected {expected}, found {found}: {mark}", flush=True)

    def of(self, group: str) -> list[dict[str, Any]]:
        return [item for item in self.items if item["group"] == group]

    def failed(self, group: str) -> list[dict[str, Any]]:
        return [item for item in self.of(group) if not item["ok"]]

    def verdict(self, group: str) -> str:
        failed = self.failed(group)
        if not failed:
            return f"All {len(self.of(group))} checks passed."
        return "FAILED: " + "; ".join(
            f"{i['check']} (expected {i['expected']}, found {i['found']})" for i in failed
        )


def run(ctx: BenchContext) -> ScenarioResult:
    database_url = ctx.server_env.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise ScenarioSkipped(
            "the signatures scenario checks its results in PostgreSQL; this run uses "
            f"{database_url.split(':', 1)[0] or 'no database URL'}."
        )
    if ctx.tmp is None:
        raise RuntimeError("the signatures scenario needs the harness's temp dir")
    # The shared machine may have got busy since the harness looked: look again.
    busy = cpu_busy(2.0)
    print(f"  CPU busy before this scenario (other processes): {busy:.0%}", flush=True)
    redis_note = _flush_redis()
    env = {**ctx.server_env, **RATE_ENV}
    env.pop("REDIS_URL", None)
    if redis_note is None:
        env["REDIS_URL"] = REDIS_URL
        print(f"  Redis {REDIS_URL}: flushed", flush=True)
    else:
        print(f"  Redis: {redis_note}; cache and rate limits per process", flush=True)

    with ExitStack() as stack:
        log_path = ctx.tmp / "gunicorn-signatures.log"
        base_url = start_gunicorn(
            stack,
            env,
            port=free_port(),
            workers=ctx.gunicorn_workers,
            max_requests=ctx.max_requests,
            log_path=log_path,
        )
        print(f"  gunicorn for this scenario: {ctx.gunicorn_workers} workers on {base_url}")
        import psycopg

        started = datetime.datetime.now(datetime.UTC)
        try:
            result = _measure(ctx, env, base_url, database_url, redis_note)
        except psycopg.Error as exc:
            raise RuntimeError(f"a query of the signatures scenario failed: {exc}") from exc
        finally:
            _drop_queued_tasks(database_url, started)
        result.raw["cpu_busy_before_scenario"] = round(busy, 3)
        other = result.raw["other_cpu_share"]
        result.notes.insert(1, _other_note(busy, other.get("posts"), other.get("gets")))
        server_log = log_path.read_text(errors="replace")
        if re.search(r"Traceback|\[(ERROR|CRITICAL)\]| (ERROR|CRITICAL) ", server_log):
            print(f"\ngunicorn reported errors; the end of its log:\n{log_tail(log_path)}")
            result.notes.append("gunicorn logged errors during this scenario (see stdout).")
    return result


def _drop_queued_tasks(database_url: str, since: datetime.datetime) -> None:
    """No worker runs in this scenario: the tasks its load queued would wait for the next
    scenario's workers (the letters scenario starts from an empty queue)."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as db:
        dropped = db.execute(
            "DELETE FROM django_tasks_database_dbtaskresult WHERE status = 'READY' "
            "AND task_path = ANY(%s) AND enqueued_at >= %s",
            ([CONFIRMATION_TASK, NOOP_TASK], since),
        ).rowcount
    print(f"  dropped the {dropped:,} tasks the scenario queued (no worker sends them)")


def _measure(
    ctx: BenchContext, env: dict[str, str], base_url: str, database_url: str, redis_note: str | None
) -> ScenarioResult:
    import psycopg  # installed with the project (its PostgreSQL driver)

    session = secrets.token_hex(3)
    other_cpu = OtherCpu(urllib.parse.urlsplit(database_url).path.lstrip("/"))
    other_share: dict[str, float | None] = {}
    # libpq reads dj-database-url's postgres:// URL as it is.
    checks = Checks(group="page")
    with psycopg.connect(database_url, autocommit=True) as db:
        before = _snapshot(db)
        csrf = _csrf_pair(base_url)
        print(f"  GET {PETITION}: 200, csrftoken cookie and form token", flush=True)
        # The page is served from a shared rendering: each visitor must still get their own.
        other = _csrf_pair(base_url)
        checks.add(
            "two anonymous GETs of the cached page: different CSRF cookies and tokens",
            True,
            other.cookie != csrf.cookie and other.token != csrf.token,
        )
        _check_posts(base_url, csrf, session)

        sign_runs: list[PostRun] = []
        insert_runs: list[PostRun] = []
        enqueue_runs: list[PostRun] = []
        service_runs: list[PostRun] = []
        warm_sign: list[PostRun] = []
        warm_insert: list[PostRun] = []
        loads = (
            ("sign", sign_runs, ctx.seconds),
            ("insert", insert_runs, ctx.seconds),
            # The references run shorter, to keep the scenario's time bounded; their code
            # paths are warm from the signatures' (enqueue, service).
            ("enqueue", enqueue_runs, _reference_seconds(ctx)),
            ("service", service_runs, _reference_seconds(ctx)),
        )
        if ctx.warmup_seconds:
            print(f"  warm-up: {ctx.warmup_seconds} s of each POST (not measured)", flush=True)
            for mode, runs in (("sign", warm_sign), ("insert", warm_insert)):
                runs.append(_post_run(ctx, base_url, csrf, mode, f"{session}w", ctx.warmup_seconds))
        other_cpu.start()
        for round_no in range(1, ctx.runs + 1):
            for mode, runs, seconds in loads:
                # The service's signatures are checked with the form's, by their run ids.
                run_id = f"{session}{'s' if mode == 'service' else 'r'}{round_no}"
                run_ = _post_run(ctx, base_url, csrf, mode, run_id, seconds)
                runs.append(run_)
                path = _post_load(mode)[0]
                print(
                    f"  run {round_no}/{ctx.runs} POST {path}: {run_.accepted_per_s:,.0f} "
                    f"accepted/s, p50 {_ms(run_.wrk.p50_ms)}, p99 {_ms(run_.wrk.p99_ms)}, "
                    f"errors {run_.errors}, unanswered {run_.unanswered}",
                    flush=True,
                )

        other_share["posts"] = other_cpu.share()
        _print_other("POST runs", other_share["posts"])
        checks.group = "spike"
        spike = _spike_checks(
            db,
            before,
            checks,
            session,
            sign_runs=warm_sign + sign_runs + service_runs,
            insert_runs=warm_insert + insert_runs,
            enqueue_runs=enqueue_runs,
        )
        checks.group = "confirmation"
        confirm = _confirm_sample(db, env, ctx.tmp, base_url, csrf, before, checks)
        profile = _profile(env, ctx.tmp, session)
        profile["outcomes"] = _outcomes(env, ctx.tmp, session)

    page_runs, ping_runs = _read_load(ctx, base_url, other_cpu)
    other_share["gets"] = other_cpu.share()
    _print_other("GET runs", other_share["gets"])
    return _result(
        ctx,
        before=before,
        sign_runs=sign_runs,
        insert_runs=insert_runs,
        enqueue_runs=enqueue_runs,
        service_runs=service_runs,
        page_runs=page_runs,
        ping_runs=ping_runs,
        checks=checks,
        spike=spike,
        confirm=confirm,
        profile=profile,
        redis_note=redis_note,
        other_share=other_share,
    )


# --- set-up -------------------------------------------------------------------------------


def _flush_redis() -> str | None:
    """Flush the bench's Redis database; None if done, else why Redis cannot be used."""
    try:
        import redis
    except ImportError:
        return "the redis client is not installed"
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=5)
        client.flushdb()
        client.close()
    except redis.RedisError as exc:
        return f"not answering on {REDIS_URL} ({exc})"
    return None


def _snapshot(db: Any) -> Snapshot:
    page = db.execute(
        "SELECT p.id FROM wagtailcore_page p "
        "JOIN signons_petitionpage pp ON pp.page_ptr_id = p.id WHERE p.slug = %s",
        (PETITION_SLUG,),
    ).fetchone()
    if page is None:
        raise RuntimeError(f"no petition page {PETITION_SLUG!r}: load_demo did not create it")
    page_id = int(page[0])

    def one(query: str, params: tuple[Any, ...] = ()) -> int:
        row = db.execute(query, params).fetchone()
        return int(row[0] or 0)

    return Snapshot(
        taken_at=db.execute("SELECT now()").fetchone()[0],
        page_id=page_id,
        max_signature_id=one("SELECT max(id) FROM signons_signature"),
        max_person_id=one("SELECT max(id) FROM people_person"),
        max_audit_id=one("SELECT max(id) FROM core_auditentry"),
        confirmation_tasks=one(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE task_path = %s",
            (CONFIRMATION_TASK,),
        ),
        confirmed=one(
            "SELECT count(*) FROM signons_signature WHERE page_id = %s AND state = 'confirmed'",
            (page_id,),
        ),
    )


def _http(
    base_url: str,
    method: str,
    path: str,
    *,
    body: str | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
) -> tuple[int, http.client.HTTPResponse, str]:
    """One request on loopback, redirects not followed; the connection is closed after."""
    parts = urllib.parse.urlsplit(base_url)
    if parts.hostname != "127.0.0.1" or parts.port is None:
        raise ValueError(f"the benchmark only talks to loopback, not {base_url}")
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        return response.status, response, text
    finally:
        conn.close()


def _csrf_pair(base_url: str) -> Csrf:
    """A visitor's CSRF cookie and form token, from an anonymous GET of the petition."""
    status, response, body = _http(base_url, "GET", PETITION)
    cookie = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        cookie.load(header)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or PETITION_TITLE not in body or token is None or "csrftoken" not in cookie:
        raise RuntimeError(
            f"GET {PETITION} answered {status} without the petition, its form token or a "
            "csrftoken cookie; the demo content is not what this scenario expects."
        )
    if "csrf-placeholder" in body:
        raise RuntimeError(f"GET {PETITION} left the CSRF placeholder in the page")
    action = re.search(r'<form method="post" action="(/sign-on/\d+/)"', body)
    if action:
        global SIGN
        SIGN = action.group(1)
    return Csrf(cookie=cookie["csrftoken"].value, token=token.group(1))


def _sign_body(csrf: Csrf, email: str) -> str:
    return urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": csrf.token,
            "kind": "individual",
            "individual-given_name": "Bench",
            "individual-family_name": "Signer",
            "individual-email": email,
            "individual-postal_code": "K1A 0A6",
            "individual-city": "Ottawa",
            "individual-listing": "full",
        }
    )


def _check_posts(base_url: str, csrf: Csrf, session: str) -> None:
    """One signature and one insert by hand: both must succeed as wrk's will."""
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={csrf.cookie}",
    }
    email = f"bench-{session}c-0-1@example.invalid"
    status, response, _ = _http(
        base_url, "POST", SIGN, body=_sign_body(csrf, email), headers=headers
    )
    location = response.getheader("Location") or ""
    if status != 302 or not location.endswith(THANKS):
        raise RuntimeError(f"POST {SIGN} answered {status} (Location {location!r}), not 302")
    print(f"  POST {SIGN}: 302 to {THANKS}", flush=True)
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf.token})
    for path in (INSERT, INSERT_ENQUEUE):
        status, _, text = _http(base_url, "POST", path, body=body, headers=headers)
        if status != 200 or text != "ok":
            raise RuntimeError(f"POST {path} answered {status}, not 200 ok")
        print(f"  POST {path}: 200", flush=True)


# --- load ---------------------------------------------------------------------------------


def _post_load(mode: str) -> tuple[str, str, str]:
    """A POST load's path, the status it answers and the end of its Location (if any). A
    function: SIGN is read from the page at the start of the run."""
    return {
        "sign": (SIGN, "302", THANKS),
        "insert": (INSERT, "200", ""),
        "enqueue": (INSERT_ENQUEUE, "200", ""),
        "service": (SERVICE_PREFIX + SIGN.rstrip("/").rsplit("/", 1)[-1] + "/", "302", THANKS),
    }[mode]


def _reference_seconds(ctx: BenchContext) -> int:
    return max(3, ctx.seconds // 3)


def _post_run(
    ctx: BenchContext, base_url: str, csrf: Csrf, mode: str, run_id: str, seconds: int
) -> PostRun:
    path, expect_status, expect_location = _post_load(mode)
    # The Lua script's "insert" mode posts only the CSRF token: both reference views.
    script_mode = "sign" if mode in ("sign", "service") else "insert"
    args = [script_mode, run_id, str(seconds), csrf.cookie, csrf.token, expect_status]
    if expect_location:
        args.append(expect_location)
    result = run_wrk(
        ctx.wrk,
        base_url + path,
        seconds=seconds + DRAIN_SECONDS,
        threads=ctx.threads,
        connections=SPIKE_CONNECTIONS,
        script=LUA_SCRIPT,
        script_args=args,
    )
    report = result.script_report
    if report is None:
        raise RuntimeError(f"the wrk script printed no report for POST {path}")
    return PostRun(
        run_id=run_id,
        wrk=result,
        sent=int(report["sent"]),
        responses=int(report["responses"]),
        accepted=int(report["accepted"]),
        window_s=int(report["window_us"]) / 1e6,
        statuses={str(k): int(v) for k, v in report["statuses"].items()},
    )


def _read_load(
    ctx: BenchContext, base_url: str, other_cpu: OtherCpu
) -> tuple[list[WrkResult], list[WrkResult]]:
    """The petition page and the minimal view, anonymous GETs, interleaved rounds."""
    urls = {PETITION: base_url + PETITION, PING: base_url + PING}
    if ctx.warmup_seconds:
        for url in urls.values():
            _get_run(ctx, url, ctx.warmup_seconds)
    other_cpu.start()
    measured: dict[str, list[WrkResult]] = {path: [] for path in urls}
    for round_no in range(1, ctx.runs + 1):
        for path, url in urls.items():
            result = _get_run(ctx, url, ctx.seconds)
            measured[path].append(result)
            print(
                f"  run {round_no}/{ctx.runs} GET {path}: {result.requests_per_s:,.0f} req/s, "
                f"p50 {_ms(result.p50_ms)}, p99 {_ms(result.p99_ms)}, errors {result.errors}",
                flush=True,
            )
    return measured[PETITION], measured[PING]


def _get_run(ctx: BenchContext, url: str, seconds: int) -> WrkResult:
    return run_wrk(ctx.wrk, url, seconds=seconds, threads=ctx.threads, connections=ctx.connections)


# --- integrity ----------------------------------------------------------------------------


def _spike_checks(
    db: Any,
    before: Snapshot,
    checks: Checks,
    session: str,
    *,
    sign_runs: list[PostRun],
    insert_runs: list[PostRun],
    enqueue_runs: list[PostRun],
) -> dict[str, Any]:
    """Every 302 wrk saw is one new PENDING signature with one task; nothing more. Each
    reference view's 200s are its rows (and the second one's tasks)."""
    page_id, base_id = before.page_id, before.max_signature_id

    def one(query: str, params: tuple[Any, ...]) -> int:
        row = db.execute(query, params).fetchone()
        return int(row[0] or 0)

    unanswered = sum(max(r.unanswered, 0) for r in sign_runs)
    checks.add("signature requests left unanswered when wrk stopped", 0, unanswered)
    per_run = []
    # The signature posted by hand before the load, then wrk's runs (warm-up included).
    for run_id, accepted_302 in [(f"{session}c", 1)] + [(r.run_id, r.accepted) for r in sign_runs]:
        rows = one(
            "SELECT count(*) FROM signons_signature s JOIN people_person p "
            "ON p.id = s.person_id WHERE s.page_id = %s AND s.id > %s AND p.email LIKE %s",
            (page_id, base_id, f"bench-{run_id}-%"),
        )
        per_run.append({"run_id": run_id, "accepted_302": accepted_302, "rows": rows})
        checks.add(f"signatures stored for run {run_id} = its 302s", accepted_302, rows)
    accepted = sum(item["accepted_302"] for item in per_run)
    new_rows = one(
        "SELECT count(*) FROM signons_signature WHERE page_id = %s AND id > %s", (page_id, base_id)
    )
    checks.add("new signatures on the petition = all 302s (no lost, no extra)", accepted, new_rows)
    other_pages = one(
        "SELECT count(*) FROM signons_signature WHERE page_id <> %s AND id > %s",
        (page_id, base_id),
    )
    checks.add("new signatures on other pages", 0, other_pages)
    pending = one(
        "SELECT count(*) FROM signons_signature WHERE page_id = %s AND id > %s "
        "AND state = 'pending'",
        (page_id, base_id),
    )
    checks.add("new signatures PENDING", new_rows, pending)
    distinct_emails = one(
        "SELECT count(DISTINCT p.email) FROM signons_signature s JOIN people_person p "
        "ON p.id = s.person_id WHERE s.page_id = %s AND s.id > %s",
        (page_id, base_id),
    )
    checks.add("distinct e-mails among new signatures", new_rows, distinct_emails)
    duplicate_emails = one(
        "SELECT count(*) FROM (SELECT lower(email) FROM people_person WHERE email IS NOT NULL "
        "GROUP BY lower(email) HAVING count(*) > 1) d",
        (),
    )
    checks.add("e-mails held by more than one person (people_person)", 0, duplicate_emails)
    new_people = one("SELECT count(*) FROM people_person WHERE id > %s", (before.max_person_id,))
    checks.add("new people = new signatures", new_rows, new_people)
    duplicate_signers = one(
        "SELECT count(*) FROM (SELECT 1 FROM signons_signature WHERE person_id IS NOT NULL "
        "GROUP BY page_id, person_id HAVING count(*) > 1) d",
        (),
    )
    checks.add("people with two signatures on one page", 0, duplicate_signers)

    task_rows = db.execute(
        "WITH t AS (SELECT (args_kwargs->'args'->>0)::bigint AS sid, count(*) AS n "
        "  FROM django_tasks_database_dbtaskresult WHERE task_path = %s GROUP BY 1) "
        "SELECT count(*) FILTER (WHERE t.n = 1), count(*) FILTER (WHERE t.n IS NULL), "
        "  count(*) FILTER (WHERE t.n > 1) "
        "FROM signons_signature s LEFT JOIN t ON t.sid = s.id "
        "WHERE s.page_id = %s AND s.id > %s",
        (CONFIRMATION_TASK, page_id, base_id),
    ).fetchone()
    one_task, no_task, several_tasks = (int(x) for x in task_rows)
    checks.add("new signatures with exactly one confirmation task", new_rows, one_task)
    checks.add("new signatures without a task", 0, no_task)
    checks.add("new signatures with more than one task", 0, several_tasks)
    new_tasks = (
        one(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE task_path = %s",
            (CONFIRMATION_TASK,),
        )
        - before.confirmation_tasks
    )
    checks.add("new confirmation tasks = new signatures", new_rows, new_tasks)

    inserted = one(
        "SELECT count(*) FROM core_auditentry WHERE id > %s AND action = 'bench.insert'",
        (before.max_audit_id,),
    )
    insert_ok = 1 + sum(r.accepted for r in insert_runs)
    checks.add("rows inserted by /bench/insert/ = its 200s", insert_ok, inserted)
    enqueue_ok = 1 + sum(r.accepted for r in enqueue_runs)
    enqueued_rows = one(
        "SELECT count(*) FROM core_auditentry WHERE id > %s AND action = 'bench.enqueue'",
        (before.max_audit_id,),
    )
    checks.add(f"rows inserted by {INSERT_ENQUEUE} = its 200s", enqueue_ok, enqueued_rows)
    noop_tasks = one(
        "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE task_path = %s "
        "AND enqueued_at >= %s",
        (NOOP_TASK, before.taken_at),
    )
    checks.add(f"tasks queued by {INSERT_ENQUEUE} = its 200s", enqueue_ok, noop_tasks)
    return {
        "accepted_302_total": accepted,
        "new_signatures": new_rows,
        "new_tasks": new_tasks,
        "per_run": per_run,
        "insert_200_total": insert_ok,
        "insert_rows": inserted,
        "insert_enqueue_200_total": enqueue_ok,
        "insert_enqueue_rows": enqueued_rows,
        "insert_enqueue_tasks": noop_tasks,
    }


def _confirm_sample(
    db: Any,
    env: dict[str, str],
    tmp: Path,
    base_url: str,
    csrf: Csrf,
    before: Snapshot,
    checks: Checks,
) -> dict[str, Any]:
    """Confirm a sample over HTTP, each link's button pressed twice at once (a double
    click: opening a link only shows the button, its POST confirms), then compare the
    project's count with an exact count of CONFIRMED signatures."""
    ids = [
        int(row[0])
        for row in db.execute(
            "SELECT id FROM signons_signature WHERE page_id = %s AND id > %s "
            "AND state = 'pending' ORDER BY random() LIMIT %s",
            (before.page_id, before.max_signature_id, CONFIRM_SAMPLE),
        ).fetchall()
    ]
    tokens = _django(env, tmp, "tokens", ids)
    if sorted(int(k) for k in tokens) != sorted(ids):
        raise RuntimeError("the token helper did not return one token per signature")
    paths = [f"{PETITION}confirm/{token}/" for token in tokens.values()] * 2
    random.shuffle(paths)

    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={csrf.cookie}",
    }
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf.token})

    def confirm(path: str) -> tuple[int, bool]:
        status, _, body = _http(base_url, "POST", path, body=form, headers=headers)
        return status, "is confirmed and counted" in body

    print(
        f"  confirming {len(ids)} signatures: {len(paths)} POSTs (each link's button twice) "
        f"from {CONFIRM_CLIENTS} clients",
        flush=True,
    )
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=CONFIRM_CLIENTS) as pool:
        answers = list(pool.map(confirm, paths))
    seconds = time.monotonic() - started
    statuses = Counter(str(status) for status, _ in answers)
    confirmed_pages = sum(1 for status, ok in answers if status == 200 and ok)
    checks.add(
        "confirmation POSTs answered 200 'confirmed and counted'", len(paths), confirmed_pages
    )

    def one(query: str, params: tuple[Any, ...]) -> int:
        row = db.execute(query, params).fetchone()
        return int(row[0] or 0)

    sample_confirmed = one(
        "SELECT count(*) FROM signons_signature WHERE id = ANY(%s) AND state = 'confirmed'",
        (ids,),
    )
    checks.add("sample signatures now CONFIRMED", len(ids), sample_confirmed)
    consents = one(
        "SELECT count(*) FROM people_consent c JOIN signons_signature s "
        "ON s.person_id = c.person_id WHERE s.id = ANY(%s)",
        (ids,),
    )
    checks.add("consents recorded for the sample (2 each, not 4)", 2 * len(ids), consents)
    exact = one(
        "SELECT count(*) FROM signons_signature WHERE page_id = %s AND state = 'confirmed'",
        (before.page_id,),
    )
    checks.add("CONFIRMED on the petition = before + sample", before.confirmed + len(ids), exact)
    counted = _django(env, tmp, "counts", None)
    checks.add("count_total(page) = exact count of CONFIRMED", exact, int(counted["count_total"]))
    shards = one(
        "SELECT sum(count) FROM signons_signaturecountshard WHERE page_id = %s",
        (before.page_id,),
    )
    status, _, body = _http(base_url, "GET", PETITION)
    shown = re.search(r'data-testid="signature-count">\s*([\d,\s]+?)\s*<', body)
    shown_count = int(re.sub(r"\D", "", shown.group(1))) if (status == 200 and shown) else None
    checks.add("count the petition page shows right after", exact, shown_count)
    return {
        "sample": len(ids),
        "requests": len(paths),
        "statuses": dict(statuses),
        "seconds": seconds,
        "requests_per_s": len(paths) / seconds if seconds else 0.0,
        "confirmed_exact": exact,
        "count_total": int(counted["count_total"]),
        "shard_sum": shards,
        "page_shows": shown_count,
    }


def _profile(env: dict[str, str], tmp: Path, session: str) -> dict[str, Any]:
    print(f"  in-process profile of {PROFILE_SUBMISSIONS} + {PROFILE_SUBMISSIONS} submissions")
    return _django(
        env,
        tmp,
        "profile",
        {"count": PROFILE_SUBMISSIONS, "run_id": f"{session}p", "sign_path": SIGN},
    )


def _outcomes(env: dict[str, str], tmp: Path, session: str) -> dict[str, Any]:
    print(f"  action forms' answer time by outcome: {OUTCOME_SUBMISSIONS} of each, interleaved")
    found = _django(
        env,
        tmp,
        "outcomes",
        {"count": OUTCOME_SUBMISSIONS, "run_id": f"{session}o", "sign_path": SIGN},
    )
    for form, data in found["forms"].items():
        medians, ratios = data["median_ms"], data["ratio_to_new"]
        print(
            f"  {form}: "
            + ", ".join(
                f"{kind} {_ms(medians[kind])} ({ratios[kind]:.2f}× new)"
                for kind in ("new", "pending", "confirmed")
            )
            + f"; answers {data['answers']}",
            flush=True,
        )
    return found


def _django(env: dict[str, str], tmp: Path, function: str, data: Any) -> Any:
    return run_in_django(env, tmp, "signatures_django", function, data, timeout=300)


# --- report -------------------------------------------------------------------------------


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def _result(
    ctx: BenchContext,
    *,
    before: Snapshot,
    sign_runs: list[PostRun],
    insert_runs: list[PostRun],
    enqueue_runs: list[PostRun],
    service_runs: list[PostRun],
    page_runs: list[WrkResult],
    ping_runs: list[WrkResult],
    checks: Checks,
    spike: dict[str, Any],
    confirm: dict[str, Any],
    profile: dict[str, Any],
    redis_note: str | None,
    other_share: dict[str, float | None],
) -> ScenarioResult:
    sign_rate = _median([r.accepted_per_s for r in sign_runs])
    insert_rate = _median([r.accepted_per_s for r in insert_runs])
    page_rate = _median([r.requests_per_s for r in page_runs])
    ping_rate = _median([r.requests_per_s for r in ping_runs])
    sign_p50 = _median([r.wrk.p50_ms for r in sign_runs])
    sign_p99 = _median([r.wrk.p99_ms for r in sign_runs])
    sign_requests = sum(r.sent for r in sign_runs)
    sign_errors = sum(r.errors for r in sign_runs)
    error_rate = sign_errors / sign_requests if sign_requests else 0.0
    share = sign_rate / insert_rate if insert_rate else 0.0
    enqueue_rate = _median([r.accepted_per_s for r in enqueue_runs])
    enqueue_share = enqueue_rate / insert_rate if insert_rate else 0.0
    service_rate = _median([r.accepted_per_s for r in service_runs])
    service_share = service_rate / insert_rate if insert_rate else 0.0
    page_share = page_rate / ping_rate if ping_rate else 0.0

    def post_row(label: str, path: str, runs: list[PostRun], ratio: str) -> dict[str, str]:
        return {
            "load": label,
            "path": f"`POST {path}`",
            "rate": f"{_median([r.accepted_per_s for r in runs]):,.0f}",
            "p50": _ms(_median([r.wrk.p50_ms for r in runs])),
            "p99": _ms(_median([r.wrk.p99_ms for r in runs])),
            "ratio": ratio,
            "runs": " / ".join(f"{r.accepted_per_s:,.0f}" for r in runs),
            "errors": f"{sum(r.errors for r in runs)} of {sum(r.sent for r in runs):,}",
        }

    def get_row(label: str, path: str, runs: list[WrkResult], ratio: str) -> dict[str, str]:
        return {
            "load": label,
            "path": f"`GET {path}`",
            "rate": f"{_median([r.requests_per_s for r in runs]):,.0f}",
            "p50": _ms(_median([r.p50_ms for r in runs])),
            "p99": _ms(_median([r.p99_ms for r in runs])),
            "ratio": ratio,
            "runs": " / ".join(f"{r.requests_per_s:,.0f}" for r in runs),
            "errors": f"{sum(r.errors for r in runs)} of {sum(r.requests for r in runs):,}",
        }

    rows = [
        post_row("Signature submissions (302s)", SIGN, sign_runs, f"{share:.3f}"),
        post_row("Write ceiling: one-row insert", INSERT, insert_runs, "1.000"),
        post_row(
            "Reference: that insert + one task queued (tasks API), one transaction",
            INSERT_ENQUEUE,
            enqueue_runs,
            f"{enqueue_share:.3f}",
        ),
        post_row(
            "Reference: the sign-on's rate limits and service, no form (302s)",
            _post_load("service")[0],
            service_runs,
            f"{service_share:.3f}",
        ),
        get_row("Petition page, anonymous", PETITION, page_runs, f"{page_share:.3f}"),
        get_row("Minimal view", PING, ping_runs, "1.000"),
    ]

    spike_failed = checks.failed("spike")
    targets = [
        _target(
            f"≥ {TARGET_SUBMISSIONS:,.0f} signature submissions/s",
            sign_rate >= TARGET_SUBMISSIONS,
            f"{sign_rate:,.0f}/s",
        ),
        _target(
            f"submission p99 < {TARGET_P99_MS:.0f} ms",
            sign_p99 < TARGET_P99_MS,
            _ms(sign_p99),
        ),
        _target(
            "zero lost or duplicated signatures",
            not spike_failed,
            f"all {len(checks.of('spike'))} checks passed"
            if not spike_failed
            else f"{len(spike_failed)} check(s) failed: "
            + "; ".join(i["check"] for i in spike_failed),
        ),
        _target(
            f"≥ {TARGET_CEILING_SHARE:.0%} of the insert ceiling",
            share >= TARGET_CEILING_SHARE,
            f"{share:.0%} ({sign_rate:,.0f} of {insert_rate:,.0f}/s; the insert with one "
            f"task queued through the tasks API in the same transaction: {enqueue_share:.0%}; "
            f"the sign-on's rate limits and service without the form: {service_share:.0%})",
        ),
        _target(
            f"petition page ≥ {TARGET_PAGE_RPS:,.0f} requests/s",
            page_rate >= TARGET_PAGE_RPS,
            f"{page_rate:,.0f}/s ({page_share:.0%} of the minimal view)",
        ),
    ]

    redis = (
        f"`REDIS_URL={REDIS_URL}` (flushed first)"
        if redis_note is None
        else f"no Redis ({redis_note}): per-process cache and rate-limit counters"
    )
    summary = (
        f"POSTs: wrk -t{ctx.threads} -c{SPIKE_CONNECTIONS} --latency with "
        f"`bench/scenarios/post_load.lua`, {ctx.runs} runs × {ctx.seconds} s of sending (+ "
        f"{DRAIN_SECONDS} s for the last answers) per URL in interleaved rounds (the two "
        f"references {_reference_seconds(ctx)} s), after {ctx.warmup_seconds} s of warm-up "
        f"for the submissions and the ceiling; GETs: wrk -t{ctx.threads} -c{ctx.connections} "
        f"--latency, {ctx.runs} runs × {ctx.seconds} s, interleaved. Against a gunicorn of the "
        "scenario's own, configured as above plus "
        f"`HARBOUR_SIGN_RATE_IP={RATE_ENV['HARBOUR_SIGN_RATE_IP']}`, "
        f"`HARBOUR_SIGN_RATE_EMAIL={RATE_ENV['HARBOUR_SIGN_RATE_EMAIL']}` and {redis}."
    )
    integrity = (
        f"Integrity, in PostgreSQL after the runs: {spike['accepted_302_total']:,} 302s seen "
        f"(the runs, the warm-up and one check by hand; each run's own count matched against "
        f"its e-mail addresses), {spike['new_signatures']:,} new signatures on the petition, "
        f"all PENDING, {spike['new_tasks']:,} new confirmation tasks, one per signature; "
        "no request left unanswered, no duplicate e-mail in `people_person`, no person with "
        f"two signatures on a page; {spike['insert_rows']:,} rows for "
        f"{spike['insert_200_total']:,} insert 200s; {spike['insert_enqueue_rows']:,} rows and "
        f"{spike['insert_enqueue_tasks']:,} tasks for {spike['insert_enqueue_200_total']:,} "
        "insert-and-enqueue 200s. " + checks.verdict("spike")
    )
    confirmation = (
        f"Confirmation: {confirm['sample']} new signatures confirmed over HTTP, each link's "
        f"button pressed twice at once ({confirm['requests']:,} POSTs from {CONFIRM_CLIENTS} "
        "threads, "
        f"{confirm['requests_per_s']:,.0f}/s, statuses {_statuses(confirm['statuses'])}); "
        f"then `count_total(page)` = {confirm['count_total']:,}, exact count of CONFIRMED = "
        f"{confirm['confirmed_exact']:,} (before {before.confirmed:,} + {confirm['sample']}), "
        f"shard sum {confirm['shard_sum']:,}, the page showed {confirm['page_shows']}; "
        "each signature confirmed once (2 consent rows each, not 4). "
        + checks.verdict("confirmation")
    )
    page_check = (
        "The cached petition page gave two anonymous visitors different CSRF cookies and "
        "form tokens; one visitor's pair served every POST of the scenario. "
        if not checks.failed("page")
        else f"Petition page: {checks.verdict('page')} "
    )
    notes = [
        "Targets: " + "; ".join(targets) + ".",
        # run() inserts the note on other processes' CPU here
        integrity,
        confirmation,
        page_check.strip(),
        _profile_note(profile),
        "Signature submissions/s: 302s to the thanks page counted by the wrk script, over "
        "the time from its first request to its last answer; p50/p99 are wrk's, of every "
        "request of the run. “vs ceiling”: submissions/s (and the insert-and-enqueue view's "
        "200s/s) over the one-row insert's accepted (200) requests/s under the same load; the "
        "page's requests/s over the minimal view's.",
        "Errors: answers other than the expected 302 (or 200), socket errors, and requests "
        f"left unanswered, over the requests sent. Submission error rate: {error_rate:.2%}.",
        "The sign-on rate limits are raised for the run: every request comes from one "
        "address (127.0.0.1), and the default of 20 signatures per address per hour would "
        "turn away all but the first 20. Each request signs with a new e-mail address.",
    ]
    return ScenarioResult(
        name=SCENARIO.name,
        title=SCENARIO.title,
        summary=summary,
        columns=COLUMNS,
        rows=rows,
        notes=notes,
        raw={
            "other_cpu_share": other_share,
            "server_env": {
                **RATE_ENV,
                "REDIS_URL": REDIS_URL if redis_note is None else None,
                "redis_note": redis_note,
            },
            "spike_connections": SPIKE_CONNECTIONS,
            "drain_seconds": DRAIN_SECONDS,
            "signature_submissions": {
                "median_accepted_per_s": sign_rate,
                "median_p50_ms": sign_p50,
                "median_p99_ms": sign_p99,
                "error_rate": error_rate,
                "runs": [r.as_dict() for r in sign_runs],
            },
            "insert_ceiling": {
                "median_accepted_per_s": insert_rate,
                "runs": [r.as_dict() for r in insert_runs],
            },
            "submissions_over_insert": share,
            "sign_service_reference": {
                "median_accepted_per_s": service_rate,
                "ratio_to_insert": service_share,
                "runs": [r.as_dict() for r in service_runs],
            },
            "insert_enqueue_reference": {
                "median_accepted_per_s": enqueue_rate,
                "ratio_to_insert": enqueue_share,
                "runs": [r.as_dict() for r in enqueue_runs],
            },
            "petition_page": {
                "median_requests_per_s": page_rate,
                "ratio_to_minimal_view": page_share,
                "runs": [r.as_dict() for r in page_runs],
            },
            "minimal_view": {
                "median_requests_per_s": ping_rate,
                "runs": [r.as_dict() for r in ping_runs],
            },
            "integrity": {"checks": checks.items, **spike},
            "confirmation": confirm,
            "profile": profile,
            "targets": targets,
        },
    )


def _print_other(label: str, share: float | None) -> None:
    if share is not None:
        print(f"  other processes took {share:.0%} of the CPU during the {label}", flush=True)


def _other_note(busy: float, posts: float | None, gets: float | None) -> str:
    note = f"Other processes kept {busy:.0%} of the CPU busy just before this scenario"
    if posts is None or gets is None:
        return note + "."
    warning = (
        " The machine was not idle: the numbers are low and noisy."
        if max(busy, posts, gets) > 0.10
        else ""
    )
    return (
        f"{note}, and took {posts:.0%} of it during the POST runs and {gets:.0%} during the "
        "GET runs (all CPU time less this benchmark's own, its PostgreSQL's and Redis's: "
        f"`bench/cpu.py`).{warning}"
    )


def _target(label: str, met: bool, found: str) -> str:
    return f"{label}: **{'met' if met else 'missed'}** ({found})"


def _statuses(statuses: dict[str, int]) -> str:
    return ", ".join(f"{count:,}× {status}" for status, count in sorted(statuses.items()))


def _profile_note(profile: dict[str, Any]) -> str:
    sign, page = profile["submission"], profile["page"]
    return (
        "Where the time goes, in one process, one request at a time (Django's test client, "
        f"same settings and cache, {sign['requests']} requests each, no load): "
        f"a submission takes {_costs(sign)}; under cProfile, "
        + ", ".join(_shares(sign))
        + f". Its SQL: {_sql_summary(sign['sql_of_one_request'])}. "
        f"A petition page view takes {_costs(page)}. "
        "The SQL of one request and both profiles are in the JSON file. "
        + _outcomes_note(profile.get("outcomes"))
    )


def _outcomes_note(found: dict[str, Any] | None) -> str:
    if not found:
        return ""
    parts = []
    for form, data in found["forms"].items():
        medians, ratios = data["median_ms"], data["ratio_to_new"]
        same = len({tuple(v) for v in data["answers"].values()}) == 1
        parts.append(
            f"{form} form: "
            + ", ".join(
                f"{kind} address {_ms(medians[kind])} ({ratios[kind]:.2f}× new)"
                for kind in ("new", "pending", "confirmed")
            )
            + ("; the same status and Location for all three" if same else "; ANSWERS DIFFER")
        )
    return (
        f"Answer time by what the address had done ({found['requests_per_outcome']} requests "
        "each, interleaved, one at a time, medians): " + "; ".join(parts) + "."
    )


def _costs(data: dict[str, Any]) -> str:
    return (
        f"{data['wall_ms_per_request']:.1f} ms ({data['sql_per_request']:.0f} SQL statements, "
        f"{data['sql_ms_per_request']:.1f} ms; {data['cache_calls_per_request']:.0f} cache "
        f"call(s), {data['cache_ms_per_request']:.1f} ms)"
    )


# Parts of a submission worth naming: a label and a pattern of their cProfile name.
PROFILE_PARTS = [
    (
        "Wagtail's routing (site, page, specific page)",
        r"^wagtail/models/pages\.py:\d+\(route_for_request\)$",
    ),
    ("the sign view", r"^signons/views\.py:\d+\(sign\)$"),
    (
        "of which `signature_create` (the transaction)",
        r"^signons/services\.py:\d+\(signature_create\)$",
    ),
    ("form validation", r"^django/forms/forms\.py:\d+\(is_valid\)$"),
    ("rate limits", r"^core/ratelimit\.py:\d+\(hit\)$"),
]


def _shares(data: dict[str, Any]) -> list[str]:
    total = data["profiled_ms_per_request"] * data["requests"] / 1000
    if total <= 0:
        return []

    def cumulative(pattern: str) -> float | None:
        for row in data["top_cumulative"]:
            if re.search(pattern, row["function"]):
                return float(row["cumtime_s"])
        return None

    shares = []
    serve = cumulative(r"^wagtail/views\.py:\d+\(serve\)$")
    if serve is not None:
        outside = 1 - serve / total
        shares.append(f"outside Wagtail's serve (middleware, request, response) {outside:.0%}")
    for label, pattern in PROFILE_PARTS:
        seconds = cumulative(pattern)
        if seconds is not None:
            shares.append(f"{label} {seconds / total:.0%}")
    return shares


def _sql_summary(statements: list[dict[str, str]]) -> str:
    """ "SELECT wagtailcore_page ×3, SAVEPOINT/RELEASE ×6, ..." in the order they first ran."""
    kinds = Counter(statement["kind"] for statement in statements)
    return ", ".join(f"{kind} ×{n}" if n > 1 else kind for kind, n in kinds.items())


def _ms(value: float) -> str:
    if value >= 1000:
        return f"{value / 1000:.2f} s"
    return f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms"


SCENARIO = Scenario(name="signatures", title="Petition signatures under a spike", run=run)
