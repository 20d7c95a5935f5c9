"""Reporting: one `ScenarioResult` becomes a stdout table, timestamped JSON and Markdown files
under bench/results/, and its own section of docs/benchmarks.md.

Each scenario rewrites only the text between its markers (`<!-- bench:NAME:start -->` and
`<!-- bench:NAME:end -->`), so scenarios added later keep their own sections and the
hand-written explanation of method at the top of the file is never touched.
"""

import json
import os
import platform
import re
import subprocess
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from bench.context import Column, ScenarioResult

DOCS_HEADER = """\
# Benchmarks

`make bench` measures Harbour under load on the machine it runs on, with production settings
(`harbour.settings.production`) and gunicorn started from `deploy/gunicorn.conf.py`, against a
database of its own holding the demo content. Each section below is rewritten by the latest
run of its scenario, whose JSON and Markdown files replace the scenario's previous ones in
`bench/results/` (git keeps the history).

## Method

- **Loopback only.** gunicorn listens on 127.0.0.1 and the load generator, `wrk` (Debian
  package, installed on demand), talks to it there: no network, no TLS, no reverse proxy. The
  numbers are an upper bound of what the application code allows, not of a deployment.
- **wrk shares the cores with the server.** On a 2-core machine wrk's two threads take part of
  the CPU that gunicorn's workers would otherwise have, and PostgreSQL runs on the same cores
  too. Absolute numbers are therefore modest and machine-specific; compare runs on the same
  machine only.
- **Isolated database.** `DATABASE_URL` if set (used as given: it is migrated and gets the demo
  content); otherwise a fresh PostgreSQL database `harbour_bench` on 127.0.0.1:5432, dropped
  afterwards; otherwise SQLite in a temporary directory. It is prepared with the project's
  own commands: `migrate`, `collectstatic`, `load_demo`, then `db_worker --batch` to drain
  Wagtail's indexing tasks. Persistent database connections (`HARBOUR_DB_CONN_MAX_AGE=600`)
  as in production.
- **gunicorn** with `deploy/gunicorn.conf.py` (sync workers), except for the bind address, the
  number of workers (`GUNICORN_WORKERS`, default 4 for 2 cores), the access log (sent to
  `/dev/null` so that writing it does not dominate a cheap request) and worker recycling: the
  file's `max_requests` (`GUNICORN_MAX_REQUESTS`, 20,000 by default) would restart a worker
  in the middle of a run at the minimal view's rate, measuring Python start-up instead of
  requests and slowing whichever URL comes next, so the bench passes `--max-requests 0`.
  `bench/run.py --keep-max-requests` keeps it.
- **An otherwise idle machine.** Anything else running (a test suite, a browser) takes CPU from
  both sides. Each run records how busy the CPU was just before it started and warns above
  10%, and each scenario notes how much CPU other processes took during its measured runs
  (`bench/cpu.py`: all CPU time from /proc less the bench's own processes, its PostgreSQL
  backends and Redis), calling the numbers noisy above 10%.
- **Medians of 3 runs.** Each URL is measured 3 times for 8 s (`BENCH_SECONDS=N make bench`
  or `bench/run.py --seconds N` changes the duration; 8 keeps the signatures scenario, with
  its four POST loads, under 3 minutes) with `wrk -t2 -c16 --latency`, in interleaved rounds
  after a short unmeasured warm-up; requests/s, p50 and p99 are each the median of the 3
  runs.
- **Ratio against the minimal view.** `/bench/ping/` (mounted only with `HARBOUR_BENCH=true`)
  returns "ok" through the full middleware stack and nothing else: it is the ceiling of this
  server on this machine. A page's median requests/s divided by the minimal view's says what
  its queries and templates cost, and is more comparable across machines than requests/s.
- **Errors** are wrk's non-2xx/3xx responses plus socket errors. Before measuring, each URL is
  checked to answer 200 with its expected content, so a redirect cannot pass as success.
- **Signatures (writes)** need a server configured for a load generator: the `signatures`
  scenario starts its own gunicorn (same workers and recycling) with
  `HARBOUR_SIGN_RATE_IP=100000000/h` and `HARBOUR_SIGN_RATE_EMAIL=100/h`. Every request of wrk
  comes from 127.0.0.1, and the production limits (20 signatures per address and 5 per e-mail
  per hour) would turn away all but the first few: the numbers show what the application
  does with the requests the limits let through, not how the limits behave. It sets
  `REDIS_URL=redis://127.0.0.1:6379/15` (flushed first), as production keeps its cache and
  rate-limit counters in Redis; if Redis does not answer it runs without and says so. wrk
  posts through `bench/scenarios/post_load.lua` with 32 connections and a new e-mail address
  per request, and counts the 302s itself; each thread stops sending 2 s before wrk stops, so
  no request is in flight when wrk quits and the database can be checked exactly against
  those counts. The checks need PostgreSQL: on another database the scenario is skipped.
  With 32 clients always waiting, a submission's latency is about 32 ÷ submissions/s
  (Little's law), so its p99 follows throughput: under 300 ms needs well over 100/s.
  Besides the write ceiling (`/bench/insert/`, one row), two reference views under the
  same load (a third of the runs' time each, no warm-up of their own: their code paths
  are warm from the submissions') place the submission between the stack and the form:
  `/bench/insert-enqueue/` inserts the same row and queues one task through the tasks API
  in one transaction, the least a submission that sends an e-mail does;
  `/bench/sign-service/<page>/` runs the sign-on's rate limits and `signature_create` with
  fixed details, i.e. the submission without its form and flash message. Their signatures
  and tasks are checked like the form's, and every task the scenario queued is deleted at
  its end (no worker runs in it).
- **Letters (e-mail your MP)** run no HTTP load: the `letters` scenario times
  `district_lookup` in one `manage.py shell` process (offline FSA table, 3 runs of 3 s over
  20,000 well-formed postal codes, 10% of them with FSAs the table lacks), then sends letters
  into an SMTP sink it starts on loopback (aiosmtpd, recording each message's Message-ID and
  envelope recipients). For each of 3 runs, before the clock, 500 letters
  (`BENCH_LETTERS=N` changes it) from new example.invalid supporters in random districts
  with an MP are created on the demo campaign `sdir-reconvene` with
  `letter_create` and their confirmation e-mails are sent into the sink by django_tasks_db's
  worker loop in that process; the campaign is set to own MP only, no digest, no daily cap.
  Then two `manage.py db_worker --no-startup-delay --queue-name default` processes
  (production settings, `EMAIL_URL` pointing at the sink) are started and left to settle on
  the empty queue, as production's workers run all the time, and another process confirms
  every letter with `letter_confirm` in one transaction. The clock runs from its commit to
  the arrival of the burst's last message; the workers' start-up is measured on its own
  (two `db_worker --batch` on an empty queue) and reported beside it, with the rate it
  would give if the workers were started for the burst. Letters to representatives/s and
  supporter copies/s are counted at the sink; the Delivery rows, the task rows and the
  sink's records are then checked for exactly-once delivery. `EMAIL_BACKEND` and
  `HARBOUR_REPRESENT_URL` are removed from the environment: nothing leaves the machine. If
  a sending target is missed, one worker loop is profiled in process on 100 more letters.
- **Events** run against a gunicorn of their own, as the signatures do
  (`HARBOUR_EVENT_RATE_IP=100000000/h`, `HARBOUR_EVENT_RATE_EMAIL=100/h`, the same Redis),
  with `EMAIL_URL` at the letters scenario's SMTP sink. wrk posts registrations (a new
  address per request, 32 connections, `post_load.lua`) on one event of 500 places
  published for the run, interleaved with `/bench/insert-enqueue/` as the reference; every
  302 is then checked against the rows. Every stored registration is confirmed at once
  with `registration_confirm` from 8 processes, each button twice in random order, and the
  places and the wait-list are checked against the order of confirmation (the database's
  times and the callers' clock); 100 registrations are then posted one at a time in one
  process, timed and profiled. The reminder of another event, with 5,000 confirmed
  registrants written in bulk, is queued while two `manage.py task_worker`s run: the clock
  runs from that commit to the sink's last message, each registrant must receive exactly
  one, and the task queued again must send nothing; if the rate target is missed,
  `event_notices_send` is profiled in process. The events page and an event's page are
  read as in the pages scenario, against the minimal view on the same server. The tasks
  the scenario queued and did not run are deleted at its end; its events stay listed.
"""


