"""The parts of the letters scenario that run inside Django, with the project's own code and
the bench's production settings and secrets: `manage.py shell -c "from ... import lookups;
lookups()"` with the scenario's environment (that of the harness plus EMAIL_URL pointing at
the scenario's SMTP sink). Each reads its input from and writes its answer to the files
named by BENCH_IN and BENCH_OUT (JSON).

Imported only in that process: nothing here runs when the harness imports the scenarios.
"""

import cProfile
import io
import json
import os
import pstats
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.profiling import profile_rows

CAMPAIGN_SLUG = "sdir-reconvene"
# Postal codes (harbour.core.postal): an FSA's first letter, and the letters of the rest.
FIRST_LETTERS = "ABCEGHJKLMNPRSTVXY"
OTHER_LETTERS = "ABCEGHJKLMNPRSTVWXYZ"
LETTER_TASK = "harbour.letters.tasks.send_letter"
RETRY_TASK = "harbour.letters.tasks.send_delivery"  # retries only: none expected here
CONFIRMATION_TASK = "harbour.letters.tasks.send_letter_confirmation"
# What the campaign must say for the measurement to be the one described (set every time).
CAMPAIGN_SETTINGS = {
    "target_own_mp": True,
    "daily_digest": False,
    "daily_cap_per_target": 0,
    "delivery": "send",
    # Supporters send the campaign's own words, its placeholders filled per recipient.
    "allow_editing": False,
}


def _input() -> Any:
    return json.loads(Path(os.environ["BENCH_IN"]).read_text())


def _output(data: Any) -> None:
    Path(os.environ["BENCH_OUT"]).write_text(json.dumps(data))


# --- postal-code lookups ------------------------------------------------------------------


def _postal_code(rng: random.Random, fsa: str) -> str:
    """ "L1S 2A3": the FSA, a space, digit letter digit."""
    return f"{fsa} {rng.randrange(10)}{rng.choice(OTHER_LETTERS)}{rng.randrange(10)}"


