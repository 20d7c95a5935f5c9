"""The newsletter scenario's report: the table, the targets and the notes."""

import os
import statistics
from typing import Any

from bench.context import BenchContext, ScenarioResult
from bench.scenarios.newsletter_common import (
    COLUMNS,
    KILL_AT,
    NAME,
    RATE_ENV,
    RESTART_AFTER_S,
    TARGET_PER_S,
    TITLE,
    WORKER_ENV,
)
from bench.scenarios.newsletter_notes import (
    batch_profile_note,
    dip,
    kills_note,
    other_note,
    send_note,
    signup_profile_note,
)
from bench.scenarios.signatures_common import (
    DRAIN_SECONDS,
    INSERT_ENQUEUE,
    REDIS_URL,
    SPIKE_CONNECTIONS,
    PostRun,
    _ms,
)

FLAT_SHARE = 0.10  # "flat": the peak within a tenth of the RSS at a tenth of the messages


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def _verdict(met: bool) -> str:
    return "**met**" if met else "**missed**"


def _post_row(label: str, path: str, runs: list[PostRun], ratio: str) -> dict[str, str]:
    return {
        "measure": label,
        "work": f"`POST {path}`",
        "rate": f"{_median([r.accepted_per_s for r in runs]):,.0f}",
        "p50": _ms(_median([r.wrk.p50_ms for r in runs])),
        "p99": _ms(_median([r.wrk.p99_ms for r in runs])),
        "ratio": ratio,
        "runs": " / ".join(f"{r.accepted_per_s:,.0f}" for r in runs),
        "errors": f"{sum(r.errors for r in runs)} of {sum(r.sent for r in runs):,}",
        "target": "—",
    }


def _row(measure: str, work: str, rate: str, errors: str, target: str) -> dict[str, str]:
    return {"measure": measure, "work": work, "rate": rate, "p50": "—", "p99": "—",
            "ratio": "—", "runs": "one run", "errors": errors, "target": target}  # fmt: skip


def flat(rss: list[dict[str, Any]]) -> bool:
    return all(r["peak_mb"] <= r["tenth_mb"] * (1 + FLAT_SHARE) for r in rss if not r["killed"])


