"""The letters scenario's report: the table, the targets and the checks."""

import statistics
from typing import Any

from bench.context import BenchContext, ScenarioResult
from bench.scenarios.letters_common import (
    COLUMNS,
    LETTERS_PER_RUN,
    LOOKUP_SECONDS,
    LOOKUP_WARMUP_SECONDS,
    NAME,
    TARGET_LOOKUPS,
    TARGET_MESSAGES,
    TITLE,
    WORKERS,
)
from bench.scenarios.letters_notes import (
    _cpu_note,
    _lookups_note,
    _prepare_note,
    _profile_note,
    _suggestions,
)
from bench.scenarios.letters_runs import Drain, SendRun


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
        name=NAME,
        title=TITLE,
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
        else "; the campaign targets no one else"
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