def machine_info() -> dict[str, Any]:
    """What the numbers depend on: cores, CPU, memory, and the versions of the moving parts."""
    cpu_model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_model": cpu_model,
        "memory_gib": mem_gib,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "django": _version("django"),
        "wagtail": _version("wagtail"),
        "gunicorn": _version("gunicorn"),
    }


def cpu_busy(seconds: float) -> float:
    """Share of all cores busy over `seconds`, from /proc/stat (0.0 where it is unreadable)."""

    def snapshot() -> tuple[int, int]:
        # cpu  user nice system idle iowait irq softirq steal ...
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
        return sum(fields), fields[3] + fields[4]

    try:
        total0, idle0 = snapshot()
        time.sleep(seconds)
        total1, idle1 = snapshot()
    except (OSError, ValueError, IndexError):
        return 0.0
    elapsed = total1 - total0
    return 1.0 - (idle1 - idle0) / elapsed if elapsed > 0 else 0.0


def code_version(root: Path) -> dict[str, Any]:
    """The commit measured, and whether the application's files differed from it."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--", "harbour", "deploy"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "uncommitted_changes": None}
    return {"commit": commit, "uncommitted_changes": bool(changed)}  # fmt: skip


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "?"


def text_table(columns: list[Column], rows: list[dict[str, str]]) -> str:
    cells = [[c.title for c in columns]] + [
        [row[c.key].strip("`") for c in columns] for row in rows
    ]
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    lines = []
    for n, line in enumerate(cells):
        padded = [
            cell.ljust(width) if col.align == "left" else cell.rjust(width)
            for cell, width, col in zip(line, widths, columns, strict=True)
        ]
        lines.append("  ".join(padded).rstrip())
        if n == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def markdown_table(columns: list[Column], rows: list[dict[str, str]]) -> str:
    head = "| " + " | ".join(c.title for c in columns) + " |"
    rule = "|" + "|".join("---" if c.align == "left" else "---:" for c in columns) + "|"
    body = ["| " + " | ".join(row[c.key] for c in columns) + " |" for row in rows]
    return "\n".join([head, rule, *body])


def _machine_line(meta: dict[str, Any]) -> str:
    m = meta["machine"]
    memory = f", {m['memory_gib']} GiB RAM" if m["memory_gib"] else ""
    return (
        f"{m['nproc']} cores (`nproc`), {m['cpu_model']}{memory}, Linux {m['kernel']}; "
        f"Python {m['python']}, Django {m['django']}, Wagtail {m['wagtail']}, "
        f"gunicorn {m['gunicorn']}, {meta['wrk_version']}"
    )


def _code_line(meta: dict[str, Any]) -> str:
    code = meta.get("code") or {}
    if not code.get("commit"):
        return ""
    changes = (
        " with uncommitted changes in `harbour/` or `deploy/`"
        if code.get("uncommitted_changes")
        else ""
    )
    return f"- Code: commit `{code['commit']}`{changes}\n"


def _server_line(meta: dict[str, Any]) -> str:
    g = meta["gunicorn"]
    recycling = "off" if g["max_requests"] == 0 else "as configured"
    return (
        f"gunicorn with `{g['config']}`, {g['workers']} sync workers, max_requests {recycling}, "
        f"access log to `{g['accesslog']}`; `{meta['settings']}`"
    )


def _body(result: ScenarioResult, meta: dict[str, Any], details: str) -> str:
    notes = "\n".join(f"- {note}" for note in result.notes)
    return (
        f"Latest run: {meta['started_utc']} UTC, `{meta['command']}` ({details}).\n\n"
        f"- Machine: {_machine_line(meta)}\n"
        f"- Other processes kept {meta['cpu_busy_before_load']:.0%} of the CPU busy just "
        "before the run\n"
        f"{_code_line(meta)}"
        f"- Database: {meta['database']}\n"
        f"- Server: {_server_line(meta)}\n"
        f"- Load: {result.summary}\n\n"
        f"{markdown_table(result.columns, result.rows)}\n\n"
        f"{notes}\n"
    )


def write_results(
    result: ScenarioResult, meta: dict[str, Any], results_dir: Path, stamp: str
) -> tuple[Path, Path]:
    results_dir.mkdir(parents=True, exist_ok=True)
    json_path = results_dir / f"{stamp}-{result.name}.json"
    md_path = results_dir / f"{stamp}-{result.name}.md"
    payload = {
        "scenario": result.name,
        "title": result.title,
        **meta,
        "summary": result.summary,
        "table": result.rows,
        "notes": result.notes,
        **result.raw,
    }
    json_path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    details = f"raw numbers of every run: [{json_path.name}]({json_path.name})"
    md_path.write_text(
        f"# {result.title}: {meta['started_utc']} UTC\n\n{_body(result, meta, details)}"
    )
    # Only each scenario's latest run stays: docs/benchmarks.md is the record, git the history.
    for older in results_dir.glob(f"*-{result.name}.*"):
        if older not in (json_path, md_path) and older.suffix in (".json", ".md"):
            older.unlink()
    return json_path, md_path


def update_docs(docs: Path, result: ScenarioResult, meta: dict[str, Any], results_md: str) -> None:
    """Rewrite the scenario's section between its markers, appending it the first time."""
    start = f"<!-- bench:{result.name}:start -->"
    end = f"<!-- bench:{result.name}:end -->"
    section = (
        f"{start}\n## {result.title}\n\n"
        f"<!-- Written by `make bench`; edits here are replaced by the next run. -->\n\n"
        f"{_body(result, meta, f'details: [{results_md}](../{results_md})')}{end}"
    )
    text = docs.read_text() if docs.exists() else DOCS_HEADER
    # The method, before the first scenario's section, follows this module's text.
    first = text.find("<!-- bench:")
    if first >= 0:
        text = DOCS_HEADER.rstrip("\n") + "\n\n" + text[first:]
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    docs.parent.mkdir(parents=True, exist_ok=True)
    docs.write_text(text)
