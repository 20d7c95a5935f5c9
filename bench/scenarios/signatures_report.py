"""The signatures scenario's report: the table, the targets and the notes."""

import re
import statistics
from collections import Counter
from typing import Any

from bench.context import BenchContext, ScenarioResult
from bench.scenarios.signatures_common import (
    COLUMNS,
    CONFIRM_CLIENTS,
    DRAIN_SECONDS,
    INSERT,
    INSERT_ENQUEUE,
    NAME,
    PETITION,
    PING,
    RATE_ENV,
    REDIS_URL,
    SPIKE_CONNECTIONS,
    TARGET_P99_MS,
    TARGET_PAGE_RPS,
    TARGET_REFERENCE_SHARE,
    TARGET_SUBMISSIONS,
    TITLE,
    Checks,
    PostRun,
    Sign,
    Snapshot,
    _ms,
)
from bench.scenarios.signatures_load import _post_load, _reference_seconds
from bench.wrk import WrkResult


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def _result(
    ctx: BenchContext,
    *,
    before: Snapshot,
    sign_runs: list[PostRun],
    insert_runs: list[PostRun],
    enqueue_runs: list[PostRun],
    service_runs: list[PostRun],
    page_runs: list[WrkResult],
    ping_runs: list[WrkResult],
    checks: Checks,
    spike: dict[str, Any],
    confirm: dict[str, Any],
    profile: dict[str, Any],
    redis_note: str | None,
    other_share: dict[str, float | None],
) -> ScenarioResult:
    sign_rate = _median([r.accepted_per_s for r in sign_runs])
    insert_rate = _median([r.accepted_per_s for r in insert_runs])
    page_rate = _median([r.requests_per_s for r in page_runs])
    ping_rate = _median([r.requests_per_s for r in ping_runs])
    sign_p50 = _median([r.wrk.p50_ms for r in sign_runs])
    sign_p99 = _median([r.wrk.p99_ms for r in sign_runs])
    sign_requests = sum(r.sent for r in sign_runs)
    sign_errors = sum(r.errors for r in sign_runs)
    error_rate = sign_errors / sign_requests if sign_requests else 0.0
    enqueue_rate = _median([r.accepted_per_s for r in enqueue_runs])
    # Ratios against the reference: the insert with its task queued (issue 14).
    share = sign_rate / enqueue_rate if enqueue_rate else 0.0
    ceiling_share = sign_rate / insert_rate if insert_rate else 0.0
    insert_share = insert_rate / enqueue_rate if enqueue_rate else 0.0
    service_rate = _median([r.accepted_per_s for r in service_runs])
    service_share = service_rate / enqueue_rate if enqueue_rate else 0.0
    page_share = page_rate / ping_rate if ping_rate else 0.0

    def post_row(label: str, path: str, runs: list[PostRun], ratio: str) -> dict[str, str]:
        return {
            "load": label,
            "path": f"`POST {path}`",
            "rate": f"{_median([r.accepted_per_s for r in runs]):,.0f}",
            "p50": _ms(_median([r.wrk.p50_ms for r in runs])),
            "p99": _ms(_median([r.wrk.p99_ms for r in runs])),
            "ratio": ratio,
            "runs": " / ".join(f"{r.accepted_per_s:,.0f}" for r in runs),
            "errors": f"{sum(r.errors for r in runs)} of {sum(r.sent for r in runs):,}",
        }

    def get_row(label: str, path: str, runs: list[WrkResult], ratio: str) -> dict[str, str]:
        return {
            "load": label,
            "path": f"`GET {path}`",
            "rate": f"{_median([r.requests_per_s for r in runs]):,.0f}",
            "p50": _ms(_median([r.p50_ms for r in runs])),
            "p99": _ms(_median([r.p99_ms for r in runs])),
            "ratio": ratio,
            "runs": " / ".join(f"{r.requests_per_s:,.0f}" for r in runs),
            "errors": f"{sum(r.errors for r in runs)} of {sum(r.requests for r in runs):,}",
        }

    rows = [
        post_row("Signature submissions (302s)", Sign.path, sign_runs, f"{share:.3f}"),
        post_row(
            "Reference: one-row insert + one task queued (tasks API), one transaction",
            INSERT_ENQUEUE,
            enqueue_runs,
            "1.000",
        ),
        post_row(
            "Write ceiling: the one-row insert alone", INSERT, insert_runs, f"{insert_share:.3f}"
        ),
        post_row(
            "Reference: the sign-on's rate limits and service, no form (302s)",
            _post_load("service")[0],
            service_runs,
            f"{service_share:.3f}",
        ),
        get_row("Petition page, anonymous", PETITION, page_runs, f"{page_share:.3f}"),
        get_row("Minimal view", PING, ping_runs, "1.000"),
    ]

    spike_failed = checks.failed("spike")
    targets = [
        _target(
            f"≥ {TARGET_SUBMISSIONS:,.0f} signature submissions/s",
            sign_rate >= TARGET_SUBMISSIONS,
            f"{sign_rate:,.0f}/s",
        ),
        _target(
            f"submission p99 < {TARGET_P99_MS:.0f} ms",
            sign_p99 < TARGET_P99_MS,
            _ms(sign_p99),
        ),
        _target(
            "zero lost or duplicated signatures",
            not spike_failed,
            f"all {len(checks.of('spike'))} checks passed"
            if not spike_failed
            else f"{len(spike_failed)} check(s) failed: "
            + "; ".join(i["check"] for i in spike_failed),
        ),
        _target(
            f"≥ {TARGET_REFERENCE_SHARE:.0%} of the insert + enqueue reference",
            share >= TARGET_REFERENCE_SHARE,
            f"{share:.0%} ({sign_rate:,.0f} of {enqueue_rate:,.0f}/s; of the bare insert "
            f"ceiling: {ceiling_share:.0%}; the sign-on's rate limits and service without the "
            f"form: {service_share:.0%} of the reference)",
        ),
        _target(
            f"petition page ≥ {TARGET_PAGE_RPS:,.0f} requests/s",
            page_rate >= TARGET_PAGE_RPS,
            f"{page_rate:,.0f}/s ({page_share:.0%} of the minimal view)",
        ),
    ]

    redis = (
        f"`REDIS_URL={REDIS_URL}` (flushed first)"
        if redis_note is None
        else f"no Redis ({redis_note}): per-process cache and rate-limit counters"
    )
    summary = (
        f"POSTs: wrk -t{ctx.threads} -c{SPIKE_CONNECTIONS} --latency with "
        f"`bench/scenarios/post_load.lua`, {ctx.runs} runs × {ctx.seconds} s of sending (+ "
        f"{DRAIN_SECONDS} s for the last answers) per URL in interleaved rounds (the "
        f"sign-on service alone {_reference_seconds(ctx)} s), after {ctx.warmup_seconds} s of "
        "warm-up for the submissions, the reference and the ceiling; GETs: "
        f"wrk -t{ctx.threads} -c{ctx.connections} --latency, {ctx.runs} runs × {ctx.seconds} s, "
        "interleaved. Against a gunicorn of the "
        "scenario's own, configured as above plus "
        f"`HARBOUR_SIGN_RATE_IP={RATE_ENV['HARBOUR_SIGN_RATE_IP']}`, "
        f"`HARBOUR_SIGN_RATE_EMAIL={RATE_ENV['HARBOUR_SIGN_RATE_EMAIL']}` and {redis}."
    )
    integrity = (
        f"Integrity, in PostgreSQL after the runs: {spike['accepted_302_total']:,} 302s seen "
        f"(the runs, the warm-up and one check by hand; each run's own count matched against "
        f"its e-mail addresses), {spike['new_signatures']:,} new signatures on the petition, "
        f"all PENDING, {spike['new_tasks']:,} new confirmation tasks, one per signature; "
        "no request left unanswered, no duplicate e-mail in `people_person`, no person with "
        f"two signatures on a page; {spike['insert_rows']:,} rows for "
        f"{spike['insert_200_total']:,} insert 200s; {spike['insert_enqueue_rows']:,} rows and "
        f"{spike['insert_enqueue_tasks']:,} tasks for {spike['insert_enqueue_200_total']:,} "
        "insert-and-enqueue 200s. " + checks.verdict("spike")
    )
    confirmation = (
        f"Confirmation: {confirm['sample']} new signatures confirmed over HTTP, each link's "
        f"button pressed twice at once ({confirm['requests']:,} POSTs from {CONFIRM_CLIENTS} "
        "threads, "
        f"{confirm['requests_per_s']:,.0f}/s, statuses {_statuses(confirm['statuses'])}); "
        f"then `count_total(page)` = {confirm['count_total']:,}, exact count of CONFIRMED = "
        f"{confirm['confirmed_exact']:,} (before {before.confirmed:,} + {confirm['sample']}), "
        f"shard sum {confirm['shard_sum']:,}, the page showed {confirm['page_shows']}; "
        "each signature confirmed once (2 consent rows each, not 4). "
        + checks.verdict("confirmation")
    )
    page_check = (
        "The cached petition page gave two anonymous visitors different CSRF cookies and "
        "form tokens; one visitor's pair served every POST of the scenario. "
        if not checks.failed("page")
        else f"Petition page: {checks.verdict('page')} "
    )
    notes = [
        "Targets: " + "; ".join(targets) + ".",
        # run() inserts the note on other processes' CPU here
        integrity,
        confirmation,
        page_check.strip(),
        _profile_note(profile),
        "Signature submissions/s: 302s to the thanks page counted by the wrk script, over "
        "the time from its first request to its last answer; p50/p99 are wrk's, of every "
        "request of the run. “vs reference”: accepted requests/s over the insert + enqueue "
        "view's accepted (200) requests/s under the same load; the page's requests/s over "
        "the minimal view's.",
        "Errors: answers other than the expected 302 (or 200), socket errors, and requests "
        f"left unanswered, over the requests sent. Submission error rate: {error_rate:.2%}.",
        "The sign-on rate limits are raised for the run: every request comes from one "
        "address (127.0.0.1), and the default of 20 signatures per address per hour would "
        "turn away all but the first 20. Each request signs with a new e-mail address.",
    ]
    return ScenarioResult(
        name=NAME,
        title=TITLE,
        summary=summary,
        columns=COLUMNS,
        rows=rows,
        notes=notes,
        raw={
            "other_cpu_share": other_share,
            "server_env": {
                **RATE_ENV,
                "REDIS_URL": REDIS_URL if redis_note is None else None,
                "redis_note": redis_note,
            },
            "spike_connections": SPIKE_CONNECTIONS,
            "drain_seconds": DRAIN_SECONDS,
            "signature_submissions": {
                "median_accepted_per_s": sign_rate,
                "median_p50_ms": sign_p50,
                "median_p99_ms": sign_p99,
                "error_rate": error_rate,
                "runs": [r.as_dict() for r in sign_runs],
            },
            "insert_ceiling": {
                "median_accepted_per_s": insert_rate,
                "runs": [r.as_dict() for r in insert_runs],
            },
            "submissions_over_insert": ceiling_share,
            "submissions_over_reference": share,
            "sign_service_reference": {
                "median_accepted_per_s": service_rate,
                "ratio_to_reference": service_share,
                "runs": [r.as_dict() for r in service_runs],
            },
            "insert_enqueue_reference": {
                "median_accepted_per_s": enqueue_rate,
                "ratio_to_insert": 1 / insert_share if insert_share else 0.0,
                "runs": [r.as_dict() for r in enqueue_runs],
            },
            "petition_page": {
                "median_requests_per_s": page_rate,
                "ratio_to_minimal_view": page_share,
                "runs": [r.as_dict() for r in page_runs],
            },
            "minimal_view": {
                "median_requests_per_s": ping_rate,
                "runs": [r.as_dict() for r in ping_runs],
            },
            "integrity": {"checks": checks.items, **spike},
            "confirmation": confirm,
            "profile": profile,
            "targets": targets,
        },
    )


