"""E-mail your MP: how fast a postal code finds its district, and how fast the task workers
send confirmed letters, each exactly once.

1. Lookups in process: one Django process calls `district_lookup(code)` (the offline
   backend: an in-process copy of the FSA table) for well-formed postal codes built from
   the FSAs in the database, some of them FSAs the table does not have, for a few seconds
   per run after a warm-up.
2. Letters end to end: an SMTP sink (aiosmtpd) on loopback records each message's
   Message-ID and envelope recipients. Before the clock, N letters from new supporters are
   created with the project's own services (their confirmation e-mails sent into the sink
   first). Two `manage.py db_worker` processes are started and left to settle on the empty
   queue, as in production, where workers run all the time; then another process confirms
   every letter in one transaction (`letter_confirm`, one `send_letter` task each: one
   delivery to the supporter's MP and one copy to the supporter). The clock runs from that
   commit to the arrival of the burst's last message. The workers' start-up is measured on
   its own. The sink's records are then checked against the
   Delivery rows and the task rows: every delivery arrived exactly once, under the
   Message-ID its row recorded.
"""

import os
import statistics
import urllib.parse
from contextlib import ExitStack
from pathlib import Path

from bench.context import BenchContext, Scenario, ScenarioResult
from bench.report import cpu_busy
from bench.scenarios.letters_common import (
    LOOKUP_CODES,
    LOOKUP_SECONDS,
    LOOKUP_WARMUP_SECONDS,
    NAME,
    PROFILE_LETTERS,
    TARGET_MESSAGES,
    TITLE,
    UNKNOWN_FSA_SHARE,
    WORKERS,
    _django,
    _start_sink,
)
from bench.scenarios.letters_report import _result
from bench.scenarios.letters_runs import SendRun, _drain, _scenario_env, _send_run


def run(ctx: BenchContext) -> ScenarioResult:
    if ctx.tmp is None:
        raise RuntimeError("the letters scenario needs the harness's temp dir")
    busy = cpu_busy(2.0)
    print(f"  CPU busy before this scenario (other processes): {busy:.0%}", flush=True)
    database = urllib.parse.urlsplit(ctx.server_env.get("DATABASE_URL", "")).path.lstrip("/")
    session = os.urandom(3).hex()
    with ExitStack() as stack:
        sink, port = _start_sink(stack)
        env = _scenario_env(ctx, port)
        print(f"  SMTP sink (aiosmtpd) on 127.0.0.1:{port}; EMAIL_URL points there", flush=True)

        print(
            f"  lookups: {ctx.runs} runs × {LOOKUP_SECONDS} s after {LOOKUP_WARMUP_SECONDS} s "
            "of warm-up, in one process",
            flush=True,
        )
        lookups = _django(
            env,
            ctx.tmp,
            "lookups",
            {
                "seed": 1,
                "codes": LOOKUP_CODES,
                "unknown_share": UNKNOWN_FSA_SHARE,
                "warmup_seconds": LOOKUP_WARMUP_SECONDS,
                "seconds": LOOKUP_SECONDS,
                "runs": ctx.runs,
            },
        )
        for n, r in enumerate(lookups["runs"], 1):
            print(f"  lookups run {n}: {r['per_s']:,.0f}/s ({r['lookups']:,})", flush=True)

        # The queue is empty after the harness's preparation: this is the workers' own cost
        # of starting, loading Django and finding nothing to do (not in the bursts' clock).
        startup = _drain(env, ctx.tmp, "startup", database)
        print(
            f"  {WORKERS} workers on an empty queue: {startup.clock_s:.1f} s, "
            f"{startup.cpu['workers']:.1f} CPU s",
            flush=True,
        )
        sends = [
            _send_run(env, ctx.tmp, sink, f"{session}r{n}", seed=n, database=database)
            for n in range(1, ctx.runs + 1)
        ]
        checked = _django(
            env,
            ctx.tmp,
            "check",
            {
                "runs": [
                    {
                        "name": s.name,
                        "letter_ids": s.prepare["letter_ids"],
                        "prepare": s.messages_prepare,
                        "measured": s.messages_measured,
                    }
                    for s in sends
                ]
            },
        )
        failed = [c for c in checked["checks"] if not c["ok"]]
        for c in checked["checks"]:
            mark = "ok" if c["ok"] else "FAILED"
            print(
                f"  check {c['run']}: {c['check']}: expected {c['expected']}, "
                f"found {c['found']}: {mark}",
                flush=True,
            )
        reps_rate = statistics.median(s.reps_per_s for s in sends)
        all_rate = statistics.median(s.messages_per_s for s in sends)
        profile = None
        if reps_rate < TARGET_MESSAGES or all_rate < TARGET_MESSAGES:
            print(f"  target missed: profiling one worker on {PROFILE_LETTERS} letters", flush=True)
            profile = _django(
                env,
                ctx.tmp,
                "profile",
                {"count": PROFILE_LETTERS, "run_id": f"{session}p", "seed": 99},
            )
        logs = _worker_log_errors(ctx.tmp, sends)
    return _result(ctx, busy, lookups, startup, sends, checked, failed, profile, logs)


def _worker_log_errors(tmp: Path, sends: list[SendRun]) -> list[str]:
    found = []
    for s in sends:
        for n in range(WORKERS):
            path = tmp / f"letters-{s.name}-worker{n}.log"
            text = path.read_text(errors="replace") if path.exists() else ""
            if "Traceback" in text or " ERROR " in text or "state=FAILED" in text:
                found.append(f"{path.name}: " + text.strip().splitlines()[-1][:300])
    return found


SCENARIO = Scenario(name=NAME, title=TITLE, run=run)
