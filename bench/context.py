"""What a scenario receives and returns, kept apart from the harness so scenarios stay small.

A scenario knows the running server's address and the load settings; the harness owns the
database, the shared gunicorn and clean-up, and the report turns any `ScenarioResult` into
the stdout table, the results files and its own section of docs/benchmarks.md. A scenario
that needs the server configured otherwise starts its own with `bench.server`, from
`server_env` (the harness's environment: database, secrets, settings) and the same worker
settings, inside `tmp`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class BenchContext:
    """The server under test and how hard to push it."""

    base_url: str
    seconds: int
    runs: int
    warmup_seconds: int
    wrk: str
    threads: int
    connections: int
    gunicorn_workers: int
    # gunicorn's --max-requests as the harness passes it (None: the config file's value).
    max_requests: int | None = None
    server_env: dict[str, str] = field(default_factory=dict, repr=False)
    tmp: Path | None = None


class ScenarioSkipped(Exception):
    """The scenario cannot run here (say why); the harness goes on with the next one."""


@dataclass(frozen=True)
class Column:
    """One column of a result table: `key` into each row, `title` shown, `align` of cells."""

    key: str
    title: str
    align: str = "right"


@dataclass
class ScenarioResult:
    """A scenario's table (pre-formatted cells) plus the raw numbers for the JSON file."""

    name: str
    title: str
    summary: str
    columns: list[Column]
    rows: list[dict[str, str]]
    notes: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    """`name` names the results files and the docs markers (`<!-- bench:NAME:start -->`)."""

    name: str
    title: str
    run: Callable[[BenchContext], ScenarioResult]