def _print_other(label: str, share: float | None) -> None:
    if share is not None:
        print(f"  other processes took {share:.0%} of the CPU during the {label}", flush=True)


def _other_note(busy: float, posts: float | None, gets: float | None) -> str:
    note = f"Other processes kept {busy:.0%} of the CPU busy just before this scenario"
    if posts is None or gets is None:
        return note + "."
    warning = (
        " The machine was not idle: the numbers are low and noisy."
        if max(busy, posts, gets) > 0.10
        else ""
    )
    return (
        f"{note}, and took {posts:.0%} of it during the POST runs and {gets:.0%} during the "
        "GET runs (all CPU time less this benchmark's own, its PostgreSQL's and Redis's: "
        f"`bench/cpu.py`).{warning}"
    )


def _target(label: str, met: bool, found: str) -> str:
    return f"{label}: **{'met' if met else 'missed'}** ({found})"


def _statuses(statuses: dict[str, int]) -> str:
    return ", ".join(f"{count:,}× {status}" for status, count in sorted(statuses.items()))


def _profile_note(profile: dict[str, Any]) -> str:
    sign, page = profile["submission"], profile["page"]
    return (
        "Where the time goes, in one process, one request at a time (Django's test client, "
        f"same settings and cache, {sign['requests']} requests each, no load): "
        f"a submission takes {_costs(sign)}; under cProfile, "
        + ", ".join(_shares(sign))
        + f". Its SQL: {_sql_summary(sign['sql_of_one_request'])}. "
        f"A petition page view takes {_costs(page)}. "
        "The SQL of one request and both profiles are in the JSON file. "
        + _outcomes_note(profile.get("outcomes"))
    )