def lookups() -> None:
    """`district_lookup(code)` in a loop, in this one process: the cold first call, a
    warm-up, then timed runs of about `seconds` each over the same list of codes (known
    FSAs and a share of well-formed FSAs the table does not have). Every distinct FSA's
    answer is then compared with the table in the database."""
    from django.conf import settings
    from django.db import connection

    from harbour.core.postal import postal_code_normalise
    from harbour.representatives.lookup import backend, district_lookup
    from harbour.representatives.models import PostalArea
    from harbour.representatives.services import fsa_table_forget

    cfg = _input()
    rng = random.Random(cfg["seed"])
    table = dict(PostalArea.objects.values_list("fsa", "district__code"))
    if not table:
        raise RuntimeError("representatives_postalarea is empty: load_demo loaded no FSAs")
    known = sorted(table)
    every_fsa = {a + d + c for a in FIRST_LETTERS for d in "0123456789" for c in OTHER_LETTERS}
    unknown = sorted(every_fsa - set(known))
    codes = [
        _postal_code(rng, rng.choice(unknown) if rng.random() < cfg["unknown_share"] else fsa)
        for fsa in (rng.choice(known) for _ in range(cfg["codes"]))
    ]
    block = 500
    codes = codes[: len(codes) // block * block]
    queries = {"n": 0}

    def count_sql(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries["n"] += 1
        return execute(sql, params, many, context)

    def loop(seconds: float) -> dict[str, Any]:
        found = done = 0
        started = time.perf_counter()
        deadline = started + seconds
        start = 0
        while True:
            for code in codes[start : start + block]:
                if district_lookup(code).district is not None:
                    found += 1
            done += block
            start = (start + block) % len(codes)
            now = time.perf_counter()
            if now >= deadline:
                break
        elapsed = now - started
        return {"lookups": done, "found": found, "seconds": elapsed, "per_s": done / elapsed}

    # Cold: the first lookup of a process loads the FSA table and one district row.
    fsa_table_forget()
    with connection.execute_wrapper(count_sql):
        started = time.perf_counter()
        district_lookup(codes[0])
        cold_ms = 1000 * (time.perf_counter() - started)
        cold_queries = queries["n"]
        queries["n"] = 0
        warm = loop(float(cfg["warmup_seconds"]))
        warmup_queries = queries["n"]
        queries["n"] = 0
        runs = [loop(float(cfg["seconds"])) for _ in range(int(cfg["runs"]))]
        run_queries = queries["n"]

    # The part of a lookup that is normalising the code (a regular expression).
    started = time.perf_counter()
    for code in codes:
        postal_code_normalise(code)
    normalise_us = 1e6 * (time.perf_counter() - started) / len(codes)

    # Correctness: each distinct FSA of the list gives the table's district (or none).
    wrong: list[str] = []
    sources: Counter[str] = Counter()
    for fsa in sorted({code[:3] for code in codes}):
        answer = district_lookup(f"{fsa} 1A1")
        sources[f"{answer.source}, approximate={answer.approximate}"] += 1
        got = answer.district.code if answer.district is not None else None
        if got != table.get(fsa):
            wrong.append(f"{fsa}: {got} (table: {table.get(fsa)})")
    _output(
        {
            "fsa_rows": len(table),
            "districts_in_table": len(set(table.values())),
            "codes": len(codes),
            "distinct_fsas": len({code[:3] for code in codes}),
            "unknown_fsas_in_list": len({code[:3] for code in codes} - set(known)),
            "unknown_share": sum(1 for code in codes if code[:3] not in table) / len(codes),
            "backend": type(backend()).__name__,
            "represent_url_set": bool(settings.HARBOUR_REPRESENT_URL),
            "sources": dict(sources),
            "cold_first_lookup_ms": cold_ms,
            "cold_queries": cold_queries,
            "warmup": warm,
            "warmup_queries": warmup_queries,
            "runs": runs,
            "run_queries": run_queries,
            "normalise_us": normalise_us,
            "wrong": wrong[:20],
            "wrong_count": len(wrong),
            "example_codes": codes[:5],
        }
    )


# --- letters --------------------------------------------------------------------------------


def _campaign() -> tuple[Any, dict[str, Any]]:
    """The demo campaign, set to send each letter at once to the supporter's MP."""
    from harbour.letters.models import LetterCampaignPage

    campaign = LetterCampaignPage.objects.get(slug=CAMPAIGN_SLUG)
    before = {field: getattr(campaign, field) for field in CAMPAIGN_SETTINGS}
    # An update of the row, not a page save: a save would add a revision and queue
    # Wagtail's indexing tasks into the queue the workers are about to drain.
    LetterCampaignPage.objects.filter(pk=campaign.pk).update(**CAMPAIGN_SETTINGS)
    campaign.refresh_from_db()
    if not campaign.is_open():
        raise RuntimeError(f"the campaign {CAMPAIGN_SLUG!r} is closed")
    return campaign, before


def _queue_counts() -> dict[str, int]:
    """Tasks waiting or running, by status and task."""
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    rows = (
        DBTaskResult.objects.filter(status__in=["READY", "RUNNING"])
        .values_list("status", "task_path")
        .order_by()
        .annotate(n=Count("id"))
    )
    return {f"{status} {path}": n for status, path, n in rows}


def _drain_in_process() -> float:
    """Run the queue empty in this process with django_tasks_db's own worker loop."""
    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="bench-prepare",
        excluded_queue_names=[],
    )
    started = time.perf_counter()
    worker.run()
    return time.perf_counter() - started


def _create_letters(campaign: Any, count: int, run_id: str, seed: int) -> tuple[list[int], float]:
    from harbour.letters.services import letter_create
    from harbour.representatives.models import ElectoralDistrict, Office, PostalArea, Representative

    rng = random.Random(seed)
    with_mp = sorted(
        set(
            Representative.objects.filter(office=Office.MP, active_to=None, district__isnull=False)
            .exclude(email="")
            .values_list("district_id", flat=True)
        )
    )
    fsas: dict[int, list[str]] = {}
    for fsa, district_id in PostalArea.objects.values_list("fsa", "district_id"):
        fsas.setdefault(district_id, []).append(fsa)
    # letter_create checks the postal code: only ridings with a postal area of their own.
    with_mp = [district_id for district_id in with_mp if district_id in fsas]
    if not with_mp:
        raise RuntimeError("no district with a postal area has an MP with an e-mail address")
    districts = ElectoralDistrict.objects.in_bulk(with_mp)
    ids = []
    started = time.perf_counter()
    for n in range(count):
        district = districts[rng.choice(with_mp)]
        choices = fsas[district.pk]
        outcome = letter_create(
            campaign=campaign,
            email=f"letters-{run_id}-{n}@example.invalid",
            given_name="Bench",
            family_name=f"Writer {n}",
            postal_code=_postal_code(rng, rng.choice(choices)),
            city="Bench City",
            district_code=district.code,
            # The campaign's own words (allow_editing is off), filled per recipient.
            subject=campaign.subject_template,
            body=campaign.body_template,
            newsletter=n % 2 == 0,
            language="en",
        )
        if outcome.letter is None:
            raise RuntimeError(f"letter_create found a sent letter for supporter {n}")
        ids.append(outcome.letter.pk)
    return ids, time.perf_counter() - started


def prepare() -> None:
    """N letters from new supporters in random districts with an MP, created with
    `letter_create`; the confirmation e-mails it queued are sent (into the sink) by
    django_tasks_db's worker loop in this process. The letters stay unconfirmed for
    `confirm_burst`, and the queue empty."""
    cfg = _input()
    campaign, before = _campaign()
    queue_before = _queue_counts()
    if queue_before:
        raise RuntimeError(f"the task queue is not empty before the run: {queue_before}")
    ids, create_s = _create_letters(campaign, int(cfg["count"]), cfg["run_id"], cfg["seed"])
    queued_confirmations = _queue_counts()
    drain_s = _drain_in_process()
    _output(
        {
            "campaign_id": campaign.pk,
            "campaign_before": before,
            "letter_ids": ids,
            "create_s": create_s,
            "confirmations_queued": queued_confirmations,
            "confirmations_drain_s": drain_s,
            "queue_after_drain": _queue_counts(),
        }
    )


def confirm_burst() -> None:
    """Confirm the given letters with `letter_confirm(token=confirmation_token(letter))`,
    each queuing its `send_letter` task, all in one transaction: the running workers see the
    whole burst at its commit. Before committing, this writes the file `ready` and waits for
    the file `go`, so that the harness reads its CPU counters just before the commit. Answers
    the commit's time on the machine's monotonic clock (the one the sink stamps arrivals
    with)."""
    from django.db import transaction

    from harbour.letters.models import Delivery, Letter
    from harbour.letters.services import confirmation_token, letter_confirm

    cfg = _input()
    ids = cfg["letter_ids"]
    ready, go = Path(cfg["ready_path"]), Path(cfg["go_path"])
    started = time.perf_counter()
    with transaction.atomic():
        for letter in Letter.objects.filter(pk__in=ids).order_by("pk"):
            letter_confirm(token=confirmation_token(letter))
        confirm_s = time.perf_counter() - started
        queue = _queue_counts()  # this transaction's own rows: nobody else sees them yet
        deliveries = Delivery.objects.filter(letter_id__in=ids).count()
        ready.write_text("ready")
        deadline = time.monotonic() + 120
        while not go.exists():
            if time.monotonic() > deadline:
                raise RuntimeError("the harness never said go")
            time.sleep(0.001)
    committed_at = time.monotonic()
    _output(
        {
            "confirm_s": confirm_s,
            "queue": queue,
            "deliveries": deliveries,
            "committed_at": committed_at,
        }
    )


# --- checks -------------------------------------------------------------------------------


def check() -> None:
    """Exactly once, per run: the letters, their deliveries and tasks in the database against
    what the sink received (each message's Message-ID and envelope recipients)."""
    from django_tasks_db.models import DBTaskResult

    from harbour.letters.models import Delivery, LetterCampaignPage

    cfg = _input()
    items: list[dict[str, Any]] = []
    campaign = LetterCampaignPage.objects.get(slug=CAMPAIGN_SLUG)
    every_id: Counter[str] = Counter()
    per_run: list[dict[str, Any]] = []
    for run in cfg["runs"]:
        name = run["name"]

        def add(label: str, expected: Any, found: Any, run: str = name) -> None:
            ok = expected == found
            items.append(
                {"run": run, "check": label, "expected": expected, "found": found, "ok": ok}
            )

        for m in run["prepare"] + run["measured"]:
            every_id[m["message_id"]] += 1
        per_run.append(_check_run(add, campaign, run))

    def add_all(label: str, expected: Any, found: Any) -> None:
        ok = expected == found
        items.append({"run": "all", "check": label, "expected": expected, "found": found, "ok": ok})

    left = DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).count()
    add_all("tasks left READY or RUNNING", 0, left)
    add_all("tasks FAILED", 0, DBTaskResult.objects.filter(status="FAILED").count())
    twice = sum(1 for n in every_id.values() if n > 1)
    add_all("Message-IDs seen more than once in the sink (all runs, all kinds)", 0, twice)
    add_all("messages without a Message-ID", 0, every_id.get("", 0))
    add_all(
        "deliveries of these runs not in state 'sent'",
        0,
        Delivery.objects.filter(letter_id__in=[i for r in cfg["runs"] for i in r["letter_ids"]])
        .exclude(state="sent")
        .count(),
    )
    _output({"checks": items, "runs": per_run})


