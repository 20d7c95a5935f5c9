"""Petition signatures under a spike: how many sign-ons per second the site accepts, whether
every accepted one is stored exactly once with its confirmation task, whether confirming
keeps the count exact, and how the petition page holds up under read load.

The scenario runs its own gunicorn (same workers as the shared one) with what a spike on one
address needs: sign-on rate limits raised so that one load generator is not turned away, and
Redis for the cache and rate-limit counters as in production (database 15, flushed first).

Signatures are posted by wrk with a Lua script (post_load.lua) that gives each request a new
e-mail address and counts the answers; it stops sending a few seconds before wrk stops, so
that no request is left in flight and the database can be checked exactly against the 302s
it counted. The reference for a submission is `/bench/insert-enqueue/` under the same load:
it inserts one row and queues one task through the tasks API in one transaction, the least
any submission that queues its e-mail durably does (issue 14: a sign-up's target is ≥ 60%
of it). The one-row insert view (`/bench/insert/`) is the ceiling of a write on this server
and `/bench/ping/` the ceiling for the page. `/bench/sign-service/<page>/` runs shorter (a
third of the runs' time, no warm-up of its own): the sign-on's rate limits and
`signature_create` with fixed details, without the form. The tasks the scenario queued are
deleted at its end.
"""

import datetime
import re
import secrets
import urllib.parse
from contextlib import ExitStack

from bench.context import BenchContext, Scenario, ScenarioResult, ScenarioSkipped
from bench.cpu import OtherCpu
from bench.report import cpu_busy
from bench.scenarios.signatures_checks import _confirm_sample, _outcomes, _profile, _spike_checks
from bench.scenarios.signatures_common import (
    CONFIRMATION_TASK,
    NAME,
    NOOP_TASK,
    PETITION,
    RATE_ENV,
    REDIS_URL,
    TITLE,
    Checks,
    PostRun,
    _ms,
)
from bench.scenarios.signatures_load import (
    _check_posts,
    _csrf_pair,
    _flush_redis,
    _post_load,
    _post_run,
    _read_load,
    _reference_seconds,
    _snapshot,
)
from bench.scenarios.signatures_report import _other_note, _print_other, _result
from bench.server import free_port, log_tail, start_gunicorn


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


def _drop_queued_tasks(
    database_url: str, since: datetime.datetime, paths: list[str] | None = None
) -> None:
    """No worker runs in this scenario: the tasks its load queued would wait for the next
    scenario's workers (the letters scenario starts from an empty queue). `paths`: the
    tasks to drop (default: this scenario's)."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as db:
        dropped = db.execute(
            "DELETE FROM django_tasks_database_dbtaskresult WHERE status = 'READY' "
            "AND task_path = ANY(%s) AND enqueued_at >= %s",
            (paths or [CONFIRMATION_TASK, NOOP_TASK], since),
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
        warm_enqueue: list[PostRun] = []
        loads = (
            ("sign", sign_runs, ctx.seconds),
            ("enqueue", enqueue_runs, ctx.seconds),
            ("insert", insert_runs, ctx.seconds),
            # The service runs shorter, to keep the scenario's time bounded; its code path
            # is warm from the signatures'.
            ("service", service_runs, _reference_seconds(ctx)),
        )
        if ctx.warmup_seconds:
            print(f"  warm-up: {ctx.warmup_seconds} s of each POST (not measured)", flush=True)
            warm = (("sign", warm_sign), ("enqueue", warm_enqueue), ("insert", warm_insert))
            for mode, runs in warm:
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
            enqueue_runs=warm_enqueue + enqueue_runs,
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


SCENARIO = Scenario(name=NAME, title=TITLE, run=run)
