"""Pages under read load: what a Wagtail page costs compared with the cheapest Django view.

The minimal view (`/bench/ping/`, mounted by HARBOUR_BENCH) runs the whole middleware stack
and nothing else, so it is the ceiling of this server on this machine; a page's share of that
ceiling says how much its queries and templates cost, independent of how fast the machine is.
The URLs are measured in interleaved rounds so that a slow moment of the shared machine
lands on every URL rather than on one.
"""

import statistics
import urllib.parse
from dataclasses import dataclass
from typing import Any

from bench.context import BenchContext, Column, Scenario, ScenarioResult
from bench.cpu import OtherCpu
from bench.server import http_get
from bench.wrk import WrkResult, run_wrk

SITE_NAME = "Alliance Canada Hong Kong"


@dataclass(frozen=True)
class Target:
    label: str
    path: str
    must_contain: str


MINIMAL = Target("Minimal view", "/bench/ping/", "ok")
TARGETS = [
    MINIMAL,
    Target("Home page", "/", f"<title>{SITE_NAME}"),
    Target(
        "Article page",
        "/news/our-work-over-the-past-few-weeks/",
        "Our work over the past few weeks",
    ),
]

COLUMNS = [
    Column("page", "Page", "left"),
    Column("path", "Path", "left"),
    Column("rps", "Requests/s (median)"),
    Column("p50", "p50"),
    Column("p99", "p99"),
    Column("ratio", "vs minimal view"),
    Column("runs", "Runs (requests/s)"),
    Column("errors", "Errors"),
]


def check_targets(
    ctx: BenchContext, targets: list[Target] | None = None, base_url: str | None = None
) -> None:
    """Each URL answers 200 with its content: wrk counts a 3xx as success, this does not."""
    for target in targets or TARGETS:
        status, body = http_get((base_url or ctx.base_url) + target.path)
        if status != 200 or target.must_contain not in body:
            raise RuntimeError(
                f"GET {target.path} answered {status} without {target.must_contain!r}; "
                "the demo content or the site set-up is not what this scenario expects."
            )
        print(f"  GET {target.path}: 200, {len(body.encode())} bytes", flush=True)


def measure_rounds(
    ctx: BenchContext, targets: list[Target], base_url: str, other_cpu: OtherCpu
) -> dict[str, list[WrkResult]]:
    """A warm-up per URL, then `ctx.runs` interleaved rounds; `other_cpu` starts after the
    warm-up. Also used by other scenarios for their pages (with their own server)."""
    if ctx.warmup_seconds:
        print(f"  warm-up: {ctx.warmup_seconds} s per URL (not measured)", flush=True)
        for target in targets:
            _wrk(ctx, base_url, target, ctx.warmup_seconds)
    measured: dict[str, list[WrkResult]] = {t.path: [] for t in targets}
    other_cpu.start()
    for round_no in range(1, ctx.runs + 1):
        for target in targets:
            result = _wrk(ctx, base_url, target, ctx.seconds)
            measured[target.path].append(result)
            print(
                f"  run {round_no}/{ctx.runs} {target.path}: {result.requests_per_s:,.0f} req/s, "
                f"p50 {_ms(result.p50_ms)}, p99 {_ms(result.p99_ms)}, errors {result.errors}",
                flush=True,
            )
    return measured


def summarise(
    targets: list[Target], measured: dict[str, list[WrkResult]]
) -> tuple[list[dict[str, str]], list[dict[str, Any]], float]:
    """The table's rows (COLUMNS), the raw numbers per URL, and the minimal view's median
    requests/s that the ratios divide by (MINIMAL must be among `targets`)."""
    ceiling = statistics.median(r.requests_per_s for r in measured[MINIMAL.path])
    rows: list[dict[str, str]] = []
    raw_targets = []
    for target in targets:
        results = measured[target.path]
        rps = statistics.median(r.requests_per_s for r in results)
        p50 = statistics.median(r.p50_ms for r in results)
        p99 = statistics.median(r.p99_ms for r in results)
        ratio = rps / ceiling if ceiling else 0.0
        errors = sum(r.errors for r in results)
        rows.append(
            {
                "page": target.label,
                "path": f"`{target.path}`",
                "rps": f"{rps:,.0f}",
                "p50": _ms(p50),
                "p99": _ms(p99),
                "ratio": f"{ratio:.3f}",
                "runs": " / ".join(f"{r.requests_per_s:,.0f}" for r in results),
                "errors": str(errors),
            }
        )
        raw_targets.append(
            {
                "label": target.label,
                "path": target.path,
                "median_requests_per_s": rps,
                "median_p50_ms": p50,
                "median_p99_ms": p99,
                "ratio_to_minimal_view": ratio,
                "errors_total": errors,
                "runs": [r.as_dict() for r in results],
            }
        )
    return rows, raw_targets, ceiling


def run(ctx: BenchContext) -> ScenarioResult:
    check_targets(ctx)
    other_cpu = OtherCpu(_database_name(ctx))
    measured = measure_rounds(ctx, TARGETS, ctx.base_url, other_cpu)
    other = other_cpu.share()
    rows, raw_targets, ceiling = summarise(TARGETS, measured)
    return ScenarioResult(
        name=SCENARIO.name,
        title=SCENARIO.title,
        summary=(
            f"wrk -t{ctx.threads} -c{ctx.connections} --latency, {ctx.runs} runs × "
            f"{ctx.seconds} s per URL in interleaved rounds, after {ctx.warmup_seconds} s of "
            "warm-up per URL."
        ),
        columns=COLUMNS,
        rows=rows,
        notes=[
            "Requests/s, p50 and p99 are each the median of the runs; "
            "“vs minimal view” is a page's median requests/s over the minimal view's.",
            "Errors: wrk's non-2xx/3xx responses plus socket errors, summed over the runs "
            "(each URL is first checked to answer 200, not a redirect).",
            *_other_cpu_note(other),
        ],
        raw={
            "targets": raw_targets,
            "minimal_view_median_requests_per_s": ceiling,
            "other_cpu_share": other,
        },
    )


def _database_name(ctx: BenchContext) -> str:
    url = ctx.server_env.get("DATABASE_URL", "")
    return urllib.parse.urlsplit(url).path.lstrip("/") if "://" in url else ""


def _other_cpu_note(share: float | None) -> list[str]:
    if share is None:
        return []
    warning = " The machine was not idle: the numbers are low and noisy." if share > 0.10 else ""
    return [
        f"Other processes took {share:.0%} of the CPU during the measured runs (all CPU time "
        f"less this benchmark's own, its PostgreSQL's and Redis's: `bench/cpu.py`).{warning}"
    ]


def _wrk(ctx: BenchContext, base_url: str, target: Target, seconds: int) -> WrkResult:
    return run_wrk(
        ctx.wrk,
        base_url + target.path,
        seconds=seconds,
        threads=ctx.threads,
        connections=ctx.connections,
    )


def _ms(value: float) -> str:
    if value >= 1000:
        return f"{value / 1000:.2f} s"
    return f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms"


SCENARIO = Scenario(name="pages", title="Pages under read load", run=run)
