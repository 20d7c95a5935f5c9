"""The newsletter scenario's task workers: WORKERS `manage.py task_worker`s as deploy/ runs
them (with the short heartbeat of WORKER_ENV), each with a worker id of its own so that the
task a worker holds can be read from the queue; one may be killed (-9) and is then started
again after systemd's RestartSec. And a sampler of their memory (VmRSS from /proc, every
RSS_EVERY_S, with the sink's count at that moment)."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bench.cpu import _processes
from bench.scenarios.newsletter_common import RESTART_AFTER_S, RSS_EVERY_S, WORKER_ENV, WORKERS
from bench.scenarios.newsletter_sink import RawSink
from bench.server import ROOT, log_tail, stop_process_group


class Workers:
    def __init__(self, env: dict[str, str], tmp: Path, tag: str) -> None:
        self.env = {**env, **WORKER_ENV}
        self.tmp, self.tag = tmp, tag
        self.lock = threading.Lock()
        self.processes: list[subprocess.Popen[bytes]] = []
        self.worker_ids: list[str] = []
        self.logs: list[Path] = []
        # Every process started: slot, pid, worker id, log, when started and killed.
        self.history: list[dict[str, Any]] = []
        for slot in range(WORKERS):
            self._start(slot)

    def _start(self, slot: int) -> None:
        generation = sum(1 for h in self.history if h["slot"] == slot)
        worker_id = f"bench-{self.tag}-{slot}-{generation}"
        log_path = self.tmp / f"newsletter-{worker_id}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, str(ROOT / "manage.py"), "task_worker", "--queue-name",
                 "default", "--no-startup-delay", "--worker-id", worker_id],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        record = {"slot": slot, "pid": process.pid, "worker_id": worker_id, "log": log_path,
                  "started_at": time.monotonic(), "ready_at": None, "killed_at": None}  # fmt: skip
        if slot < len(self.processes):
            self.processes[slot], self.worker_ids[slot], self.logs[slot] = (
                process, worker_id, log_path
            )  # fmt: skip
        else:
            self.processes.append(process)
            self.worker_ids.append(worker_id)
            self.logs.append(log_path)
        self.history.append(record)

    def wait_started(self, timeout: float = 120) -> None:
        """Until each worker's log says it started (Django loaded, the loop begun)."""
        deadline = time.monotonic() + timeout
        for process, path in zip(self.processes, self.logs, strict=True):
            while "Starting worker" not in path.read_text(errors="replace"):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"a task worker did not start:\n{log_tail(path)}")
                time.sleep(0.05)
        self.poll_ready()
        time.sleep(1.0)  # past their first look at the (empty) queue

    def current(self) -> list[tuple[int, int]]:
        """(slot, pid) of the processes running now."""
        with self.lock:
            return [(slot, p.pid) for slot, p in enumerate(self.processes)]

    def check_alive(self) -> None:
        for process, path in zip(self.processes, self.logs, strict=True):
            if process.poll() is not None:
                raise RuntimeError(
                    f"a task worker exited ({process.returncode}):\n{log_tail(path)}"
                )

    def kill(self, slot: int) -> dict[str, Any]:
        """-9 to the worker in `slot`, then, after RestartSec, another in its place."""
        with self.lock:
            process = self.processes[slot]
            killed_at = time.monotonic()
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
            self._record(process.pid)["killed_at"] = killed_at
        time.sleep(RESTART_AFTER_S)
        with self.lock:
            self._start(slot)
            restarted = self.history[-1]
        return {"slot": slot, "pid": process.pid, "killed_at": killed_at,
                "restarted_at": restarted["started_at"],
                "new_worker_id": restarted["worker_id"]}  # fmt: skip

    def _record(self, pid: int) -> dict[str, Any]:
        return next(h for h in self.history if h["pid"] == pid)

    def poll_ready(self) -> None:
        """Note when each worker's log first says it started (called while waiting)."""
        for record in self.history:
            waiting = record.get("ready_at") is None and record["killed_at"] is None
            if waiting and "Starting worker" in record["log"].read_text(errors="replace"):
                record["ready_at"] = time.monotonic()

    def jiffies(self) -> int:
        found = _processes()
        return sum(found[pid][1] for _slot, pid in self.current() if pid in found)

    def stop(self) -> None:
        for process in self.processes:
            stop_process_group(process, grace_s=10, name="")

    def logs_text(self) -> str:
        return "\n".join(f"--- {h['worker_id']}\n{log_tail(h['log'])}" for h in self.history)


def rss_mb(pid: int, field: str = "VmRSS:") -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


class RssSampler(threading.Thread):
    """Every RSS_EVERY_S: (time, the sink's count, {pid: VmRSS in MB}) of the workers."""

    def __init__(self, workers: Workers, sink: RawSink) -> None:
        super().__init__(name="newsletter-rss", daemon=True)
        self.workers, self.sink = workers, sink
        self.samples: list[tuple[float, int, dict[int, float]]] = []
        self.stopping = threading.Event()

    def sample(self) -> None:
        found = {}
        for _slot, pid in self.workers.current():
            value = rss_mb(pid)
            if value is not None:
                found[pid] = value
        self.samples.append((time.monotonic(), self.sink.count(), found))

    def run(self) -> None:
        while not self.stopping.wait(RSS_EVERY_S):
            self.sample()

    def stop(self) -> None:
        self.stopping.set()
        self.join(5)
