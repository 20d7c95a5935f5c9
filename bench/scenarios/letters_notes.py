"""The letters scenario's notes: where the CPU went, the profile and what to try next."""

import os
import statistics
from typing import Any

from bench.scenarios.letters_common import TARGET_MESSAGES, WORKERS
from bench.scenarios.letters_runs import Drain, SendRun


def _busy(sends: list[SendRun]) -> float:
    """Median share of all cores the workers, PostgreSQL and the sink kept busy in a drain."""
    return statistics.median(
        (s.cpu["workers"] + s.cpu["postgresql"] + s.cpu["sink"]) / s.cpu["capacity"]
        for s in sends
        if s.cpu["capacity"]
    )


def _cpu_costs(sends: list[SendRun], startup: Drain) -> dict[str, float]:
    """CPU ms per message over a burst (medians over the runs; the workers' start-up is not
    in it), and how many messages/s the cores could carry at that cost."""

    def per_message(key: str, less: float = 0.0) -> float:
        return statistics.median(
            1000 * max(0.0, s.cpu[key] - less) / max(1, s.to_reps + s.copies) for s in sends
        )

    costs = {
        "workers": per_message("workers"),
        "postgresql": per_message("postgresql"),
        "sink": per_message("sink"),
    }
    costs["total"] = costs["workers"] + costs["postgresql"] + costs["sink"]
    cores = len(os.sched_getaffinity(0))
    costs["ceiling_per_s"] = 1000 * cores / costs["total"] if costs["total"] else 0.0
    return costs


def _cpu_note(sends: list[SendRun], checked: dict[str, Any], startup: Drain) -> str:
    costs = _cpu_costs(sends, startup)
    cores = len(os.sched_getaffinity(0))
    splits = [
        max(r["tasks_per_worker"]) / sum(r["tasks_per_worker"])
        for r in checked["runs"]
        if r["tasks_per_worker"]
    ]
    share = (
        f" The busier worker ran {statistics.median(splits):.0%} of a drain's tasks."
        if splits
        else ""
    )
    return (
        f"Where the clock goes: the first message arrived "
        f"{statistics.median(s.first_message_s for s in sends):.2f} s after the commit (a "
        "worker finds the burst at its next look at the queue). Not in the clock: starting "
        f"{WORKERS} workers on an empty queue takes {startup.clock_s:.1f} s "
        f"({startup.cpu['workers']:.1f} CPU s in all), which a deployment pays once, not per "
        "burst. CPU per message over a burst, read just before the commit and at the last "
        f"arrival (medians): the workers {costs['workers']:.1f} ms, PostgreSQL "
        f"{costs['postgresql']:.1f} ms, the sink {costs['sink']:.1f} "
        f"ms: {costs['total']:.1f} ms in all, so the {cores} cores could carry at most "
        f"{costs['ceiling_per_s']:,.0f} messages/s ({costs['ceiling_per_s'] / 2:,.0f} letters "
        "with their copies) if nothing ever waited; together these processes kept "
        f"{_busy(sends):.0%} of the cores busy over the clock, the rest being moments when "
        "both workers wait on a round trip (to PostgreSQL or the sink)." + share
    )


def _prepare_note(sends: list[SendRun]) -> str:
    s = sends[0]
    p = s.prepare
    before = ", ".join(f"{k}={v}" for k, v in p["campaign_before"].items())
    create = statistics.median(1000 * x.prepare["create_s"] / x.letters for x in sends)
    confirm = statistics.median(1000 * x.prepare["confirm_s"] / x.letters for x in sends)
    return (
        "Before the clock, each run: its letters are created by `letter_create` (new "
        "example.invalid supporters in random districts that have an MP, a postal code from "
        f"one of the district's FSAs; {create:.1f} ms each), the confirmation e-mails that "
        "queued are sent into the sink by django_tasks_db's worker loop inside that same "
        "process (counted and checked above, not in the clock). Then, with the workers "
        "running, each letter is confirmed with `letter_confirm(token=confirmation_token("
        f"letter))` ({confirm:.1f} ms each), all in one transaction, which queues one "
        "`send_letter` task per letter (its deliveries and the supporter's copy, over one SMTP "
        "connection): at its commit the queue holds exactly those. "
        "The campaign was found with "
        f"{before} and set to target_own_mp=True, daily_digest=False, daily_cap_per_target=0, "
        "delivery=send (an update of its row, no revision)."
    )


def _lookups_note(lookups: dict[str, Any]) -> str:
    per = 1e6 / statistics.median(r["per_s"] for r in lookups["runs"])
    wrong = (
        "every one gave the table's district (none for the unknown ones)"
        if not lookups["wrong_count"]
        else f"{lookups['wrong_count']} did NOT: {', '.join(lookups['wrong'][:5])}"
    )
    return (
        f"Lookups: backend `{lookups['backend']}` (HARBOUR_REPRESENT_URL unset), table of "
        f"{lookups['fsa_rows']:,} FSAs for {lookups['districts_in_table']} districts; codes "
        f"such as {', '.join(lookups['example_codes'][:3])}. A lookup takes {per:.1f} µs, of "
        f"which normalising the code {lookups['normalise_us']:.1f} µs; the first one of a "
        f"process {lookups['cold_first_lookup_ms']:.1f} ms ({lookups['cold_queries']} queries: "
        "the FSA table and a district); the measured runs made "
        f"{lookups['run_queries']} queries. Each of the {lookups['distinct_fsas']:,} distinct "
        f"FSAs looked up once more afterwards: {wrong}."
    )


