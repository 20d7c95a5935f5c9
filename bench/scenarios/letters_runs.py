"""The letters scenario's runs: letters created and confirmed, workers started, the burst
timed and drained."""

import json
import os
import resource
import subprocess
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.context import BenchContext
from bench.cpu import OtherCpu, _processes
from bench.scenarios.letters_common import (
    BURST_SETTLE_S,
    LETTERS_PER_RUN,
    WORKER_TIMEOUT_S,
    WORKERS,
    Sink,
    _django,
)
from bench.server import ROOT, log_tail, stop_process_group


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
