"""Faults: a petition sign-up spike while the parts Harbour depends on fail in turn.

For FAULT_SECONDS (60) wrk posts signatures as fast as 32 connections go (each with a new
address, post_load.lua), two task workers (`manage.py task_worker`, as production runs
them) confirm them into a local SMTP sink, and on a timeline:

- every 10 s one gunicorn worker is killed (-9; the master starts another);
- the task workers are killed (-9) twice, each started again as systemd would;
- the SMTP sink refuses every message for now (451) for 15 s, then is gone for 15 s;
- PostgreSQL is restarted (Debian's `pg_ctlcluster ... restart -m fast`, when this machine's
  cluster serves the bench database and the bench may run it; otherwise, or with
  HARBOUR_BENCH_PG_RESTART=0, every connection of the bench database is terminated with
  pg_terminate_backend, the issue's alternative for a server that cannot be restarted);
- the scenario's own Redis (cache and rate limits) is stopped for 10 s.

The task workers run at nice 10, as deploy/harbour-worker@.service starts them: on a host
they share with gunicorn, a spike's answers come before its confirmations.

Recovery is read from the load itself: the wrk script counts the answers accepted (302 to
the thanks page) and refused by tenth of a second, on the clock the timeline marks faults
with. For each fault, the time to recover runs to the end of the last tenth of a second,
within 20 s, that held a refused answer or lay in a stall (half a second or more without one
accepted answer). A probe also posts one signature and reads the page every 0.2 s (its
answers are counted by status). Afterwards the workers drain the queue (retries included)
and the checks: every acknowledged (302) submission stored once; every stored signature's
confirmation received exactly once; answers by status (503 while the database is away is
expected; a 500 never is).
"""

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench.context import BenchContext, Column, Scenario, ScenarioResult, ScenarioSkipped
from bench.scenarios.letters_common import Sink
from bench.scenarios.signatures_common import PETITION, RATE_ENV, Sign
from bench.scenarios.signatures_load import _csrf_pair, _http, _post_run, _sign_body
from bench.server import ROOT, free_port, start_gunicorn, stop_process_group

NAME = "faults"
TITLE = "Faults under a sign-up spike: killed processes, SMTP, PostgreSQL and Redis away"
FAULT_SECONDS = int(os.environ.get("HARBOUR_BENCH_FAULT_SECONDS", "60"))
DRAIN_LIMIT_S = 300
RECOVERY_WINDOW_S = 20
STALL_TICKS = 5  # half a second without an accepted answer
WORKER_ENV = {
    # Fast enough to show recovery within the run; production keeps the defaults.
    "HARBOUR_TASK_HEARTBEAT_SECONDS": "1",
    "HARBOUR_TASK_LEASE_SECONDS": "10",
    "HARBOUR_TASK_RETRY_BASE_SECONDS": "2",
    "HARBOUR_TASK_RETRY_MAX_SECONDS": "20",
    "HARBOUR_TASK_MAX_ATTEMPTS": "30",
}


class FaultSink(Sink):
    """The letters scenario's sink that can refuse for now (451 at RCPT)."""

    refusing = False

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:  # noqa: N802, E501
        if self.refusing:
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


class SmtpServer:
    """The sink on a fixed port, which can be taken away and brought back."""

    def __init__(self) -> None:
        self.sink = FaultSink()
        self.port = free_port()
        self.controller: Any = None
        self.start()

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(
            self.sink, hostname="127.0.0.1", port=self.port, server_hostname="sink.invalid"
        )
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


