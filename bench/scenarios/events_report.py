"""The events scenario's report: the table, the targets and the notes."""

import os
import statistics
from typing import Any

from bench.context import BenchContext, ScenarioResult
from bench.scenarios.events_common import (
    CAPACITY,
    COLUMNS,
    CONFIRM_PRESSES,
    CONFIRM_PROCESSES,
    NAME,
    RATE_ENV,
    READ_TARGETS,
    TARGET_PAGE_RATIO,
    TARGET_REMINDERS,
    TITLE,
)
from bench.scenarios.signatures_common import (
    DRAIN_SECONDS,
    INSERT_ENQUEUE,
    REDIS_URL,
    SPIKE_CONNECTIONS,
    PostRun,
    _ms,
)


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def _verdict(met: bool) -> str:
    return "**met**" if met else "**missed**"


def _post_row(label: str, path: str, runs: list[PostRun], ratio: str) -> dict[str, str]:
    return {
        "measure": label,
        "path": f"`POST {path}`",
        "rate": f"{_median([r.accepted_per_s for r in runs]):,.0f}",
        "p50": _ms(_median([r.wrk.p50_ms for r in runs])),
        "p99": _ms(_median([r.wrk.p99_ms for r in runs])),
        "ratio": ratio,
        "runs": " / ".join(f"{r.accepted_per_s:,.0f}" for r in runs),
        "errors": f"{sum(r.errors for r in runs)} of {sum(r.sent for r in runs):,}",
        "target": "—",
    }


