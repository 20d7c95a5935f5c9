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

import email.header
import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from contextlib import ExitStack
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from email.policy import compat32
from pathlib import Path
from typing import Any

from bench.context import BenchContext, Column, Scenario, ScenarioResult
from bench.cpu import OtherCpu, _processes
from bench.report import cpu_busy
from bench.server import ROOT, free_port, log_tail, run_in_django, stop_process_group

LETTERS_PER_RUN = int(os.environ.get("BENCH_LETTERS", "500"))
WORKERS = 2
LOOKUP_SECONDS = 3
LOOKUP_WARMUP_SECONDS = 1
LOOKUP_CODES = 20_000
UNKNOWN_FSA_SHARE = 0.10
PROFILE_LETTERS = 100
WORKER_TIMEOUT_S = 300
BURST_SETTLE_S = 1.0

TARGET_LOOKUPS = 5_000.0
TARGET_MESSAGES = 100.0

COLUMNS = [
    Column("measure", "Measure", "left"),
    Column("rate", "Per second (median)"),
    Column("runs", "Runs (per second)"),
    Column("work", "Work per run", "left"),
    Column("target", "Target", "left"),
]


# --- the SMTP sink --------------------------------------------------------------------------


class Sink:
    """aiosmtpd's handler: keeps what the checks need of each message, thread-safe (the
    controller serves SMTP from its own thread; the harness reads from the main one)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: list[dict[str, Any]] = []
        self._parser = BytesHeaderParser(policy=compat32)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        content = envelope.original_content or envelope.content or b""
        headers = self._parser.parsebytes(content)
        subject = str(headers.get("Subject") or "")
        record = {
            "message_id": str(headers.get("Message-ID") or "").strip(),
            "rcpt": [str(r) for r in envelope.rcpt_tos],
            "subject": str(email.header.make_header(email.header.decode_header(subject))),
            "at": time.monotonic(),
        }
        with self._lock:
            self._messages.append(record)
        return "250 Message accepted for delivery"

    def count(self) -> int:
        with self._lock:
            return len(self._messages)

    def since(self, start: int) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(m) for m in self._messages[start:]]


def _start_sink(stack: ExitStack) -> tuple[Sink, int]:
    from aiosmtpd.controller import Controller

    sink = Sink()
    port = free_port()
    # A fixed name: aiosmtpd would otherwise ask the resolver for this machine's FQDN.
    controller = Controller(sink, hostname="127.0.0.1", port=port, server_hostname="sink.invalid")
    controller.start()
    stack.callback(controller.stop)
    return sink, port


# --- one run --------------------------------------------------------------------------------


@dataclass
class SendRun:
    """One measured drain of the queue by the workers."""

    name: str
    letters: int
    prepare: dict[str, Any]
    clock_s: float
    to_reps: int
    copies: int
    other: int
    first_message_s: float
    last_message_s: float
    worker_exit_codes: list[int]
    cpu: dict[str, float]
    other_cpu_share: float | None
    messages_prepare: list[dict[str, Any]] = field(repr=False, default_factory=list)
    messages_measured: list[dict[str, Any]] = field(repr=False, default_factory=list)

    @property
    def reps_per_s(self) -> float:
        return self.to_reps / self.clock_s if self.clock_s else 0.0

    @property
    def copies_per_s(self) -> float:
        return self.copies / self.clock_s if self.clock_s else 0.0

    @property
    def messages_per_s(self) -> float:
        return (self.to_reps + self.copies) / self.clock_s if self.clock_s else 0.0

    @property
    def steady_per_s(self) -> float:
        """All messages from the first to the last arrival (the poll before the first left out)."""
        span = self.last_message_s - self.first_message_s
        return (self.to_reps + self.copies - 1) / span if span > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "run": self.name,
            "letters": self.letters,
            "clock_s": self.clock_s,
            "messages_to_representatives": self.to_reps,
            "supporter_copies": self.copies,
            "other_messages": self.other,
            "representatives_per_s": self.reps_per_s,
            "copies_per_s": self.copies_per_s,
            "messages_per_s": self.messages_per_s,
            "first_message_after_s": self.first_message_s,
            "last_message_after_s": self.last_message_s,
            "first_to_last_messages_per_s": self.steady_per_s,
            "worker_exit_codes": self.worker_exit_codes,
            "cpu_s": self.cpu,
            "other_cpu_share": self.other_cpu_share,
            "prepare": {k: v for k, v in self.prepare.items() if k != "letter_ids"},
        }


def _scenario_env(ctx: BenchContext, port: int) -> dict[str, str]:
    env = {**ctx.server_env, "EMAIL_URL": f"smtp://127.0.0.1:{port}"}
    # Django's SMTP backend into the sink, the offline lookup: nothing leaves the machine.
    for name in ("EMAIL_BACKEND", "ANYMAIL", "HARBOUR_REPRESENT_URL"):
        env.pop(name, None)
    return env


def _send_run(
    env: dict[str, str], tmp: Path, sink: Sink, name: str, seed: int, database: str
) -> SendRun:
    mark = sink.count()
    prepared = _django(
        env,
        tmp,
        "prepare",
        {"count": LETTERS_PER_RUN, "run_id": name, "seed": seed},
    )
    prepare_messages = sink.since(mark)
    print(
        f"  {name}: {len(prepared['letter_ids']):,} letters created in "
        f"{prepared['create_s']:.1f} s, {len(prepare_messages):,} confirmation e-mails sent in "
        f"{prepared['confirmations_drain_s']:.1f} s",
        flush=True,
    )
    supporters = {f"letters-{name}-{n}@example.invalid" for n in range(LETTERS_PER_RUN)}
    mark = sink.count()
    # One delivery (the supporter's own MP) and one copy per letter: the sink's count that
    # ends the clock. The checks afterwards compare every message with the database.
    expected = 2 * len(prepared["letter_ids"])
    burst = _burst(env, tmp, name, database, sink, mark, expected, prepared["letter_ids"])
    prepared.update(burst.confirmed)
    measured = sink.since(mark)
    to_reps = [m for m in measured if not set(m["rcpt"]) & supporters]
    copies = [m for m in measured if set(m["rcpt"]) & supporters]
    arrivals = [m["at"] - burst.committed_at for m in measured] or [0.0]
    clock, cpu, codes = burst.clock_s, burst.cpu, burst.exit_codes
    result = SendRun(
        name=name,
        letters=len(prepared["letter_ids"]),
        prepare=prepared,
        clock_s=clock,
        to_reps=len(to_reps),
        copies=sum(1 for m in copies if m["subject"].startswith("Copy: ")),
        other=sum(1 for m in copies if not m["subject"].startswith("Copy: ")),
        first_message_s=min(arrivals),
        last_message_s=max(arrivals),
        worker_exit_codes=codes,
        cpu=cpu,
        other_cpu_share=burst.other_cpu_share,
        messages_prepare=prepare_messages,
        messages_measured=measured,
    )
    print(
        f"  {name}: confirmed in {prepared['confirm_s']:.1f} s in one transaction; from its "
        f"commit, {result.to_reps:,} letters to representatives + {result.copies:,} copies in "
        f"{clock:.2f} s: {result.reps_per_s:,.0f} letters/s, {result.messages_per_s:,.0f} "
        f"messages/s (first message after {result.first_message_s:.2f} s); CPU s: workers "
        f"{cpu['workers']:.1f}, PostgreSQL {cpu['postgresql']:.1f}, sink {cpu['sink']:.1f} "
        f"of {cpu['capacity']:.1f}; worker exit codes {codes}",
        flush=True,
    )
    return result


@dataclass
class Burst:
    """A burst of confirmed letters sent by workers already running: from the commit that
    queued it to the arrival of its last expected message."""

    committed_at: float
    clock_s: float
    exit_codes: list[int]
    cpu: dict[str, float]
    other_cpu_share: float | None
    confirmed: dict[str, Any]


def _start_workers(
    stack: ExitStack, env: dict[str, str], tmp: Path, tag: str, *, batch: bool
) -> list[subprocess.Popen[bytes]]:
    workers = []
    for n in range(WORKERS):
        log = stack.enter_context((tmp / f"letters-{tag}-worker{n}.log").open("wb"))
        command = [sys.executable, str(ROOT / "manage.py"), "db_worker", "--no-startup-delay",
                   "--queue-name", "default", *(["--batch"] if batch else [])]  # fmt: skip
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        stack.callback(_stop, process)
        workers.append(process)
    return workers


def _wait_started(workers: list[subprocess.Popen[bytes]], tmp: Path, tag: str) -> None:
    """Until each worker's log says it started (Django loaded, the loop begun)."""
    deadline = time.monotonic() + 120
    for n, process in enumerate(workers):
        path = tmp / f"letters-{tag}-worker{n}.log"
        while "Starting worker" not in path.read_text(errors="replace"):
            if process.poll() is not None:
                raise RuntimeError(f"worker {n} exited while starting:\n{log_tail(path)}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"worker {n} did not start in 120 s")
            time.sleep(0.05)
    time.sleep(BURST_SETTLE_S)  # past their first look at the (empty) queue


def _worker_jiffies(workers: list[subprocess.Popen[bytes]]) -> int:
    found = _processes()
    return sum(found[p.pid][1] for p in workers if p.pid in found)


def _burst(
    env: dict[str, str],
    tmp: Path,
    tag: str,
    database: str,
    sink: Sink,
    mark: int,
    expected: int,
    letter_ids: list[int],
) -> Burst:
    """Start the workers and let them settle on the empty queue (their start-up is measured
    on its own, not here); then confirm every letter in one transaction in another process
    and time the workers from its commit to the sink's `expected`-th message. The CPU
    counters are read just before the commit and at the last arrival."""
    ready, go = tmp / f"burst-{tag}-ready", tmp / f"burst-{tag}-go"
    in_path, out_path = tmp / f"burst-{tag}-in.json", tmp / f"burst-{tag}-out.json"
    in_path.write_text(
        json.dumps({"letter_ids": letter_ids, "ready_path": str(ready), "go_path": str(go)})
    )
    code = "from bench.scenarios.letters_django import confirm_burst; confirm_burst()"
    confirm_log = tmp / f"burst-{tag}-confirm.log"
    with ExitStack() as stack:
        workers = _start_workers(stack, env, tmp, tag, batch=False)
        _wait_started(workers, tmp, tag)
        log = stack.enter_context(confirm_log.open("wb"))
        confirmer = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "shell", "-c", code],
            cwd=ROOT, env={**env, "BENCH_IN": str(in_path), "BENCH_OUT": str(out_path)},
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        stack.callback(_stop, confirmer)
        deadline = time.monotonic() + WORKER_TIMEOUT_S
        while not ready.exists():
            if confirmer.poll() is not None or time.monotonic() > deadline:
                _stop(confirmer)
                raise RuntimeError(f"confirming the burst failed:\n{log_tail(confirm_log)}")
            time.sleep(0.01)
        other_cpu = OtherCpu(database)
        other_cpu.start()
        self0 = resource.getrusage(resource.RUSAGE_SELF)
        workers0, pg0 = _worker_jiffies(workers), _postgres_jiffies()
        go_at = time.monotonic()
        go.write_text("go")
        try:
            confirmer.wait(timeout=60)
        except subprocess.TimeoutExpired:
            _stop(confirmer)
        if confirmer.returncode != 0:
            raise RuntimeError(f"confirming the burst failed:\n{log_tail(confirm_log)}")
        confirmed = json.loads(out_path.read_text())
        while sink.count() - mark < expected:
            if any(p.poll() is not None for p in workers):
                raise RuntimeError("a worker exited during the burst")
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{sink.count() - mark} of {expected} messages in {WORKER_TIMEOUT_S} s"
                )
            time.sleep(0.002)
        self1 = resource.getrusage(resource.RUSAGE_SELF)
        workers1, pg1 = _worker_jiffies(workers), _postgres_jiffies()
        counted_s = time.monotonic() - go_at  # the span the CPU counters cover
        share = other_cpu.share()
        last = max(m["at"] for m in sink.since(mark))
        time.sleep(BURST_SETTLE_S)  # a message sent twice would arrive meanwhile
        for process in workers:
            _stop(process)
        codes = [process.returncode for process in workers]
    clock = last - confirmed["committed_at"]
    if any(codes):
        tails = [log_tail(tmp / f"letters-{tag}-worker{n}.log") for n in range(WORKERS)]
        raise RuntimeError(f"a worker exited with {codes}:\n" + "\n".join(tails))
    ticks = os.sysconf("SC_CLK_TCK")
    return Burst(
        committed_at=confirmed["committed_at"],
        clock_s=clock,
        exit_codes=codes,
        cpu={
            "workers": (workers1 - workers0) / ticks,
            # The sink's thread; the harness's main thread only polls its count meanwhile.
            "sink": (self1.ru_utime + self1.ru_stime) - (self0.ru_utime + self0.ru_stime),
            "postgresql": (pg1 - pg0) / ticks,
            "capacity": counted_s * len(os.sched_getaffinity(0)),
        },
        other_cpu_share=share,
        confirmed=confirmed,
    )