class Redis:
    """A redis-server of this scenario's own (no data kept), stopped and started at will."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(0.3)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None


class Workers:
    """Two task workers, each started again when it stops, killed or on its own (a worker
    exits when its database goes away), after a second: systemd's Restart=always."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = {**env, **WORKER_ENV}
        self.log = log.open("ab")
        self.processes = [self._start(), self._start()]
        self.exited = 0  # restarts after a worker stopped on its own
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.supervisor = threading.Thread(target=self._supervise, daemon=True)
        self.supervisor.start()

    def _start(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            ["nice", "-n", "10", sys.executable, str(ROOT / "manage.py"), "task_worker",
             "--interval", "0.2", "--no-startup-delay"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def _supervise(self) -> None:
        while not self.stopping.wait(0.5):
            with self.lock:
                for index, process in enumerate(self.processes):
                    if process.poll() is not None and not self.stopping.is_set():
                        time.sleep(1)  # RestartSec
                        self.processes[index] = self._start()
                        self.exited += 1
                        print(f"  task worker {index} had stopped: started again", flush=True)

    def kill(self, index: int) -> None:
        with self.lock:
            os.killpg(self.processes[index].pid, signal.SIGKILL)
            self.processes[index].wait(10)
            time.sleep(1)  # systemd's RestartSec
            self.processes[index] = self._start()

    def stop(self) -> None:
        self.stopping.set()
        self.supervisor.join(5)
        for process in self.processes:
            stop_process_group(process, grace_s=10, name="")


class Probe(threading.Thread):
    """One signature and one page read every 0.2 s: (time, POST status, GET status)."""

    def __init__(self, base_url: str, csrf: Any, run_id: str) -> None:
        super().__init__(daemon=True)
        self.base_url, self.csrf, self.run_id = base_url, csrf, run_id
        self.samples: list[tuple[float, int, int]] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={self.csrf.cookie}",
        }
        n = 0
        while not self.stopping.wait(0.2):
            n += 1
            body = _sign_body(self.csrf, f"probe-{self.run_id}-{n}@example.invalid")
            post = _status(self.base_url, "POST", Sign.path, body, headers)
            get = _status(self.base_url, "GET", PETITION, None, None)
            self.samples.append((time.monotonic(), post, get))


def _status(base_url: str, method: str, path: str, body: Any, headers: Any) -> int:
    try:
        return int(_http(base_url, method, path, body=body, headers=headers)[0])
    except OSError:
        return 0  # connection refused or reset (a killed worker)


def run(ctx: BenchContext) -> ScenarioResult:
    database_url = ctx.server_env.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise ScenarioSkipped("the faults scenario checks its results in PostgreSQL")
    if ctx.tmp is None:
        raise RuntimeError("the faults scenario needs the harness's temp dir")
    import psycopg

    with ExitStack() as stack:
        redis = Redis()
        stack.callback(redis.stop)
        smtp = SmtpServer()
        stack.callback(smtp.stop)
        env = {
            **ctx.server_env,
            **RATE_ENV,
            "REDIS_URL": f"redis://127.0.0.1:{redis.port}/0",
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
            "HARBOUR_DEGRADED_WARN_SECONDS": "5",
        }
        base_url = start_gunicorn(
            stack, env, port=free_port(), workers=ctx.gunicorn_workers, max_requests=None,
            log_path=ctx.tmp / "gunicorn-faults.log",
        )  # fmt: skip
        workers = Workers(env, ctx.tmp / "workers-faults.log")
        stack.callback(workers.stop)
        csrf = _csrf_pair(base_url)
        run_id = f"faults{int(time.time()) % 100000}"
        probe = Probe(base_url, csrf, run_id)
        faults: list[tuple[str, float]] = []
        load: dict[str, Any] = {}

        def spike() -> None:
            load["run"] = _post_run(ctx, base_url, csrf, "sign", run_id, FAULT_SECONDS)

        loader = threading.Thread(target=spike)
        started = time.monotonic()
        probe.start()
        loader.start()
        _timeline(started, faults, workers, smtp, redis, database_url, base_url)
        loader.join()
        probe.stopping.set()
        probe.join()
        drained_s = _drain(database_url, smtp.sink, run_id)
        with psycopg.connect(database_url, autocommit=True) as db:
            checks = _checks(db, smtp.sink, run_id, load["run"])
        checks["workers_exited"] = workers.exited
        gunicorn_log = (ctx.tmp / "gunicorn-faults.log").read_text(errors="replace")
    recovery = _recovery(load["run"], faults)
    return _result(load["run"], probe.samples, faults, recovery, checks, drained_s, gunicorn_log)


def _gunicorn_workers(base_url: str) -> list[int]:
    """The pids of this scenario's gunicorn workers (children of the master on its port)."""
    port = urllib.parse.urlsplit(base_url).port
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            text = environ.read_bytes()
            cmdline = (environ.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if f"GUNICORN_BIND=127.0.0.1:{port}".encode() in text and b"gunicorn" in cmdline:
            found.append(int(environ.parent.name))
    # The master is the oldest (lowest pid, started first); workers are the rest.
    return sorted(found)[1:]


def _timeline(
    started: float,
    faults: list[tuple[str, float]],
    workers: Workers,
    smtp: SmtpServer,
    redis: Redis,
    database_url: str,
    base_url: str,
) -> None:

    def at(second: float) -> None:
        time.sleep(max(0.0, started + second - time.monotonic()))

    def mark(what: str, moment: float | None = None) -> None:
        moment = time.monotonic() if moment is None else moment
        faults.append((what, moment))
        print(f"  t={moment - started:4.0f} s: {what}", flush=True)

    plan: list[tuple[float, str]] = sorted(
        [(s, "gunicorn") for s in range(10, FAULT_SECONDS, 10)]
        + [(5, "worker0"), (33, "worker1"), (15, "smtp-refuse"), (30, "smtp-gone"),
           (45, "smtp-back"), (25, "postgres"), (47, "redis-stop"), (57, "redis-start")]
    )  # fmt: skip
    for second, what in plan:
        if second >= FAULT_SECONDS:
            continue
        at(second)
        if second == 20:
            top = subprocess.run(
                ["top", "-b", "-n", "1", "-w", "160"], capture_output=True, text=True
            )
            print("\n".join(top.stdout.splitlines()[:22]), flush=True)
        if what == "gunicorn":
            pids = _gunicorn_workers(base_url)
            if pids:
                os.kill(pids[0], signal.SIGKILL)
            mark(f"gunicorn worker {pids[0] if pids else '?'} killed (-9)")
        elif what.startswith("worker"):
            workers.kill(int(what[-1]))
            mark(f"task worker {what[-1]} killed (-9) and started again")
        elif what == "smtp-refuse":
            smtp.sink.refusing = True
            mark("SMTP refuses (451) for 15 s")
        elif what == "smtp-gone":
            smtp.sink.refusing = False
            smtp.stop()
            mark("SMTP gone for 15 s")
        elif what == "smtp-back":
            smtp.start()
            mark("SMTP back")
        elif what == "postgres":
            began = time.monotonic()
            mark(_postgres_fault(database_url), began)
        elif what == "redis-stop":
            redis.stop()
            mark("Redis stopped for 10 s")
        elif what == "redis-start":
            redis.start()
            mark("Redis started")


def _postgres_fault(database_url: str) -> str:
    """Restart the PostgreSQL cluster serving the bench database (Debian's pg_ctlcluster)
    when there is one and the bench may; else terminate every connection of the database."""
    import psycopg

    port = str(urllib.parse.urlsplit(database_url).port or 5432)
    restart = os.environ.get("HARBOUR_BENCH_PG_RESTART", "1") != "0"
    if restart and shutil.which("pg_lsclusters") and shutil.which("pg_ctlcluster"):
        listing = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True)
        for line in listing.stdout.splitlines():
            version, cluster, cluster_port, status = (line.split() + [""] * 4)[:4]
            if cluster_port != port or status != "online":
                continue
            began = time.monotonic()
            done = subprocess.run(
                ["pg_ctlcluster", version, cluster, "restart", "-m", "fast"],
                capture_output=True,
                text=True,
                timeout=120,
            )
            if done.returncode == 0:
                return (
                    f"PostgreSQL {version}/{cluster} restarted "
                    f"(pg_ctlcluster took {time.monotonic() - began:.1f} s)"
                )
            print(f"  pg_ctlcluster failed ({done.stderr.strip()[:200]}); terminating instead")
    name = urllib.parse.urlsplit(database_url).path.lstrip("/")
    with psycopg.connect(database_url, autocommit=True) as db:
        ended = db.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        ).fetchone()[0]
    return f"PostgreSQL: {ended} connections terminated"