def _result(ctx: BenchContext, found: dict[str, Any]) -> ScenarioResult:
    registrations, reference = found["registrations"], found["reference"]
    confirm, reminders, checks = found["confirm"], found["reminders"], found["checks"]
    path = found["prepared"]["spike"]["url"]
    rate = _median([r.accepted_per_s for r in registrations])
    ref_rate = _median([r.accepted_per_s for r in reference])
    share = rate / ref_rate if ref_rate else 0.0
    p99 = _median([r.wrk.p99_ms for r in registrations])
    states = confirm["states"]
    places_ok = not checks.failed("spike") and not checks.failed("places")
    reminders_ok = not checks.failed("reminders")
    per_s = reminders["per_s"]
    rows = [
        _post_row("Registrations on one event (302s)", path, registrations, f"{share:.3f}"),
        _post_row(
            "Reference: one-row insert + one task queued (tasks API), one transaction",
            INSERT_ENQUEUE,
            reference,
            "1.000",
        ),
        {
            "measure": f"Confirmations: `registration_confirm` from {CONFIRM_PROCESSES} "
            f"processes, each button {CONFIRM_PRESSES}×",
            "path": f"{confirm['registrations']:,} registrations → {states.get('confirmed', 0):,} "
            f"places + {states.get('waitlisted', 0):,} wait-listed in {confirm['seconds']:.1f} s",
            "rate": f"{confirm['registrations_per_s']:,.0f}",
            "p50": "—",
            "p99": "—",
            "ratio": "—",
            "runs": "one run",
            "errors": f"{len(checks.failed('places'))} failed checks",
            "target": f"≤ {CAPACITY} places, the rest wait-listed in order: {_verdict(places_ok)}",
        },
        {
            "measure": "Reminders into the SMTP sink (2 `task_worker`s)",
            "path": f"{reminders['registrants']:,} registrants, {reminders['clock_s']:.2f} s "
            "from the commit that queued the task to the last message",
            "rate": f"{per_s:,.0f}",
            "p50": "—",
            "p99": "—",
            "ratio": "—",
            "runs": "one run",
            "errors": f"{len(checks.failed('reminders'))} failed checks",
            "target": f"≥ {TARGET_REMINDERS:,.0f}/s: {_verdict(per_s >= TARGET_REMINDERS)}; "
            f"exactly once: {_verdict(reminders_ok)}",
        },
        {
            "measure": "Reminders, first to last arrival",
            "path": f"first message {reminders['first_message_after_s']:.2f} s after the commit",
            "rate": f"{reminders['first_to_last_per_s']:,.0f}",
            **dict.fromkeys(("p50", "p99", "ratio", "errors", "target"), "—"),
            "runs": "one run",
        },
    ]
    page_targets = []
    for target, row in zip(READ_TARGETS, found["page_rows"], strict=True):
        ratio = float(row["ratio"])
        minimal = target is READ_TARGETS[0]
        met = ratio >= TARGET_PAGE_RATIO
        if not minimal:
            page_targets.append(f"{target.path} {ratio:.2f} {_verdict(met)}")
        rows.append(
            {
                "measure": target.label,
                "path": f"`GET {target.path}`",
                **{key: row[key] for key in ("p50", "p99", "ratio", "runs", "errors")},
                "rate": row["rps"],
                "target": "—" if minimal else f"≥ {TARGET_PAGE_RATIO}: {_verdict(met)}",
            }
        )
    notes = [
        f"Targets: ≥ {TARGET_REMINDERS:,.0f} reminders/s: {_verdict(per_s >= TARGET_REMINDERS)} "
        f"({per_s:,.0f}/s); each reminder exactly once: {_verdict(reminders_ok)}; at most "
        f"{CAPACITY} places, the rest wait-listed in order, none lost or doubled: "
        f"{_verdict(places_ok)}; the events pages ≥ {TARGET_PAGE_RATIO} of the minimal view: "
        + ", ".join(page_targets)
        + f". Registrations: {rate:,.0f}/s, p99 {_ms(p99)}, {share:.0%} of the insert + "
        "enqueue reference under the same load (no target set).",
        _other_note(found),
        f"Spike, in PostgreSQL after the runs: {found['stored']['accepted_302_total']:,} 302s "
        f"seen (the runs, the warm-up and one by hand), {found['stored']['stored']:,} "
        "registrations on the event, each run's count matched against its addresses, all "
        "PENDING, no address or person twice, one `confirm` e-mail task each. "
        + checks.verdict("spike"),
        f"Places: every stored registration confirmed at once with `registration_confirm` "
        f"(the service behind the e-mail's button) from {CONFIRM_PROCESSES} processes, each "
        f"token {CONFIRM_PRESSES}× in random order ({confirm['calls']:,} calls): exactly "
        f"min({CAPACITY}, stored) CONFIRMED and the rest WAITLISTED; every place confirmed "
        "before the first wait-listed confirmation; the wait-list's order (waitlisted_at, id) "
        "is the order of confirmation, without ties; by the callers' clock, no registration "
        "whose press began after another's had returned stands ahead of it "
        f"({confirm['overtaken']} did); every press answered the final state; one "
        "`registered` or `waitlisted` e-mail task and one consent per registration; the "
        "page says full. " + checks.verdict("places"),
        _reminders_note(reminders) + " " + checks.verdict("reminders"),
        "Registrations/s: 302s to the thanks page counted by the wrk script, over the time "
        "from its first request to its last answer; p50/p99 are wrk's, of every request of "
        "the run; “Ratio”: over the reference's accepted requests/s (POSTs) or the minimal "
        "view's requests/s (GETs). Errors: answers other than the expected 302 (or 200), "
        "socket errors, requests left unanswered.",
        "The scenario's two events (the spike's and the reminders') are listed on the events "
        "page while it is read, beside the demo's.",
    ]
    notes.append(_registration_note(found["registration_profile"]))
    if found["profile"] is not None:
        notes.append(_profile_note(found["profile"]))
    if found["gunicorn_errors"]:
        notes.append("gunicorn logged errors during this scenario (see stdout).")
    limits = ", ".join(f"`{k}={v}`" for k, v in RATE_ENV.items())
    redis = f"`REDIS_URL={REDIS_URL}` (flushed first)" if found["redis_note"] is None else (
        f"no Redis ({found['redis_note']})"
    )  # fmt: skip
    summary = (
        f"POSTs: wrk -t{ctx.threads} -c{SPIKE_CONNECTIONS} --latency with "
        f"`bench/scenarios/post_load.lua`, {ctx.runs} runs × {ctx.seconds} s of sending "
        f"(+ {DRAIN_SECONDS} s for the last answers) of registrations and of the reference in "
        f"interleaved rounds, after {ctx.warmup_seconds} s of warm-up of each; confirmations "
        f"in one `manage.py shell` process forking {CONFIRM_PROCESSES}; reminders: one "
        "`manage.py task_worker --queue-name default` with `EMAIL_URL` at an aiosmtpd sink "
        f"on loopback; GETs: wrk -t{ctx.threads} -c{ctx.connections} --latency, {ctx.runs} "
        f"runs × {ctx.seconds} s, interleaved. Against a gunicorn of the scenario's own, "
        f"configured as above plus {limits} and {redis}."
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
            "registrations": {
                "median_accepted_per_s": rate,
                "median_p99_ms": p99,
                "reference_median_accepted_per_s": ref_rate,
                "share_of_reference": share,
                "warmup": [r.as_dict() for r in found["warm"]],
                "runs": [r.as_dict() for r in registrations],
                "reference_runs": [r.as_dict() for r in reference],
            },
            "stored": found["stored"],
            "confirmation": confirm,
            "reminders": reminders,
            "reminders_profile": found["profile"],
            "registration_profile": found["registration_profile"],
            "pages": {"targets": found["page_raw"], "minimal_view_median": found["ceiling"]},
            "checks": checks.items,
            "other_cpu_share": found["other_cpu"],
        },
    )