def result(ctx: BenchContext, found: dict[str, Any]) -> ScenarioResult:
    clean, kills, checks, sink = found["clean"], found["kills"], found["checks"], found["sink"]
    signups, reference = found["signups"], found["reference"]
    rate = _median([r.accepted_per_s for r in signups])
    ref_rate = _median([r.accepted_per_s for r in reference])
    share = rate / ref_rate if ref_rate else 0.0
    k = kills["checks"]
    clean_ok, kills_ok = not checks.failed("clean"), not checks.failed("kills")
    per_s = clean["per_s"]
    lost = kills["clock_s"] - clean["clock_s"]
    memory_flat = flat(clean["rss"])
    rss_text = "; ".join(
        f"{r['start_mb']:.0f} → {r['tenth_mb']:.0f} → {r['peak_mb']:.0f} → {r['end_mb']:.0f} MB"
        for r in clean["rss"]
    )
    shares = " and ".join(f"{s:.0%}" for s in KILL_AT)
    sink_margin = sink["capacity_per_s"] / per_s if per_s else 0.0
    rows = [
        _row(
            "Mailing into the SMTP sink, 2 `task_worker`s (first to last message)",
            f"{clean['subscribers']:,} recipients in {clean['first_to_last_s']:.1f} s",
            f"{per_s:,.0f}",
            f"{len(checks.failed('clean'))} failed checks",
            f"≥ {TARGET_PER_S:,.0f}/s: {_verdict(per_s >= TARGET_PER_S)}; exactly once: "
            f"{_verdict(clean_ok)}",
        ),
        _row(
            "The same, from the commit of `mailing_send`",
            f"{clean['clock_s']:.1f} s; first message {clean['first_message_after_s']:.1f} s "
            "after the commit",
            f"{clean['per_s_from_commit']:,.0f}",
            "—",
            "—",
        ),
        _row(
            "Workers' RSS in the clean run (before → at 10% → peak → end)",
            rss_text,
            "—",
            "—",
            f"flat (peak ≤ {1 + FLAT_SHARE:.2f}× the RSS at 10%): {_verdict(memory_flat)}",
        ),
        _row(
            f"Mailing with a worker killed (-9) at {shares}, started again",
            f"{kills['subscribers']:,} recipients, {kills['clock_s']:.1f} s from the commit "
            f"({lost:+.1f} s against the clean run; the kills' dips {dip(kills):.1f} s); "
            f"duplicates {k['duplicates']}, missing "
            f"{k['missing']}, `uncertain` {k['uncertain']} ({k['uncertain_received']} reached "
            "the sink)",
            f"{kills['per_s']:,.0f}",
            f"{len(checks.failed('kills'))} failed checks",
            f"no duplicate, only `uncertain` rows missing: {_verdict(kills_ok)}",
        ),
        _row(
            "The SMTP sink alone (calibration)",
            f"{sink['messages']:,} messages of {sink['size_bytes']:,} bytes from "
            f"{sink['clients']} smtplib processes; {sink['cpu_ms_each']:.2f} ms of its CPU each",
            f"{sink['per_s']:,.0f}",
            "—",
            f"not the bottleneck (one core: {sink['capacity_per_s']:,.0f}/s, "
            f"{sink_margin:.1f}× the mailing): {_verdict(sink_margin >= 3)}",
        ),
        _post_row("Sign-ups (302s)", found["path"], signups, f"{share:.3f}"),
        _post_row(
            "Reference: one-row insert + one task queued (tasks API), one transaction",
            INSERT_ENQUEUE,
            reference,
            "1.000",
        ),
    ]
    notes = [
        f"Targets: ≥ {TARGET_PER_S:,.0f} messages/s from the first message to the last: "
        f"{_verdict(per_s >= TARGET_PER_S)} ({per_s:,.0f}/s; the whole list in "
        f"{clean['clock_s']:.0f} s from the commit); each recipient exactly once: "
        f"{_verdict(clean_ok)}; with a worker killed twice, no duplicate and nothing missing "
        f"but `uncertain` rows: {_verdict(kills_ok)}; the workers' memory flat: "
        f"{_verdict(memory_flat)}. Sign-ups: {rate:,.0f}/s, {share:.0%} of the insert + "
        "enqueue reference under the same load (no target set).",
        other_note(found),
        send_note(clean) + " " + checks.verdict("clean"),
        kills_note(clean, kills) + " " + checks.verdict("kills"),
        f"Sign-ups: wrk posts /newsletter/'s form ({found['path']}) with a new address per "
        "request, a name, English, the first list offered and the consent box, as a visitor "
        f"sends it; {found['stored']['accepted_302_total']:,} 302s to the thanks page (the "
        "runs, the warm-up and one by hand), each one sign-up request of a new person with "
        "one `confirm` e-mail task. " + checks.verdict("signups"),
        signup_profile_note(found["signup_profile"]),
        "The numbers are indicative: this machine is shared with other work (its share is "
        "measured above), and its 2 cores carry the workers, PostgreSQL, the sink and the "
        "harness together.",
    ]
    if found["batch_profile"] is not None:
        notes.insert(4, batch_profile_note(found["batch_profile"]))
    if found["gunicorn_errors"]:
        notes.append("gunicorn logged errors during this scenario (see stdout).")
    limits = ", ".join(f"`{key}={value}`" for key, value in {**RATE_ENV, **WORKER_ENV}.items())
    redis = f"`REDIS_URL={REDIS_URL}` (flushed first)" if found["redis_note"] is None else (
        f"no Redis ({found['redis_note']})"
    )  # fmt: skip
    summary = (
        f"mailings: two `manage.py task_worker --queue-name default` (restarted "
        f"{RESTART_AFTER_S:.0f} s after a kill) with `EMAIL_URL` at the scenario's SMTP sink "
        "on loopback (`bench/scenarios/newsletter_sink.py`, asyncio, recording each "
        f"message's Message-ID and envelope); a list of {clean['subscribers']:,} subscribers "
        f"(`BENCH_NEWSLETTER_SUBSCRIBERS={clean['subscribers']}`; 50,000 by default). "
        f"Sign-ups: wrk -t{ctx.threads} -c{SPIKE_CONNECTIONS} --latency with "
        f"`bench/scenarios/post_load.lua`, {ctx.runs} runs × {ctx.seconds} s of sending "
        f"(+ {DRAIN_SECONDS} s for the last answers) of the form and of the reference in "
        f"interleaved rounds, after {ctx.warmup_seconds} s of warm-up of each, against a "
        f"gunicorn of the scenario's own. Settings: {limits}, {redis}."
    )
    return ScenarioResult(
        name=NAME,
        title=TITLE,
        summary=summary,
        columns=COLUMNS,
        rows=rows,
        notes=notes,
        raw={
            "cpu_busy_before_scenario": round(found["busy"], 3),
            "prepared": found["prepared"],
            "clean": clean,
            "kills": kills,
            "time_lost_s": lost,
            "time_lost_in_dips_s": dip(kills),
            "sink_calibration": sink,
            "signups": {
                "median_accepted_per_s": rate,
                "reference_median_accepted_per_s": ref_rate,
                "share_of_reference": share,
                "warmup": [r.as_dict() for r in found["warm"]],
                "runs": [r.as_dict() for r in signups],
                "reference_runs": [r.as_dict() for r in reference],
                "stored": found["stored"],
            },
            "batch_profile": found["batch_profile"],
            "signup_profile": found["signup_profile"],
            "checks": checks.items,
            "other_cpu_share": {
                "clean run": clean["other_cpu_share"],
                "kill run": kills["other_cpu_share"],
                "POST runs": found["other_cpu_posts"],
            },
            "cores": len(os.sched_getaffinity(0)),
        },
    )