def _drain(database_url: str, sink: Sink, run_id: str) -> float:
    """Wait until no confirmation task is waiting, running, or due for a retry."""
    import psycopg

    started = time.monotonic()
    with psycopg.connect(database_url, autocommit=True) as db:
        while time.monotonic() - started < DRAIN_LIMIT_S:
            left = db.execute(
                "SELECT count(*) FROM django_tasks_database_dbtaskresult "
                "WHERE task_path LIKE 'harbour.signons.tasks.%%' "
                "AND status IN ('READY', 'RUNNING')"
            ).fetchone()[0]
            if left == 0:
                break
            time.sleep(1)
    seconds = time.monotonic() - started
    print(f"  queue drained in {seconds:.0f} s; the sink holds {sink.count():,} messages")
    return seconds


def _checks(db: Any, sink: Sink, run_id: str, load: Any) -> dict[str, Any]:
    stored = db.execute(
        "SELECT p.email FROM signons_signature s JOIN people_person p ON p.id = s.person_id "
        "WHERE p.email LIKE %s OR p.email LIKE %s",
        (f"bench-{run_id}-%", f"probe-{run_id}-%"),
    ).fetchall()
    stored_emails = {email for (email,) in stored}
    mailed = Counter(
        rcpt for message in sink.since(0) for rcpt in message["rcpt"] if run_id in rcpt
    )
    failed = db.execute(
        "SELECT count(*) FROM django_tasks_database_dbtaskresult "
        "WHERE task_path LIKE 'harbour.signons.tasks.%%' AND status = 'FAILED'"
    ).fetchone()[0]
    spike_stored = sum(1 for email in stored_emails if email.startswith("bench-"))
    return {
        "acknowledged": load.accepted,
        "stored": spike_stored,
        "stored_with_probe": len(stored_emails),
        "duplicates_stored": len(stored) - len(stored_emails),
        "mailed_once": sum(1 for email in stored_emails if mailed[email] == 1),
        "mailed_twice_or_more": sum(1 for n in mailed.values() if n > 1),
        "never_mailed": sum(1 for email in stored_emails if mailed[email] == 0),
        "mailed_but_not_stored": sum(1 for email in mailed if email not in stored_emails),
        "failed_tasks": failed,
    }


