"""The load generator: Debian's `wrk`, installed on demand, and a parser of its report.

wrk (rather than a Python client) because a Python load generator would need more of the two
cores than the server it measures; ../shared/ARCHITECTURE.md found wrk suitable here.
"""

import json
import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

APT_TIMEOUT = 300
_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
# A Lua script's `done` callback prints its own counters on one line after this marker, as JSON.
SCRIPT_REPORT_MARKER = "wrk-script-report: "


class WrkError(RuntimeError):
    """wrk is missing and could not be installed, failed, or printed something unexpected."""


@dataclass(frozen=True)
class WrkResult:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    duration_s: float
    non_2xx_3xx: int
    socket_errors: dict[str, int]
    # What a Lua script (`-s`) reported from its `done` callback, if it printed a report.
    script_report: dict[str, Any] | None = None

    @property
    def errors(self) -> int:
        """wrk's "Non-2xx or 3xx responses" plus every socket error (connect, read, ...)."""
        return self.non_2xx_3xx + sum(self.socket_errors.values())

    def as_dict(self) -> dict[str, Any]:
        data = {**asdict(self), "errors": self.errors}
        if self.script_report is None:
            del data["script_report"]
        return data


def ensure_wrk() -> str:
    """Path of wrk, installing the Debian package when it is missing (needs root)."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise WrkError("wrk is not installed; install it with `apt-get install wrk`.")
    print("wrk is missing: installing the Debian package", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "wrk"]
    if _quiet_run(install, env) != 0:
        # A fresh container has no package lists yet; fetch them only when needed.
        _quiet_run(["apt-get", "update", "-qq"], env)
        if _quiet_run(install, env) != 0:
            raise WrkError("`apt-get install wrk` failed; install wrk and run again.")
    found = shutil.which("wrk")
    if not found:
        raise WrkError("wrk was installed but is not on PATH.")
    return found


def _quiet_run(command: list[str], env: dict[str, str]) -> int:
    try:
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=APT_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        return -1
    return done.returncode


def wrk_version(wrk: str) -> str:
    # `wrk --version` prints its banner and usage, and exits 1.
    done = subprocess.run([wrk, "--version"], capture_output=True, text=True, timeout=10)
    first = (done.stdout or done.stderr).splitlines()
    return first[0].split(" Copyright")[0].strip() if first else "wrk"


def run_wrk(
    wrk: str,
    url: str,
    *,
    seconds: int,
    threads: int,
    connections: int,
    timeout_s: int = 10,
    script: Path | None = None,
    script_args: Sequence[str] = (),
) -> WrkResult:
    """One wrk run against `url`; requests that take over `timeout_s` count as timeouts.

    `script` is a Lua script for wrk's `-s`, given `script_args` (after `--`)."""
    command = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        f"--timeout={timeout_s}s",
        "--latency",
    ]
    if script is not None:
        command += ["-s", str(script)]
    command.append(url)
    if script_args:
        command += ["--", *script_args]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + 60, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise WrkError(f"wrk did not finish within {seconds + 60} s: {url}") from exc
    if done.returncode != 0:
        raise WrkError(f"wrk failed ({done.returncode}) on {url}: {done.stderr.strip()}")
    return parse_wrk(done.stdout)


def parse_wrk(text: str) -> WrkResult:
    """Parse the report `wrk --latency` prints (wrk 4.x)."""
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.MULTILINE)
    total = re.search(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h)", text, re.MULTILINE)
    p50 = re.search(r"^\s+50(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)", text, re.MULTILINE)
    p99 = re.search(r"^\s+99(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)", text, re.MULTILINE)
    if not (rps and total and p50 and p99):
        raise WrkError(f"unexpected wrk output:\n{text}")
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    socket_errors = dict.fromkeys(("connect", "read", "write", "timeout"), 0)
    if sockets:
        socket_errors = dict(zip(socket_errors, map(int, sockets.groups()), strict=True))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return WrkResult(
        requests_per_s=float(rps.group(1)),
        p50_ms=float(p50.group(1)) * _UNITS_MS[p50.group(2)],
        p99_ms=float(p99.group(1)) * _UNITS_MS[p99.group(2)],
        requests=int(total.group(1)),
        duration_s=float(total.group(2)) * _UNITS_MS[total.group(3)] / 1000.0,
        non_2xx_3xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=socket_errors,
        script_report=_script_report(text),
    )


def _script_report(text: str) -> dict[str, Any] | None:
    for line in text.splitlines():
        if line.startswith(SCRIPT_REPORT_MARKER):
            try:
                report = json.loads(line[len(SCRIPT_REPORT_MARKER) :])
            except json.JSONDecodeError as exc:
                raise WrkError(f"unreadable report from the wrk script: {line}") from exc
            if not isinstance(report, dict):
                raise WrkError(f"unexpected report from the wrk script: {line}")
            return report
    return None
