"""Newsletter: a mailing to 50,000 subscribers sent by two task workers, the same mailing
with one worker killed twice, and the sign-up form under a spike.

1. Clean send. A list of its own with SUBSCRIBERS (50,000; BENCH_NEWSLETTER_SUBSCRIBERS=N
   changes it) confirmed subscribers, written in bulk. A mailing in English (text and a
   button) is sent now with `mailing_send`, as an organiser sends it, while two
   `manage.py task_worker`s run (started for the run, settled on the empty queue): the start
   task writes the recipients' rows and queues a batch task per HARBOUR_MAILING_BATCH rows,
   which the two workers share, sending into the scenario's SMTP sink (newsletter_sink.py).
   Messages/s from the first message to the last (and from the commit), the workers' RSS
   every 0.5 s (before, at a tenth of the messages, peak, end), CPU per message; then
   exactly once: each row's Message-ID received once, by its own address, nothing else.
2. The sink's capacity: client processes blast messages of the mailing's size at it.
3. Kills. Another mailing to the same list; when 30% and 60% of it have arrived, the worker
   holding a batch is killed (-9) and started again a second later (systemd's RestartSec);
   the killed worker's batch is put back by the other worker's task recovery (heartbeat
   stale after 3 s, WORKER_ENV) and its re-run marks the row its claim left `uncertain`.
   The time lost against the clean run, duplicates (none allowed), rows whose message never
   arrived (only `uncertain` ones may), and whether each `uncertain` one reached the sink.
4. Sign-ups. wrk posts /newsletter/ (a new address per request) against a gunicorn of the
   scenario's own with the newsletter's per-network limit raised, interleaved with the
   insert + enqueue reference, as the events scenario does; every 302 is then checked
   against the rows. The tasks the sign-ups queued are deleted at the end (no worker runs).
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
from bench.scenarios.letters_runs import _scenario_env
from bench.scenarios.newsletter_common import (
    CALIBRATION_MESSAGES,
    KILL_AT,
    NAME,
    PROFILE_RECIPIENTS,
    PROFILE_SIGNUPS,
    RATE_ENV,
    SIGNUP_TASK,
    SUBSCRIBERS,
    TARGET_PER_S,
    TITLE,
    _django,
    _profile,
)
from bench.scenarios.newsletter_report import result
from bench.scenarios.newsletter_send import send_run
from bench.scenarios.newsletter_sink import calibrate, start_sink
from bench.scenarios.newsletter_spike import check_signup, signup_form, spike, stored_checks
from bench.scenarios.signatures import _drop_queued_tasks
from bench.scenarios.signatures_common import NOOP_TASK, REDIS_URL, Checks
from bench.scenarios.signatures_load import _flush_redis
from bench.server import free_port, log_tail, start_gunicorn


def run(ctx: BenchContext) -> ScenarioResult:
    database_url = ctx.server_env.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise ScenarioSkipped("the newsletter scenario checks its results in PostgreSQL")
    if ctx.tmp is None:
        raise RuntimeError("the newsletter scenario needs the harness's temp dir")
    busy = cpu_busy(2.0)
    print(f"  CPU busy before this scenario (other processes): {busy:.0%}", flush=True)
    redis_note = _flush_redis()
    started = datetime.datetime.now(datetime.UTC)
    found: dict[str, Any] = {"busy": busy, "redis_note": redis_note}
    with ExitStack() as stack:
        sink = start_sink(stack)
        env = {**_scenario_env(ctx, sink.port), **RATE_ENV}
        env.pop("REDIS_URL", None)
        if redis_note is None:
            env["REDIS_URL"] = REDIS_URL
        print(f"  SMTP sink on 127.0.0.1:{sink.port}; Redis: {redis_note or REDIS_URL}")
        session = secrets.token_hex(3)
        data = {"session": session, "subscribers": SUBSCRIBERS}
        prepared = _django(env, ctx.tmp, "prepare", data)
        found["prepared"] = prepared
        print(
            f"  {prepared['subscribers']:,} subscribers (people, consents, subscriptions) "
            f"written in {prepared['create_s']:.1f} s",
            flush=True,
        )
        import psycopg

        try:
            with psycopg.connect(database_url, autocommit=True) as db:
                _measure(ctx, env, db, database_url, sink, prepared, session, found)
        finally:
            _drop_queued_tasks(database_url, started, [SIGNUP_TASK, NOOP_TASK])
    return result(ctx, found)


def _measure(
    ctx: BenchContext,
    env: dict[str, str],
    db: Any,
    database_url: str,
    sink: Any,
    prepared: dict[str, Any],
    session: str,
    found: dict[str, Any],
) -> None:
    assert ctx.tmp is not None
    database = urllib.parse.urlsplit(database_url).path.lstrip("/")
    checks = Checks(group="clean")
    count = int(prepared["subscribers"])
    print(f"  clean run: a mailing to {count:,} subscribers, two task workers", flush=True)
    clean = send_run(db, env, ctx.tmp, database, sink, prepared, checks, tag=f"{session}a")
    found["clean"] = clean
    _say(clean)

    size = max(1000, int(clean["message_bytes"]))
    messages = min(CALIBRATION_MESSAGES, max(2000, count))
    found["sink"] = calibrate(sink, messages=messages, size=size)
    print(
        f"  sink calibration: {messages:,} messages of {size:,} bytes from 2 client processes "
        f"at {found['sink']['per_s']:,.0f}/s; its CPU {found['sink']['cpu_ms_each']:.3f} ms "
        "per message",
        flush=True,
    )

    checks.group = "kills"
    shares = " and ".join(f"{share:.0%}" for share in KILL_AT)
    print(f"  kill run: another mailing, a worker killed (-9) at {shares}", flush=True)
    kills = send_run(
        db, env, ctx.tmp, database, sink, prepared, checks, tag=f"{session}k", kill_at=KILL_AT
    )
    found["kills"] = kills
    _say(kills)
    found["batch_profile"] = None
    if clean["per_s"] < TARGET_PER_S:
        print(f"  target missed: a batch profiled in process ({PROFILE_RECIPIENTS} recipients)")
        data = {"session": session, "count": PROFILE_RECIPIENTS, "user_id": prepared["user_id"]}
        found["batch_profile"] = _profile(env, ctx.tmp, "profile_batch", data)

    checks.group = "signups"
    log_path = ctx.tmp / "gunicorn-newsletter.log"
    with ExitStack() as stack:
        base_url = start_gunicorn(
            stack, env, port=free_port(), workers=ctx.gunicorn_workers,
            max_requests=ctx.max_requests, log_path=log_path,
        )  # fmt: skip
        print(f"  gunicorn for the sign-ups: {ctx.gunicorn_workers} workers on {base_url}")
        csrf, path, fields = signup_form(base_url)
        print(f"  GET /newsletter/: 200, the form (posting to {path}) and a CSRF pair")
        check_signup(base_url, path, csrf, fields, f"{session}c")
        other_cpu = OtherCpu(database)
        warm, signups, reference = spike(ctx, base_url, path, csrf, fields, session, other_cpu)
        found["other_cpu_posts"] = other_cpu.share()
    found.update(path=path, warm=warm, signups=signups, reference=reference)
    found["stored"] = stored_checks(db, checks, session, warm + signups)
    print(f"  in-process profile of {PROFILE_SIGNUPS} + {PROFILE_SIGNUPS} sign-ups", flush=True)
    data = {"path": path, "run_id": f"{session}p", "count": PROFILE_SIGNUPS, "fields": fields}
    found["signup_profile"] = _profile(env, ctx.tmp, "profile_signups", data)
    found["checks"] = checks
    server_log = log_path.read_text(errors="replace")
    found["gunicorn_errors"] = bool(
        re.search(r"Traceback|\[(ERROR|CRITICAL)\]| (ERROR|CRITICAL) ", server_log)
    )
    if found["gunicorn_errors"]:
        print(f"\ngunicorn reported errors; the end of its log:\n{log_tail(log_path)}")


def _say(run: dict[str, Any]) -> None:
    c = run["checks"]
    rss = ", ".join(
        f"{r['start_mb']:.0f}→{r['peak_mb']:.0f}→{r['end_mb']:.0f} MB" for r in run["rss"]
    )
    print(
        f"  {run['messages']:,} messages in {run['clock_s']:.1f} s from the commit "
        f"({run['per_s_from_commit']:,.0f}/s), {run['per_s']:,.0f}/s first to last (first "
        f"after {run['first_message_after_s']:.1f} s); RSS start→peak→end: {rss}; "
        f"duplicates {c['duplicates']}, missing {c['missing']}, uncertain {c['uncertain']} "
        f"({c['uncertain_received']} of them arrived)",
        flush=True,
    )


SCENARIO = Scenario(name=NAME, title=TITLE, run=run)