def _outcomes_note(found: dict[str, Any] | None) -> str:
    if not found:
        return ""
    parts = []
    for form, data in found["forms"].items():
        medians, ratios = data["median_ms"], data["ratio_to_new"]
        same = len({tuple(v) for v in data["answers"].values()}) == 1
        parts.append(
            f"{form} form: "
            + ", ".join(
                f"{kind} address {_ms(medians[kind])} ({ratios[kind]:.2f}× new)"
                for kind in ("new", "pending", "confirmed")
            )
            + ("; the same status and Location for all three" if same else "; ANSWERS DIFFER")
        )
    return (
        f"Answer time by what the address had done ({found['requests_per_outcome']} requests "
        "each, interleaved, one at a time, medians): " + "; ".join(parts) + "."
    )


def _costs(data: dict[str, Any]) -> str:
    return (
        f"{data['wall_ms_per_request']:.1f} ms ({data['sql_per_request']:.0f} SQL statements, "
        f"{data['sql_ms_per_request']:.1f} ms; {data['cache_calls_per_request']:.0f} cache "
        f"call(s), {data['cache_ms_per_request']:.1f} ms)"
    )


# Parts of a submission worth naming: a label and a pattern of their cProfile name.
PROFILE_PARTS = [
    (
        "Wagtail's routing (site, page, specific page)",
        r"^wagtail/models/pages\.py:\d+\(route_for_request\)$",
    ),
    ("the sign view", r"^signons/views\.py:\d+\(sign\)$"),
    (
        "of which `signature_create` (the transaction)",
        r"^signons/services\.py:\d+\(signature_create\)$",
    ),
    ("form validation", r"^django/forms/forms\.py:\d+\(is_valid\)$"),
    ("rate limits", r"^core/ratelimit\.py:\d+\(hit\)$"),
]


def _shares(data: dict[str, Any]) -> list[str]:
    total = data["profiled_ms_per_request"] * data["requests"] / 1000
    if total <= 0:
        return []

    def cumulative(pattern: str) -> float | None:
        for row in data["top_cumulative"]:
            if re.search(pattern, row["function"]):
                return float(row["cumtime_s"])
        return None

    shares = []
    serve = cumulative(r"^wagtail/views\.py:\d+\(serve\)$")
    if serve is not None:
        outside = 1 - serve / total
        shares.append(f"outside Wagtail's serve (middleware, request, response) {outside:.0%}")
    for label, pattern in PROFILE_PARTS:
        seconds = cumulative(pattern)
        if seconds is not None:
            shares.append(f"{label} {seconds / total:.0%}")
    return shares


def _sql_summary(statements: list[dict[str, str]]) -> str:
    """ "SELECT wagtailcore_page ×3, SAVEPOINT/RELEASE ×6, ..." in the order they first ran."""
    kinds = Counter(statement["kind"] for statement in statements)
    return ", ".join(f"{kind} ×{n}" if n > 1 else kind for kind, n in kinds.items())