# Parts of a worker's time worth naming: key, label, patterns of their cProfile names, and
# whether their own time (rather than their cumulative time) is what counts.
PROFILE_PARTS = [
    (
        "queue",
        "the queue (fetch with SKIP LOCKED, claim, mark done)",
        [
            r"django_tasks_db/models\.py:\d+\(get_locked\)$",
            r"django_tasks_db/models\.py:\d+\(claim\)$",
            r"django_tasks_db/models\.py:\d+\(set_successful\)$",
        ],
        False,
    ),
    (
        "delivery",
        "sending to representatives (`_delivery_send`)",
        [r"letters/sending\.py:\d+\(_delivery_send\)$"],
        False,
    ),
    (
        "copy",
        "the supporter's copy (`_supporter_copy_send`)",
        [r"letters/sending\.py:\d+\(_supporter_copy_send\)$"],
        False,
    ),
    (
        "smtp",
        "SMTP (connect, EHLO, MAIL, RCPT, DATA, QUIT)",
        [r"django/core/mail/backends/smtp\.py:\d+\(send_messages\)$"],
        False,
    ),
    (
        "smtp_wait",
        "of which waiting for the sink's replies",
        [r"<method 'recv_into' of '_socket\.socket' objects>"],
        True,
    ),
    (
        "title",
        "`representative_title` (a query of the roles, twice per letter)",
        [r"representatives/selectors\.py:\d+\(representative_title\)$"],
        False,
    ),
    (
        "sql_build",
        "Django building SQL",
        [r"django/db/models/sql/compiler\.py:\d+\(as_sql\)$"],
        False,
    ),
    ("sql_wait", "waiting for PostgreSQL", [r"psycopg/connection\.py:\d+\(wait\)$"], True),
]


def _profile_shares(profile: dict[str, Any]) -> dict[str, float]:
    """Each part's share of the profiled worker's time (parts overlap)."""
    import re

    rows = profile["top_cumulative"] + profile["top_own_time"]
    total = profile["profiled_s"] or 1.0
    shares = {}
    for key, _label, patterns, own in PROFILE_PARTS:
        found = 0.0
        for pattern in patterns:
            for row in rows:
                if re.search(pattern, row["function"]):
                    found += row["tottime_s"] if own else row["cumtime_s"]
                    break
        shares[key] = found / total
    return shares


def _profile_note(profile: dict[str, Any]) -> str:
    shares = _profile_shares(profile)
    parts = ", ".join(
        f"{label} {shares[key]:.0%}" for key, label, _p, _o in PROFILE_PARTS if shares[key]
    )
    t = profile["timed"]
    return (
        f"Where a worker's time goes: {profile['letters']} letters prepared as in a run, their "
        f"{t['tasks']} tasks drained by django_tasks_db's worker loop in one process (no "
        f"other worker): {t['ms_per_task']:.1f} ms per task, {t['sql_per_task']:.1f} SQL "
        f"statements per task taking {t['sql_ms_per_task']:.1f} ms. Under cProfile (as many "
        f"letters again): {parts} of the worker's time (parts overlap: SMTP and SQL are "
        "inside the sends). The whole profile is in the JSON file."
    )


def _suggestions(profile: dict[str, Any], sends: list[SendRun], startup: Drain) -> str:
    """What to change, each suggestion only where the profile shows its part matters."""
    t = profile["timed"]
    costs = _cpu_costs(sends, startup)
    cores = len(os.sched_getaffinity(0))
    shares = _profile_shares(profile)
    found = []
    if shares["title"] >= 0.02:
        found.append(
            "`delivery_send` renders the letter with `letter_render` twice (subject and "
            "body), and each call runs `representative_title`, which queries the "
            f"representative's roles ({shares['title']:.0%} of the time), while "
            "`letter.district` and `rep.district` are fetched lazily: select_related "
            "`letter__district` and `representative__district`, prefetch the roles and "
            "compute the title once per message"
        )
    if shares["smtp"] >= 0.10:
        found.append(
            f"SMTP is {shares['smtp']:.0%} of the time although each worker keeps its "
            "connection (`core.mailconnection`): what is left is MAIL, RCPT and DATA per "
            "message, Python's e-mail formatting and waiting for the sink (one process "
            "of Python too); a sink or relay that accepts several recipients per message "
            "is not an option here (one letter, one office)"
        )
    if shares["queue"] >= 0.10:
        found.append(
            "the queue costs a SELECT … FOR UPDATE SKIP LOCKED, a claim and a mark-done, "
            f"each with its commit, per letter ({shares['queue']:.0%} of the time): one task "
            "per batch of letters would share that cost"
        )
    found.append(
        f"{t['sql_per_task']:.1f} SQL statements per task, and building and waiting for SQL "
        f"is {shares['sql_build'] + shares['sql_wait']:.0%} of a worker's time: every query "
        "saved counts"
    )
    found.append(
        f"at {costs['total']:.1f} ms of CPU per message (workers, PostgreSQL and sink), the "
        f"{cores} cores cap the drain at about {costs['ceiling_per_s']:,.0f} messages/s, "
        f"{costs['ceiling_per_s'] / 2:,.0f} letters with their copies, however many workers "
        f"run (the burst kept {_busy(sends):.0%} of the cores busy; a third worker could "
        "fill some of the waits): "
        f"{TARGET_MESSAGES:,.0f} letters/s with their copies needs less work per message, "
        "not more processes"
    )
    return (
        "Suggestions, from the profile: "
        + "; ".join(f"({n}) {text}" for n, text in enumerate(found, 1))
        + "."
    )
