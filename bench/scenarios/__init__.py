"""The benchmark's scenarios, run in this order: a new scenario is a module here exposing a
`SCENARIO` (see `bench.context.Scenario`) appended to this list, and gets its own results
files and its own section of docs/benchmarks.md."""

from bench.context import Scenario
from bench.scenarios import events, faults, letters, newsletter, pages, scale, signatures

# scale runs last: it leaves six million rows behind (the harness drops the database).
SCENARIOS: list[Scenario] = [
    pages.SCENARIO,
    signatures.SCENARIO,
    letters.SCENARIO,
    faults.SCENARIO,
    events.SCENARIO,
    newsletter.SCENARIO,
    scale.SCENARIO,
]
