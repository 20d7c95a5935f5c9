"""How much of the CPU other work took while the benchmark ran (Linux /proc only).

The machine is shared: a test suite started halfway through a run takes CPU from gunicorn,
PostgreSQL and wrk alike, and a busy check before the run cannot see it. `OtherCpu` counts
the CPU time of every process over a period and subtracts the benchmark's own: this process
and its descendants (wrk, gunicorn and its workers, manage.py), including children that
exited (their time moves to the parent that reaped them), PostgreSQL except the backends of
other databases, and Redis. What is left is other work.
"""

import os
import re
from dataclasses import dataclass
from pathlib import Path

# A PostgreSQL client backend: "postgres: 15/main: USER DATABASE HOST(PORT) STATE".
_PG_BACKEND = re.compile(r"^postgres: (?:[^:]+: )?\S+ (\S+) \S+\(\d+\)")


@dataclass(frozen=True)
class _Sample:
    busy: int  # jiffies of all cores, not idle
    total: int
    mine: int


class OtherCpu:
    """`start()`, then `share()`: the part of all cores' time that other work took since."""

    def __init__(self, database: str) -> None:
        self.database = database
        self._start: _Sample | None = None

    def start(self) -> None:
        self._start = self._sample()

    def share(self) -> float | None:
        """None where /proc cannot be read."""
        if self._start is None:
            return None
        end = self._sample()
        total = end.total - self._start.total
        if total <= 0 or end.total == 0:
            return None
        other = (end.busy - self._start.busy) - (end.mine - self._start.mine)
        return max(0.0, other / total)

    def _sample(self) -> _Sample:
        try:
            fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
        except (OSError, ValueError):
            return _Sample(0, 0, 0)
        total = sum(fields)
        busy = total - fields[3] - fields[4]  # idle, iowait
        processes = _processes()
        me = os.getpid()
        mine = 0
        for pid, (_ppid, jiffies, comm) in processes.items():
            if self._is_mine(pid, comm, processes, me):
                mine += jiffies
        return _Sample(busy=busy, total=total, mine=mine)

    def _is_mine(
        self, pid: int, comm: str, processes: dict[int, tuple[int, int, str]], me: int
    ) -> bool:
        if comm == "postgres":
            backend = _PG_BACKEND.match(_cmdline(pid))
            return backend is None or backend.group(1) == self.database
        if comm == "redis-server":
            return True
        seen = 0
        while pid and seen < 64:  # descendant of this process?
            if pid == me:
                return True
            pid = processes.get(pid, (0, 0, ""))[0]
            seen += 1
        return False


def _processes() -> dict[int, tuple[int, int, str]]:
    """pid -> (ppid, utime + stime + cutime + cstime, comm) of every process readable now."""
    found: dict[int, tuple[int, int, str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:
            continue  # exited meanwhile
        comm = text[text.find("(") + 1 : text.rfind(")")]
        rest = text[text.rfind(")") + 2 :].split()
        try:
            ppid = int(rest[1])
            jiffies = sum(int(x) for x in rest[11:15])
        except (IndexError, ValueError):
            continue
        found[int(entry.name)] = (ppid, jiffies, comm)
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""