def _recovery(load: Any, faults: list[tuple[str, float]]) -> list[dict[str, Any]]:
    """For each fault, from the wrk script's answers by tenth of a second: the refused
    answers within RECOVERY_WINDOW_S after it (or until the next fault), the longest stall
    (no accepted answer), the accepted rate in the 5 s before and after, and the time to
    recover: to the end of the last tenth of a second in the window that held a refusal or
    lay in a stall."""
    accepted, refused = load.accepted_by_tick, load.refused_by_tick
    ticks = sorted(set(accepted) | set(refused))
    if not ticks:
        return []
    load_end = ticks[-1]
    starts = [
        (what, moment)
        for what, moment in faults
        if not what.startswith(("SMTP back", "Redis started"))  # the end of a fault, not one
    ]
    out = []
    for number, (what, moment) in enumerate(starts):
        first = int(moment * 10)
        # Up to 20 s, and never into the next fault's time: its refusals are its own.
        last = min(first + RECOVERY_WINDOW_S * 10, load_end + 1)
        if number + 1 < len(starts):
            last = min(last, int(starts[number + 1][1] * 10))
        window = range(first, last)
        bad_ticks = [t for t in window if refused.get(t)]
        stalls, run = [], []
        for tick in window:
            if accepted.get(tick):
                if len(run) >= STALL_TICKS:
                    stalls.append(run)
                run = []
            else:
                run.append(tick)
        if len(run) >= STALL_TICKS:
            stalls.append(run)
        last_bad = max([*bad_ticks, *(stall[-1] for stall in stalls)], default=None)
        recovered = 0.0 if last_bad is None else max(0.0, (last_bad + 1) / 10 - moment)
        before = sum(accepted.get(t, 0) for t in range(first - 50, first)) / 5
        after = sum(accepted.get(t, 0) for t in range(first, first + 50)) / 5
        out.append(
            {
                "fault": what,
                "refused": sum(refused.get(t, 0) for t in window),
                "longest_stall_s": max((len(stall) for stall in stalls), default=0) / 10,
                "recovered_s": round(recovered, 1),
                "rate_before": before,
                "rate_after": after,
            }
        )
    return out


