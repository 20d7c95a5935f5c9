"""The run of `make bench`: set up once, run each scenario against one server, report, and
always clean up.

One server for all scenarios keeps the run short (preparing the database is most of the
fixed cost); a scenario that needs another configuration can start its own with
`bench.server`. SIGTERM is turned into an exception like Ctrl-C, so both unwind the
`ExitStack` that stops gunicorn, drops the bench database and removes the temp dir.
"""

import argparse
import os
import re
import shlex
import shutil
import signal
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from bench.context import BenchContext, Scenario, ScenarioSkipped
from bench.report import (
    code_version,
    cpu_busy,
    machine_info,
    text_table,
    update_docs,
    write_results,
)
from bench.scenarios import SCENARIOS
from bench.server import (
    ROOT,
    BenchSetupError,
    choose_database,
    free_port,
    log_tail,
    prepare_database,
    production_environment,
    start_gunicorn,
)
from bench.wrk import WrkError, ensure_wrk, wrk_version

RESULTS_DIR = ROOT / "bench" / "results"
DOCS = ROOT / "docs" / "benchmarks.md"
BUSY_WARNING = 0.10


def _parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/run.py", description="Harbour's load benchmarks (see docs/benchmarks.md)."
    )
    parser.add_argument(
        "--seconds",
        type=int,
        default=int(os.environ.get("BENCH_SECONDS", "8")),
        help="duration of each measured wrk run (default: $BENCH_SECONDS or 8)",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=[s.name for s in SCENARIOS],
        help="run only this scenario (repeatable; default: all)",
    )
    parser.add_argument("--no-docs", action="store_true", help="leave docs/benchmarks.md unchanged")
    parser.add_argument(
        "--keep-max-requests",
        action="store_true",
        help="keep the config file's max_requests (worker recycling) instead of turning it off",
    )
    args = parser.parse_args(argv)
    if args.seconds < 1:
        parser.error("--seconds must be at least 1")
    return args


def _raise_keyboard_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str]) -> int:
    args = _parse_args(argv)
    scenarios = [s for s in SCENARIOS if not args.only or s.name in args.only]
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    started = time.monotonic()
    try:
        with ExitStack() as stack:
            _run(
                stack,
                scenarios,
                seconds=args.seconds,
                write_docs=not args.no_docs,
                keep_max_requests=args.keep_max_requests,
                command=f"bench/run.py {shlex.join(argv)}" if argv else "make bench",
            )
    except KeyboardInterrupt:
        print("\nInterrupted; cleaned up.", file=sys.stderr)
        return 130
    except (BenchSetupError, WrkError, RuntimeError) as exc:
        print(f"\nbench failed: {exc}", file=sys.stderr)
        return 1
    print(f"Done in {time.monotonic() - started:.0f} s.")
    return 0


def _run(
    stack: ExitStack,
    scenarios: list[Scenario],
    *,
    seconds: int,
    write_docs: bool,
    keep_max_requests: bool,
    command: str,
) -> None:
    started_at = datetime.now(UTC)
    wrk = ensure_wrk()
    tmp = Path(tempfile.mkdtemp(prefix="harbour-bench-"))
    stack.callback(shutil.rmtree, tmp, ignore_errors=True)

    database = choose_database(stack, tmp)
    print(f"Database: {database.label}", flush=True)
    env = production_environment(database, tmp)
    print("Preparing it with the project's commands (production settings):", flush=True)
    prepare_database(env)

    # Other processes on the machine take CPU from both wrk and gunicorn: measure and say so.
    busy = cpu_busy(3.0)
    print(f"CPU busy before load (other processes): {busy:.0%}", flush=True)
    if busy > BUSY_WARNING:
        print(
            f"WARNING: something else keeps {busy:.0%} of the CPU busy; "
            "the numbers will be low and noisy.",
            file=sys.stderr,
            flush=True,
        )

    workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
    # At the minimal view's rate, max_requests=2000 recycles every worker every second or
    # two: the run would measure Python start-up and its after-effects on the next URL.
    max_requests = None if keep_max_requests else 0
    gunicorn_log = tmp / "gunicorn.log"
    base_url = start_gunicorn(
        stack,
        env,
        port=free_port(),
        workers=workers,
        max_requests=max_requests,
        log_path=gunicorn_log,
    )
    recycling = "as configured" if keep_max_requests else "off"
    print(f"gunicorn: {workers} sync workers on {base_url}, max_requests {recycling}", flush=True)

    ctx = BenchContext(
        base_url=base_url,
        seconds=seconds,
        runs=3,
        warmup_seconds=2,
        wrk=wrk,
        threads=2,
        connections=16,
        gunicorn_workers=workers,
        max_requests=max_requests,
        server_env=env,
        tmp=tmp,
    )
    meta: dict[str, Any] = {
        "started_utc": started_at.strftime("%Y-%m-%d %H:%M"),
        "command": command,
        "machine": machine_info(),
        "code": code_version(ROOT),
        "wrk_version": wrk_version(wrk),
        "database": database.label,
        "settings": "harbour.settings.production",
        "cpu_busy_before_load": round(busy, 3),
        "gunicorn": {
            "config": "deploy/gunicorn.conf.py",
            "workers": workers,
            "max_requests": "as configured" if keep_max_requests else 0,
            "accesslog": "/dev/null",
        },
        "load": {
            "threads": ctx.threads,
            "connections": ctx.connections,
            "seconds": ctx.seconds,
            "runs": ctx.runs,
            "warmup_seconds": ctx.warmup_seconds,
        },
    }
    stamp = started_at.strftime("%Y-%m-%dT%H%M")
    for scenario in scenarios:
        print(f"\n== {scenario.title} ==", flush=True)
        try:
            result = scenario.run(ctx)
        except ScenarioSkipped as skipped:
            print(f"Skipped: {skipped}", flush=True)
            continue
        json_path, md_path = write_results(result, meta, RESULTS_DIR, stamp)
        print(f"\n{text_table(result.columns, result.rows)}\n", flush=True)
        for note in result.notes:
            print(f"  {note}")
        rel_md = md_path.relative_to(ROOT).as_posix()
        print(f"Wrote {json_path.relative_to(ROOT)} and {rel_md}", flush=True)
        if write_docs:
            update_docs(DOCS, result, meta, rel_md)
            print(f"Updated {DOCS.relative_to(ROOT)} (section {scenario.name!r})", flush=True)

    # The log lives in the temp dir that clean-up removes: show it while it still exists
    # if the server reported a problem (an error page counts in wrk's "non-2xx" only).
    server_log = gunicorn_log.read_text(errors="replace")
    if re.search(r"Traceback|\[(ERROR|CRITICAL)\]| (ERROR|CRITICAL) ", server_log):
        print(f"\ngunicorn reported errors; the end of its log:\n{log_tail(gunicorn_log)}")
