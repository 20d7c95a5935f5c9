"""The letters scenario's exactly-once checks, in the Django process (see letters_inproc)."""

from collections import Counter
from typing import Any

from .letters_inproc import (
    CAMPAIGN_SLUG,
    CONFIRMATION_TASK,
    LETTER_TASK,
    RETRY_TASK,
    bench_input,
    bench_output,
)


def check() -> None:
    """Exactly once, per run: the letters, their deliveries and tasks in the database against
    what the sink received (each message's Message-ID and envelope recipients)."""
    from django_tasks_db.models import DBTaskResult

    from harbour.letters.models import Delivery, LetterCampaignPage

    cfg = bench_input()
    items: list[dict[str, Any]] = []
    campaign = LetterCampaignPage.objects.get(slug=CAMPAIGN_SLUG, locale__language_code="en")
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
    bench_output({"checks": items, "runs": per_run})


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