def _per_second(load: Any) -> list[int]:
    """Accepted answers in each second of the spike, from its first answer."""
    ticks = sorted(set(load.accepted_by_tick) | set(load.refused_by_tick))
    if not ticks:
        return []
    seconds: Counter[int] = Counter()
    for tick, count in load.accepted_by_tick.items():
        seconds[(tick - ticks[0]) // 10] += count
    return [seconds.get(second, 0) for second in range(max(seconds, default=-1) + 1)]


def _result(
    load: Any,
    samples: list[tuple[float, int, int]],
    faults: list[tuple[str, float]],
    recovery: list[dict[str, Any]],
    checks: dict[str, Any],
    drained_s: float,
    gunicorn_log: str,
) -> ScenarioResult:
    statuses = Counter({str(k): v for k, v in load.statuses.items()})
    for _, post, get in samples:
        statuses[f"probe POST {post}"] += 1
        statuses[f"probe GET {get}"] += 1
    five_hundred = load.statuses.get("500", 0) + sum(
        1 for _, post, get in samples if 500 in (post, get)
    )
    passed = (
        checks["stored"] >= checks["acknowledged"]
        and checks["duplicates_stored"] == 0
        and checks["mailed_twice_or_more"] == 0
        and checks["never_mailed"] == 0
        and five_hundred == 0
    )
    rows = [
        {"what": "submissions acknowledged (302)", "value": f"{checks['acknowledged']:,}"},
        {"what": "rate acknowledged, per second", "value": f"{load.accepted_per_s:,.0f}"},
        {"what": "spike signatures stored", "value": f"{checks['stored']:,}"},
        {"what": "stored twice", "value": str(checks["duplicates_stored"])},
        {"what": "confirmations received exactly once", "value": f"{checks['mailed_once']:,}"},
        {
            "what": "confirmations received twice or more",
            "value": str(checks["mailed_twice_or_more"]),
        },
        {"what": "stored but never mailed", "value": str(checks["never_mailed"])},
        {"what": "tasks failed for good", "value": str(checks["failed_tasks"])},
        {"what": "500 answers", "value": str(five_hundred)},
        {"what": "queue drained after the spike, s", "value": f"{drained_s:.0f}"},
        {
            "what": "task workers that exited on their own (started again)",
            "value": str(checks["workers_exited"]),
        },
    ]
    rows += [
        {
            "what": f"recovery: {r['fault']}",
            "value": (
                f"{r['recovered_s']} s ({r['refused']} refused, longest stall "
                f"{r['longest_stall_s']} s; {r['rate_before']:.0f}/s before, "
                f"{r['rate_after']:.0f}/s after)"
            ),
        }
        for r in recovery
    ]
    answers = ", ".join(f"{k}: {v:,}" for k, v in sorted(statuses.items()))
    tracebacks = [block for block in gunicorn_log.split("Traceback")[1:]]
    notes = [
        f"wrk latency: p50 {load.wrk.p50_ms:.0f} ms, p99 {load.wrk.p99_ms:.0f} ms.",
        f"Spike answers by status (wrk, then the probe): {answers}; socket errors "
        f"{sum(load.wrk.socket_errors.values()):,} (connections cut by the killed gunicorn "
        "workers).",
        "Recovery, from the spike's own answers by tenth of a second: from the fault to the "
        "end of the last tenth of a second within 20 s (or before the next fault) that held "
        "a refused answer or lay in a stall of 0.5 s or more without an accepted one; the "
        "rates are the accepted answers per second in the 5 s before and after the fault.",
        "Accepted per second over the spike: " + " ".join(str(n) for n in _per_second(load)) + ".",
        f"gunicorn's log: {gunicorn_log.count('Traceback')} tracebacks, "
        f"{gunicorn_log.count('WORKER TIMEOUT')} worker timeouts.",
        *[
            f"gunicorn traceback: {block.strip().splitlines()[-1][:200]}"
            for block in tracebacks[:3]
        ],
    ]
    slowest = max(recovery, key=lambda r: r["recovered_s"], default=None)
    summary = (
        f"{'PASS' if passed else 'FAIL'}: {checks['acknowledged']:,} acknowledged "
        f"({load.accepted_per_s:,.0f}/s), {checks['stored']:,} stored, "
        f"{checks['mailed_once']:,} mailed exactly once, {checks['mailed_twice_or_more']} "
        f"twice, {five_hundred} answers 500; slowest recovery "
        + (f"{slowest['recovered_s']} s ({slowest['fault']})." if slowest else "none.")
    )
    return ScenarioResult(
        name=NAME,
        title=TITLE,
        summary=summary,
        columns=[Column("what", "Measure", "left"), Column("value", "Result")],
        rows=rows,
        notes=notes,
        raw={
            "checks": checks,
            "statuses": dict(statuses),
            "recovery": recovery,
            "accepted_per_second": _per_second(load),
            "faults": [what for what, _ in faults],
            "accepted_per_s": load.accepted_per_s,
            "drained_s": drained_s,
            "passed": passed,
        },
    )


SCENARIO = Scenario(name=NAME, title=TITLE, run=run)