def _other_note(found: dict[str, Any]) -> str:
    other = found["other_cpu"]
    shares = {k: v for k, v in other.items() if v is not None}
    text = ", ".join(f"{v:.0%} during the {k}" for k, v in shares.items())
    noisy = max([found["busy"], *shares.values()]) > 0.10
    warning = " The machine was not idle: the numbers are low and noisy." if noisy else ""
    return (
        f"Other processes kept {found['busy']:.0%} of the CPU busy just before this scenario"
        + (f", and took {text}" if text else "")
        + " (all CPU time less this benchmark's own, its PostgreSQL's and Redis's: "
        f"`bench/cpu.py`).{warning}"
    )


def _reminders_note(r: dict[str, Any]) -> str:
    cpu = r["cpu_s"]
    n = max(1, r["registrants"])
    worker, pg, sink = (1000 * cpu[k] / n for k in ("worker", "postgresql", "sink"))
    total = worker + pg + sink
    cores = len(os.sched_getaffinity(0))
    rss = f"{r['worker_peak_rss_mb']:,.0f} MB" if r["worker_peak_rss_mb"] else "unknown"
    return (
        f"Reminders: the event's 1-day reminder (`send_event_notices`, which queues one task "
        f"per 250 of the {r['registrants']:,} registrants, shared by the two workers) queued "
        "while the workers ran; the clock runs from that commit to the last arrival "
        f"({r['clock_s']:.2f} s; the tasks ran {r['task']['run_s']:.1f} s from the first "
        "start to the last end). CPU "
        f"per message: the worker {worker:.1f} ms, PostgreSQL {pg:.1f} ms, the sink "
        f"{sink:.1f} ms ({total:.1f} ms in all: the {cores} cores could carry "
        f"{1000 * cores / total if total else 0:,.0f}/s if nothing waited, the workers at most "
        f"{1000 * cores / worker if worker else 0:,.0f}/s); a worker's peak RSS {rss}. Exactly "
        "once, against the sink's records: each registrant's address received one "
        "`Reminder: …` message with a Message-ID of its own, nobody else any; one mail claim "
        "per registrant, all `sent`; every task SUCCESSFUL, answering in all how many were "
        "sent. The "
        f"same task queued again ran {r['again']['run_s']:.1f} s and sent "
        f"{r['sent_again']} (every e-mail was claimed)."
    )


def _parts(shares: dict[str, float], labels: dict[str, str]) -> str:
    return ", ".join(f"{labels[k]} {shares[k]:.0%}" for k in labels if shares.get(k))


def _registration_note(p: dict[str, Any]) -> str:
    labels = {
        "routing": "Wagtail's routing to the page (`route_for_request`: the site, the "
        "page's ancestors, its specific row)",
        "view": "the event page's view (`events.views.event_page`)",
        "create": "of which `registration_create` (the transaction)",
        "limits": "the rate limits",
        "sql": "SQL, building and waiting",
    }
    return (
        f"Where a registration's time goes, in one process, one at a time (Django's test "
        f"client, same settings and Redis, {p['count']} registrations, no load): "
        f"{p['ms_each']:.1f} ms each ({p['cpu_ms_each']:.1f} ms of CPU), {p['sql_each']:.0f} "
        f"SQL statements taking {p['sql_ms_each']:.1f} ms; under cProfile (as many again): "
        f"{_parts(p['shares'], labels)} (parts overlap). The whole profile is in the JSON file."
    )


def _profile_note(profile: dict[str, Any]) -> str:
    shares = profile["shares"]
    labels = {
        "invitation": "building the invitation (.ics, `calendars.invitation`)",
        "time_zone": "of which the time zone's VTIMEZONE, worked out again for each message "
        "(icalendar's `add_missing_timezones`)",
        "templates": "the e-mail's templates (subject, text, HTML)",
        "smtp": "SMTP (formatting the message, MAIL, RCPT, DATA)",
        "claims": "claiming each e-mail (`core.mailsend._claim`)",
        "sql": "SQL, building and waiting",
    }
    parts = _parts(shares, labels)
    return (
        f"Where a reminder's time goes, in one process (no queue), for an event of "
        f"{profile['registrants']} registrants: `event_notices_send` took "
        f"{profile['ms_each']:.1f} ms per message ({profile['cpu_ms_each']:.1f} ms of CPU), "
        f"{profile['sql_each']:.1f} SQL statements per message taking "
        f"{profile['sql_ms_each']:.1f} ms; under cProfile (its other reminder): {parts} "
        "(parts overlap). The whole profile is in the JSON file."
    )