def _check_run(add: Any, campaign: Any, run: dict[str, Any]) -> dict[str, Any]:
    from django_tasks_db.models import DBTaskResult

    from harbour.letters.models import Delivery, Letter, LetterState
    from harbour.letters.services import campaign_targets

    ids = run["letter_ids"]
    letters = list(
        Letter.objects.filter(pk__in=ids).select_related("person", "district").order_by("pk")
    )
    emails = {letter.pk: letter.person.email if letter.person else "" for letter in letters}
    add("letters stored", len(ids), len(letters))
    add("distinct supporters (e-mails)", len(ids), len(set(emails.values())))
    confirmed = sum(1 for letter in letters if letter.state == LetterState.CONFIRMED)
    add("letters CONFIRMED", len(ids), confirmed)

    # Whom each letter should reach, by the project's own rule: the MP of the letter's
    # district, plus the campaign's fixed targets and group members (none in the demo).
    expected: dict[tuple[int, int], Any] = {}
    targets: dict[int | None, list[Any]] = {}  # the rule depends on the district only
    for letter in letters:
        if letter.district_id not in targets:
            targets[letter.district_id] = campaign_targets(
                campaign=campaign, district=letter.district
            )
        for rep in targets[letter.district_id]:
            expected[(letter.pk, rep.pk)] = rep
    district_of = {letter.pk: letter.district_id for letter in letters}
    own_mp = sum(1 for (pk, _), rep in expected.items() if rep.district_id == district_of[pk])
    deliveries = list(Delivery.objects.filter(letter_id__in=ids).select_related("representative"))
    found = {(d.letter_id, d.representative_id): d for d in deliveries}
    add("deliveries = the campaign's recipients of each letter", len(expected), len(found))
    add("deliveries nobody expected", 0, len(found.keys() - expected.keys()))
    add("expected deliveries missing", 0, len(expected.keys() - found.keys()))
    sent = sum(1 for d in deliveries if d.state == "sent")
    add("deliveries in state 'sent'", len(deliveries), sent)
    clean = sum(1 for d in deliveries if d.attempts == 1 and not d.error and d.sent_at)
    add("deliveries sent in one attempt, without error", len(deliveries), clean)
    recorded = Counter(d.message_id for d in deliveries)
    distinct = sum(1 for d in deliveries if d.message_id and recorded[d.message_id] == 1)
    add("deliveries with their own Message-ID recorded", len(deliveries), distinct)

    # What the sink received in the measured drain (and before it: the confirmations).
    supporters = set(emails.values())
    to_reps = [m for m in run["measured"] if not set(m["rcpt"]) & supporters]
    to_supporters = [m for m in run["measured"] if set(m["rcpt"]) & supporters]
    arrived = Counter(m["message_id"] for m in to_reps)
    rcpt_of = {m["message_id"]: sorted(m["rcpt"]) for m in to_reps}
    add("messages to representatives in the sink = deliveries", len(deliveries), len(to_reps))
    once = sum(1 for d in deliveries if arrived[d.message_id] == 1)
    add("deliveries whose Message-ID arrived exactly once", len(deliveries), once)
    addressed = sum(1 for d in deliveries if rcpt_of.get(d.message_id) == [d.representative.email])
    add("… addressed to that delivery's representative only", len(deliveries), addressed)
    strangers = sum(1 for message_id in arrived if message_id not in recorded)
    add("messages to representatives without a delivery of theirs", 0, strangers)
    copies = [m for m in to_supporters if m["subject"].startswith("Copy: ")]
    copy_to = Counter(r for m in copies for r in m["rcpt"])
    one_copy = sum(1 for e in supporters if copy_to[e] == 1)
    add("supporter copies: one per letter, to its supporter", len(letters), one_copy)
    add("other messages to supporters during the drain", 0, len(to_supporters) - len(copies))
    confirm_to = Counter(r for m in run["prepare"] for r in m["rcpt"])
    one_confirmation = sum(1 for e in supporters if confirm_to[e] == 1)
    add("confirmation e-mails before the clock: one per supporter", len(letters), one_confirmation)
    add("messages before the clock = confirmation e-mails", len(letters), len(run["prepare"]))

    # The queue: one send_letter task per letter (its deliveries and its copy), no retry,
    # each claimed once, each successful with every delivery sent and the copy.
    letter_pks = set(ids)
    deliveries_of: Counter[int] = Counter(d.letter_id for d in deliveries)
    per_key: Counter[tuple[str, int]] = Counter()
    outcomes: Counter[str] = Counter()
    workers: Counter[str] = Counter()
    rows = DBTaskResult.objects.filter(
        task_path__in=[LETTER_TASK, RETRY_TASK, CONFIRMATION_TASK]
    ).values_list("task_path", "args_kwargs", "status", "return_value", "worker_ids")
    for path, args_kwargs, status, value, worker_ids in rows:
        arg = ((args_kwargs or {}).get("args") or [None])[0]
        if path == RETRY_TASK:
            outcomes["send_delivery (a retry)"] += 1
            continue
        if arg not in letter_pks:
            continue
        per_key[(path, arg)] += 1
        if path == LETTER_TASK:
            expected_value = {"sent": deliveries_of[arg], "copy": 1}
            outcomes[
                f"send_letter {status} "
                + ("as expected" if value == expected_value else repr(value))
            ] += 1
        else:
            outcomes[f"{path.rsplit('.', 1)[1]} {status} {value!r}"] += 1
        outcomes["claimed more than once"] += len(worker_ids) > 1
        if path != CONFIRMATION_TASK:
            workers[",".join(worker_ids)] += 1
    one_each = sum(1 for pk in letter_pks if per_key[(LETTER_TASK, pk)] == 1)
    add("send_letter tasks: one per letter", len(ids), one_each)
    add("send_delivery tasks (retries)", 0, outcomes.pop("send_delivery (a retry)", 0))
    one_each = sum(1 for pk in letter_pks if per_key[(CONFIRMATION_TASK, pk)] == 1)
    add("send_letter_confirmation tasks: one per letter", len(ids), one_each)
    successful = (
        outcomes["send_letter SUCCESSFUL as expected"]
        + outcomes["send_letter_confirmation SUCCESSFUL True"]
    )
    add(
        "tasks SUCCESSFUL (send_letter: every delivery 'sent' and the copy)",
        2 * len(ids),
        successful,
    )
    add("tasks claimed more than once", 0, outcomes.pop("claimed more than once", 0))
    return {
        "run": run["name"],
        "letters": len(letters),
        "deliveries": len(deliveries),
        "deliveries_to_a_districts_mp": own_mp,
        "deliveries_to_others": len(expected) - own_mp,
        "messages_to_representatives": len(to_reps),
        "supporter_copies": len(copies),
        "confirmations_before_clock": len(run["prepare"]),
        "task_outcomes": dict(outcomes),
        "tasks_per_worker": sorted(workers.values(), reverse=True),
    }