@dataclass
class Drain:
    """The workers' run: from starting them to the exit of the last, and the CPU it took."""

    started: float
    clock_s: float
    exit_codes: list[int]
    cpu: dict[str, float]
    other_cpu_share: float | None


def _drain(env: dict[str, str], tmp: Path, tag: str, database: str) -> Drain:
    """Start the workers, wait for all of them to find the queue empty and exit."""
    other_cpu = OtherCpu(database)
    other_cpu.start()
    children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    self0 = resource.getrusage(resource.RUSAGE_SELF)
    pg0 = _postgres_jiffies()
    codes: list[int] = []
    with ExitStack() as stack:
        started = time.monotonic()
        workers = _start_workers(stack, env, tmp, tag, batch=True)
        for process in workers:
            remaining = max(1.0, WORKER_TIMEOUT_S - (time.monotonic() - started))
            try:
                codes.append(process.wait(timeout=remaining))
            except subprocess.TimeoutExpired as exc:
                raise RuntimeError(
                    f"the workers did not drain the queue in {WORKER_TIMEOUT_S} s"
                ) from exc
        clock = time.monotonic() - started
    children1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    self1 = resource.getrusage(resource.RUSAGE_SELF)
    pg1 = _postgres_jiffies()
    if any(codes):
        tails = [log_tail(tmp / f"letters-{tag}-worker{n}.log") for n in range(WORKERS)]
        raise RuntimeError(f"a worker exited with {codes}:\n" + "\n".join(tails))
    return Drain(
        started=started,
        clock_s=clock,
        exit_codes=codes,
        cpu={
            "workers": (children1.ru_utime + children1.ru_stime)
            - (children0.ru_utime + children0.ru_stime),
            # The sink's thread; the harness's main thread only waits meanwhile.
            "sink": (self1.ru_utime + self1.ru_stime) - (self0.ru_utime + self0.ru_stime),
            "postgresql": (pg1 - pg0) / os.sysconf("SC_CLK_TCK"),
            "capacity": clock * len(os.sched_getaffinity(0)),
        },
        other_cpu_share=other_cpu.share(),
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    """End a worker this scenario started (its own process group), if it is still there."""
    stop_process_group(process, grace_s=10, name="")


def _postgres_jiffies() -> int:
    """CPU time of PostgreSQL's processes, including backends that exited (the postmaster
    reaps them and their time moves to it)."""
    return sum(jiffies for _ppid, jiffies, comm in _processes().values() if comm == "postgres")


def _queue_text(queue: dict[str, int]) -> str:
    return ", ".join(f"{n:,} {key.rsplit('.', 1)[-1]}" for key, n in sorted(queue.items()))


# --- the scenario -------------------------------------------------------------------------


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


def _django(env: dict[str, str], tmp: Path, function: str, data: Any) -> Any:
    return run_in_django(env, tmp, "letters_django", function, data, timeout=600)


# --- report -------------------------------------------------------------------------------


def _result(
    ctx: BenchContext,
    busy: float,
    lookups: dict[str, Any],
    startup: Drain,
    sends: list[SendRun],
    checked: dict[str, Any],
    failed: list[dict[str, Any]],
    profile: dict[str, Any] | None,
    logs: list[str],
) -> ScenarioResult:
    lookup_rates = [r["per_s"] for r in lookups["runs"]]
    lookup_rate = statistics.median(lookup_rates)
    reps_rate = statistics.median(s.reps_per_s for s in sends)
    copies_rate = statistics.median(s.copies_per_s for s in sends)
    all_rate = statistics.median(s.messages_per_s for s in sends)
    steady_rate = statistics.median(s.steady_per_s for s in sends)
    confirm_rates = [
        s.letters / s.prepare["confirmations_drain_s"]
        if s.prepare["confirmations_drain_s"]
        else 0.0
        for s in sends
    ]
    clock = statistics.median(s.clock_s for s in sends)
    first = statistics.median(s.first_message_s for s in sends)
    letters = statistics.median(s.letters for s in sends)

    def runs(values: list[float]) -> str:
        return " / ".join(f"{v:,.0f}" for v in values)

    lookup_work = (
        f"{statistics.median(r['lookups'] for r in lookups['runs']):,.0f} lookups in "
        f"{LOOKUP_SECONDS} s; {lookups['codes']:,} codes over {lookups['distinct_fsas']:,} FSAs, "
        f"{lookups['unknown_share']:.0%} unknown to the table; "
        f"{lookups['run_queries']} SQL queries"
    )
    send_work = (
        f"{letters:,.0f} letters → {statistics.median(s.to_reps for s in sends):,.0f} "
        f"deliveries in {clock:.2f} s (the clock: from the commit that queued the burst to "
        "its last message, the workers already running)"
    )
    # What the same burst would take if the workers had to start for it: the clock plus
    # their start-up on an empty queue, measured on its own above.
    cold_rates = [s.to_reps / (s.clock_s + startup.clock_s) for s in sends]
    rows = [
        {
            "measure": "Postal-code lookups, one process (`district_lookup`)",
            "rate": f"{lookup_rate:,.0f}",
            "runs": runs(lookup_rates),
            "work": lookup_work,
            "target": _target(f"≥ {TARGET_LOOKUPS:,.0f}/s", lookup_rate >= TARGET_LOOKUPS),
        },
        {
            "measure": "Letters to representatives into the sink (2 workers)",
            "rate": f"{reps_rate:,.0f}",
            "runs": runs([s.reps_per_s for s in sends]),
            "work": send_work,
            "target": _target(f"≥ {TARGET_MESSAGES:,.0f}/s", reps_rate >= TARGET_MESSAGES),
        },
        {
            "measure": "Supporter copies (same drain)",
            "rate": f"{copies_rate:,.0f}",
            "runs": runs([s.copies_per_s for s in sends]),
            "work": f"{statistics.median(s.copies for s in sends):,.0f} copies, one per letter",
            "target": "—",
        },
        {
            "measure": "All messages (letters + copies)",
            "rate": f"{all_rate:,.0f}",
            "runs": runs([s.messages_per_s for s in sends]),
            "work": f"{statistics.median(s.to_reps + s.copies for s in sends):,.0f} messages",
            "target": "("
            + _target(f"≥ {TARGET_MESSAGES:,.0f}/s if copies count", all_rate >= TARGET_MESSAGES)
            + ")",
        },  # fmt: skip
        {
            "measure": "All messages, first to last arrival",
            "rate": f"{steady_rate:,.0f}",
            "runs": runs([s.steady_per_s for s in sends]),
            "work": f"first message {first:.2f} s after the commit (the workers poll the queue)",
            "target": "—",
        },
        {
            "measure": "Letters to representatives, workers started for the burst (estimate)",
            "rate": f"{statistics.median(cold_rates):,.0f}",
            "runs": runs(cold_rates),
            "work": f"the clock + {startup.clock_s:.1f} s, the workers' start-up on an empty queue",
            "target": "—",
        },
        {
            "measure": "Confirmation e-mails before the clock (1 in-process worker)",
            "rate": f"{statistics.median(confirm_rates):,.0f}",
            "runs": runs(confirm_rates),
            "work": f"{letters:,.0f} e-mails, one per letter, not in the clock",
            "target": "—",
        },
    ]
    targets = [
        f"≥ {TARGET_LOOKUPS:,.0f} lookups/s in process: "
        f"{_verdict(lookup_rate >= TARGET_LOOKUPS)} ({lookup_rate:,.0f}/s)",
        f"≥ {TARGET_MESSAGES:,.0f} letters to representatives/s: "
        f"{_verdict(reps_rate >= TARGET_MESSAGES)} ({reps_rate:,.0f}/s; counting the supporter "
        f"copies too, {all_rate:,.0f} messages/s: {_verdict(all_rate >= TARGET_MESSAGES)})",
        f"every delivery exactly once: {_verdict(not failed)} "
        f"({len(checked['checks']) - len(failed)} of {len(checked['checks'])} checks passed)",
    ]
    notes = [
        "Targets: " + "; ".join(targets) + ".",
        _other_note(busy, sends),
        _checks_note(checked, failed, sends),
        _cpu_note(sends, checked, startup),
        _prepare_note(sends),
        _lookups_note(lookups),
    ]
    if profile is not None:
        notes += [_profile_note(profile), _suggestions(profile, sends, startup)]
    if logs:
        notes.append("The workers logged errors: " + " | ".join(logs[:5]))
    summary = (
        f"lookups: `district_lookup` in one `manage.py shell` process, {ctx.runs} runs × "
        f"{LOOKUP_SECONDS} s after {LOOKUP_WARMUP_SECONDS} s of warm-up; sending: "
        f"{LETTERS_PER_RUN:,} letters per run on the `sdir-reconvene` campaign (own MP only, "
        f"no digest, no daily cap) created and their confirmation e-mails sent; then "
        f"{WORKERS} × `manage.py db_worker --no-startup-delay --queue-name default` started "
        "and left to settle on the empty queue, and every letter confirmed in one transaction "
        "by another process: the clock runs from that commit to the arrival of the burst's "
        "last message, sent with Django's SMTP backend (`EMAIL_URL=smtp://127.0.0.1:PORT`) "
        f"into an aiosmtpd sink in the harness process; {ctx.runs} runs, medians. No "
        "gunicorn involved."
    )
    return ScenarioResult(
        name=SCENARIO.name,
        title=SCENARIO.title,
        summary=summary,
        columns=COLUMNS,
        rows=rows,
        notes=notes,
        raw={
            "cpu_busy_before_scenario": round(busy, 3),
            "letters_per_run": LETTERS_PER_RUN,
            "workers": WORKERS,
            "lookups": lookups,
            "worker_startup": {"clock_s": startup.clock_s, "cpu_s": startup.cpu},
            "sending": {
                "median_representatives_per_s": reps_rate,
                "median_copies_per_s": copies_rate,
                "median_messages_per_s": all_rate,
                "median_first_to_last_messages_per_s": steady_rate,
                "runs": [s.as_dict() for s in sends],
            },
            "checks": checked,
            "profile": profile,
            "worker_log_errors": logs,
            "targets": targets,
        },
    )


def _verdict(met: bool) -> str:
    return "**met**" if met else "**missed**"


def _target(label: str, met: bool) -> str:
    return f"{label}: {_verdict(met)}"


def _other_note(busy: float, sends: list[SendRun]) -> str:
    shares = [s.other_cpu_share for s in sends if s.other_cpu_share is not None]
    note = f"Other processes kept {busy:.0%} of the CPU busy just before this scenario"
    if not shares:
        return note + "."
    warning = (
        " The machine was not idle: the numbers are low and noisy."
        if max(busy, *shares) > 0.10
        else ""
    )
    return (
        f"{note}, and took {max(shares):.0%} of it at most during the measured drains (all CPU "
        "time less this benchmark's own and its PostgreSQL's: `bench/cpu.py`)."
        f"{warning}"
    )


def _checks_note(
    checked: dict[str, Any], failed: list[dict[str, Any]], sends: list[SendRun]
) -> str:
    letters = sum(s.letters for s in sends)
    deliveries = sum(s.to_reps for s in sends)
    besides = sum(r["deliveries_to_others"] for r in checked["runs"])
    others = (
        f", and {besides:,} deliveries to the campaign's other targets"
        if besides
        else "; the campaign's SDIR target group has no members in this data, so no one else"
    )
    head = (
        f"Exactly once, checked after the runs against the sink's records ({letters:,} letters, "
        f"{deliveries:,} messages to representatives): each letter CONFIRMED with one Delivery "
        "per recipient of the project's own rule (`campaign_targets`: the MP of the letter's "
        f"district{others}), every Delivery "
        "`sent` in one attempt with a distinct Message-ID, that Message-ID received once, "
        "addressed to that representative only; no message to a representative without its "
        "Delivery; one copy per supporter in the drain and one confirmation e-mail per "
        "supporter before it; one `send_letter` task per letter, claimed once and "
        "SUCCESSFUL with every delivery sent and the copy, no retry task; nothing left "
        "READY, RUNNING or FAILED; no Message-ID twice in the sink. "
    )
    if not failed:
        return head + f"All {len(checked['checks'])} checks passed."
    return (
        head
        + "FAILED: "
        + "; ".join(
            f"{c['run']}: {c['check']} (expected {c['expected']}, found {c['found']})"
            for c in failed
        )
    )


def _busy(sends: list[SendRun]) -> float:
    """Median share of all cores the workers, PostgreSQL and the sink kept busy in a drain."""
    return statistics.median(
        (s.cpu["workers"] + s.cpu["postgresql"] + s.cpu["sink"]) / s.cpu["capacity"]
        for s in sends
        if s.cpu["capacity"]
    )


def _cpu_costs(sends: list[SendRun], startup: Drain) -> dict[str, float]:
    """CPU ms per message over a burst (medians over the runs; the workers' start-up is not
    in it), and how many messages/s the cores could carry at that cost."""

    def per_message(key: str, less: float = 0.0) -> float:
        return statistics.median(
            1000 * max(0.0, s.cpu[key] - less) / max(1, s.to_reps + s.copies) for s in sends
        )

    costs = {
        "workers": per_message("workers"),
        "postgresql": per_message("postgresql"),
        "sink": per_message("sink"),
    }
    costs["total"] = costs["workers"] + costs["postgresql"] + costs["sink"]
    cores = len(os.sched_getaffinity(0))
    costs["ceiling_per_s"] = 1000 * cores / costs["total"] if costs["total"] else 0.0
    return costs


def _cpu_note(sends: list[SendRun], checked: dict[str, Any], startup: Drain) -> str:
    costs = _cpu_costs(sends, startup)
    cores = len(os.sched_getaffinity(0))
    splits = [
        max(r["tasks_per_worker"]) / sum(r["tasks_per_worker"])
        for r in checked["runs"]
        if r["tasks_per_worker"]
    ]
    share = (
        f" The busier worker ran {statistics.median(splits):.0%} of a drain's tasks."
        if splits
        else ""
    )
    return (
        f"Where the clock goes: the first message arrived "
        f"{statistics.median(s.first_message_s for s in sends):.2f} s after the commit (a "
        "worker finds the burst at its next look at the queue). Not in the clock: starting "
        f"{WORKERS} workers on an empty queue takes {startup.clock_s:.1f} s "
        f"({startup.cpu['workers']:.1f} CPU s in all), which a deployment pays once, not per "
        "burst. CPU per message over a burst, read just before the commit and at the last "
        f"arrival (medians): the workers {costs['workers']:.1f} ms, PostgreSQL "
        f"{costs['postgresql']:.1f} ms, the sink {costs['sink']:.1f} "
        f"ms: {costs['total']:.1f} ms in all, so the {cores} cores could carry at most "
        f"{costs['ceiling_per_s']:,.0f} messages/s ({costs['ceiling_per_s'] / 2:,.0f} letters "
        "with their copies) if nothing ever waited; together these processes kept "
        f"{_busy(sends):.0%} of the cores busy over the clock, the rest being moments when "
        "both workers wait on a round trip (to PostgreSQL or the sink)." + share
    )


def _prepare_note(sends: list[SendRun]) -> str:
    s = sends[0]
    p = s.prepare
    before = ", ".join(f"{k}={v}" for k, v in p["campaign_before"].items())
    create = statistics.median(1000 * x.prepare["create_s"] / x.letters for x in sends)
    confirm = statistics.median(1000 * x.prepare["confirm_s"] / x.letters for x in sends)
    return (
        "Before the clock, each run: its letters are created by `letter_create` (new "
        "example.invalid supporters in random districts that have an MP, a postal code from "
        f"one of the district's FSAs; {create:.1f} ms each), the confirmation e-mails that "
        "queued are sent into the sink by django_tasks_db's worker loop inside that same "
        "process (counted and checked above, not in the clock). Then, with the workers "
        "running, each letter is confirmed with `letter_confirm(token=confirmation_token("
        f"letter))` ({confirm:.1f} ms each), all in one transaction, which queues one "
        "`send_letter` task per letter (its deliveries and the supporter's copy, over one SMTP "
        "connection): at its commit the queue holds exactly those. "
        "The campaign was found with "
        f"{before} and set to target_own_mp=True, daily_digest=False, daily_cap_per_target=0, "
        "delivery=send (an update of its row, no revision)."
    )


def _lookups_note(lookups: dict[str, Any]) -> str:
    per = 1e6 / statistics.median(r["per_s"] for r in lookups["runs"])
    wrong = (
        "every one gave the table's district (none for the unknown ones)"
        if not lookups["wrong_count"]
        else f"{lookups['wrong_count']} did NOT: {', '.join(lookups['wrong'][:5])}"
    )
    return (
        f"Lookups: backend `{lookups['backend']}` (HARBOUR_REPRESENT_URL unset), table of "
        f"{lookups['fsa_rows']:,} FSAs for {lookups['districts_in_table']} districts; codes "
        f"such as {', '.join(lookups['example_codes'][:3])}. A lookup takes {per:.1f} µs, of "
        f"which normalising the code {lookups['normalise_us']:.1f} µs; the first one of a "
        f"process {lookups['cold_first_lookup_ms']:.1f} ms ({lookups['cold_queries']} queries: "
        "the FSA table and a district); the measured runs made "
        f"{lookups['run_queries']} queries. Each of the {lookups['distinct_fsas']:,} distinct "
        f"FSAs looked up once more afterwards: {wrong}."
    )


# Parts of a worker's time worth naming: key, label, patterns of their cProfile names, and
# whether their own time (rather than their cumulative time) is what counts.
PROFILE_PARTS = [
    (
        "queue",
        "the queue (fetch with SKIP LOCKED, claim, mark done)",
        [
            r"django_tasks_db/models\.py:\d+\(get_locked\)$",
            r"django_tasks_db/models\.py:\d+\(claim\)$",
            r"django_tasks_db/models\.py:\d+\(set_successful\)$",
        ],
        False,
    ),
    (
        "delivery",
        "sending to representatives (`_delivery_send`)",
        [r"letters/sending\.py:\d+\(_delivery_send\)$"],
        False,
    ),
    (
        "copy",
        "the supporter's copy (`_supporter_copy_send`)",
        [r"letters/sending\.py:\d+\(_supporter_copy_send\)$"],
        False,
    ),
    (
        "smtp",
        "SMTP (connect, EHLO, MAIL, RCPT, DATA, QUIT)",
        [r"django/core/mail/backends/smtp\.py:\d+\(send_messages\)$"],
        False,
    ),
    (
        "smtp_wait",
        "of which waiting for the sink's replies",
        [r"<method 'recv_into' of '_socket\.socket' objects>"],
        True,
    ),
    (
        "title",
        "`representative_title` (a query of the roles, twice per letter)",
        [r"representatives/selectors\.py:\d+\(representative_title\)$"],
        False,
    ),
    (
        "sql_build",
        "Django building SQL",
        [r"django/db/models/sql/compiler\.py:\d+\(as_sql\)$"],
        False,
    ),
    ("sql_wait", "waiting for PostgreSQL", [r"psycopg/connection\.py:\d+\(wait\)$"], True),
]


def _profile_shares(profile: dict[str, Any]) -> dict[str, float]:
    """Each part's share of the profiled worker's time (parts overlap)."""
    import re

    rows = profile["top_cumulative"] + profile["top_own_time"]
    total = profile["profiled_s"] or 1.0
    shares = {}
    for key, _label, patterns, own in PROFILE_PARTS:
        found = 0.0
        for pattern in patterns:
            for row in rows:
                if re.search(pattern, row["function"]):
                    found += row["tottime_s"] if own else row["cumtime_s"]
                    break
        shares[key] = found / total
    return shares


def _profile_note(profile: dict[str, Any]) -> str:
    shares = _profile_shares(profile)
    parts = ", ".join(
        f"{label} {shares[key]:.0%}" for key, label, _p, _o in PROFILE_PARTS if shares[key]
    )
    t = profile["timed"]
    return (
        f"Where a worker's time goes: {profile['letters']} letters prepared as in a run, their "
        f"{t['tasks']} tasks drained by django_tasks_db's worker loop in one process (no "
        f"other worker): {t['ms_per_task']:.1f} ms per task, {t['sql_per_task']:.1f} SQL "
        f"statements per task taking {t['sql_ms_per_task']:.1f} ms. Under cProfile (as many "
        f"letters again): {parts} of the worker's time (parts overlap: SMTP and SQL are "
        "inside the sends). The whole profile is in the JSON file."
    )


def _suggestions(profile: dict[str, Any], sends: list[SendRun], startup: Drain) -> str:
    """What to change, each suggestion only where the profile shows its part matters."""
    t = profile["timed"]
    costs = _cpu_costs(sends, startup)
    cores = len(os.sched_getaffinity(0))
    shares = _profile_shares(profile)
    found = []
    if shares["title"] >= 0.02:
        found.append(
            "`delivery_send` renders the letter with `letter_render` twice (subject and "
            "body), and each call runs `representative_title`, which queries the "
            f"representative's roles ({shares['title']:.0%} of the time), while "
            "`letter.district` and `rep.district` are fetched lazily: select_related "
            "`letter__district` and `representative__district`, prefetch the roles and "
            "compute the title once per message"
        )
    if shares["smtp"] >= 0.10:
        found.append(
            f"SMTP is {shares['smtp']:.0%} of the time although each worker keeps its "
            "connection (`core.mailconnection`): what is left is MAIL, RCPT and DATA per "
            "message, Python's e-mail formatting and waiting for the sink (one process "
            "of Python too); a sink or relay that accepts several recipients per message "
            "is not an option here (one letter, one office)"
        )
    if shares["queue"] >= 0.10:
        found.append(
            "the queue costs a SELECT … FOR UPDATE SKIP LOCKED, a claim and a mark-done, "
            f"each with its commit, per letter ({shares['queue']:.0%} of the time): one task "
            "per batch of letters would share that cost"
        )
    found.append(
        f"{t['sql_per_task']:.1f} SQL statements per task, and building and waiting for SQL "
        f"is {shares['sql_build'] + shares['sql_wait']:.0%} of a worker's time: every query "
        "saved counts"
    )
    found.append(
        f"at {costs['total']:.1f} ms of CPU per message (workers, PostgreSQL and sink), the "
        f"{cores} cores cap the drain at about {costs['ceiling_per_s']:,.0f} messages/s, "
        f"{costs['ceiling_per_s'] / 2:,.0f} letters with their copies, however many workers "
        f"run (the burst kept {_busy(sends):.0%} of the cores busy; a third worker could "
        "fill some of the waits): "
        f"{TARGET_MESSAGES:,.0f} letters/s with their copies needs less work per message, "
        "not more processes"
    )
    return (
        "Suggestions, from the profile: "
        + "; ".join(f"({n}) {text}" for n, text in enumerate(found, 1))
        + "."
    )


SCENARIO = Scenario(name="letters", title="E-mail your MP: lookups and letter sending", run=run)