# --- profile ------------------------------------------------------------------------------


def profile() -> None:
    """Where a worker's time goes: N letters prepared as for a run, then django_tasks_db's
    worker loop drains the deliveries and copies in this one process, first timed (SQL
    statements counted), then, for N more letters, under cProfile."""
    from django.db import connection

    from harbour.letters.models import Letter
    from harbour.letters.services import confirmation_token, letter_confirm

    cfg = _input()
    campaign, _before = _campaign()
    count = int(cfg["count"])
    sql = {"n": 0, "s": 0.0}

    def timed_sql(execute: Any, query: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(query, params, many, context)
        finally:
            sql["n"] += 1
            sql["s"] += time.perf_counter() - started

    def ready(tag: str, seed: int) -> int:
        ids, _ = _create_letters(campaign, count, f"{cfg['run_id']}{tag}", seed)
        _drain_in_process()
        for letter in Letter.objects.filter(pk__in=ids).order_by("pk"):
            letter_confirm(token=confirmation_token(letter))
        return sum(_queue_counts().values())

    tasks = ready("a", cfg["seed"])
    with connection.execute_wrapper(timed_sql):
        wall = _drain_in_process()
    timed = {
        "tasks": tasks,
        "wall_s": wall,
        "ms_per_task": 1000 * wall / tasks,
        "sql_per_task": sql["n"] / tasks,
        "sql_ms_per_task": 1000 * sql["s"] / tasks,
    }
    tasks_b = ready("b", cfg["seed"] + 1)
    profiler = cProfile.Profile()
    profiler.enable()
    _drain_in_process()
    profiler.disable()
    stats = pstats.Stats(profiler, stream=io.StringIO())
    rows = profile_rows(stats)
    _output(
        {
            "letters": count,
            "timed": timed,
            "profiled_tasks": tasks_b,
            "profiled_s": stats.total_tt,
            "top_cumulative": sorted(rows, key=lambda r: r["cumtime_s"], reverse=True)[:150],
            "top_own_time": sorted(rows, key=lambda r: r["tottime_s"], reverse=True)[:40],
        }
    )
