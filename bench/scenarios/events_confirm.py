"""The events scenario's confirmations: every registration of the spike confirmed at once from
several processes (each button pressed twice), then the places and the wait-list checked
against the order in which the confirmations happened."""

from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from bench.scenarios.events_common import (
    CAPACITY,
    CONFIRM_PRESSES,
    CONFIRM_PROCESSES,
    _django,
)
from bench.scenarios.events_spike import _mail_tasks
from bench.scenarios.signatures_common import Checks


def _confirm(
    db: Any, env: dict[str, str], tmp: Path, event_id: int, stored: int, checks: Checks
) -> dict[str, Any]:
    print(
        f"  confirming {stored:,} registrations: {CONFIRM_PRESSES * stored:,} calls of "
        f"registration_confirm (each button {CONFIRM_PRESSES}×) from {CONFIRM_PROCESSES} "
        "processes",
        flush=True,
    )
    answer = _django(
        env,
        tmp,
        "confirm_all",
        {
            "event_id": event_id,
            "processes": CONFIRM_PROCESSES,
            "presses": CONFIRM_PRESSES,
            "seed": 1,
        },
    )
    calls = answer["calls"]
    seconds = float(answer["seconds"])
    print(
        f"  {len(calls):,} calls in {seconds:.1f} s: {stored / seconds:,.0f} registrations "
        f"confirmed/s ({len(calls) / seconds:,.0f} calls/s)",
        flush=True,
    )
    rows = db.execute(
        "SELECT id, state, confirmed_at, waitlisted_at FROM events_registration "
        "WHERE event_id = %s ORDER BY id",
        (event_id,),
    ).fetchall()
    states = Counter(state for _, state, _, _ in rows)
    places = min(CAPACITY, stored)
    checks.add("calls that raised", 0, sum(1 for *_, s in calls if s.startswith("error")))
    checks.add(f"registrations CONFIRMED = min({CAPACITY}, stored)", places, states["confirmed"])
    checks.add("registrations WAITLISTED = stored − places", stored - places, states["waitlisted"])
    others = len(rows) - states["confirmed"] - states["waitlisted"]
    checks.add("registrations in any other state", 0, others)
    answered: dict[int, set[str]] = defaultdict(set)
    for registration_id, _began, _ended, state in calls:
        answered[registration_id].add(state)
    final = {registration_id: state for registration_id, state, _, _ in rows}
    agreed = sum(1 for rid, seen in answered.items() if seen == {final.get(rid)})
    checks.add("registrations whose every press answered their final state", stored, agreed)
    order = _order_checks(rows, calls, checks)
    tasks = _mail_tasks(db, event_id)
    for kind, expected in (
        ("registered", states["confirmed"]),
        ("waitlisted", states["waitlisted"]),
    ):
        total, once = tasks[kind]
        label = f"'{kind}' e-mail tasks, and registrations with exactly one"
        checks.add(label, [expected, expected], [total, once])
    title_source = db.execute(
        "SELECT count(*) FROM people_consent c JOIN events_registration r "
        "ON r.person_id = c.person_id WHERE r.event_id = %s AND c.source LIKE %s",
        (event_id, f"event registration: % (page {event_id})"),
    ).fetchone()[0]
    checks.add("consents recorded (one per registration, not one per press)", stored, title_source)
    return {
        "registrations": stored,
        "calls": len(calls),
        "processes": CONFIRM_PROCESSES,
        "seconds": seconds,
        "registrations_per_s": stored / seconds if seconds else 0.0,
        "states": dict(states),
        "mail_tasks": tasks,
        **order,
    }


def _order_checks(rows: list[Any], calls: list[Any], checks: Checks) -> dict[str, Any]:
    """First come, first served, in the database's own record and against the clock of the
    callers. A registration is decided between the start of its first press and the return
    of its first press to return; if A's was over before B's began, A came first, and must
    not stand behind B: B must not hold a place while A waits, nor stand ahead of A in the
    wait-list."""
    confirmed = [r for r in rows if r[1] == "confirmed"]
    waiting = sorted((r for r in rows if r[1] == "waitlisted"), key=lambda r: (r[3], r[0]))
    last_place = max((r[2] for r in confirmed), default=None)
    first_wait = min((r[2] for r in waiting), default=None)
    in_order = last_place is None or first_wait is None or last_place < first_wait
    checks.add("every place confirmed before the first wait-listed confirmation", True, in_order)
    by_confirmation = [r[0] for r in sorted(waiting, key=lambda r: (r[2], r[0]))]
    checks.add(
        "wait-list order (waitlisted_at, id) = order of confirmation",
        True,
        by_confirmation == [r[0] for r in waiting],
    )
    distinct = len({r[3] for r in waiting})
    checks.add("wait-list times distinct (no ties to break)", len(waiting), distinct)

    rank = {r[0]: 0 for r in confirmed}
    rank.update({r[0]: position for position, r in enumerate(waiting, 1)})
    began: dict[int, float] = {}
    ended: dict[int, float] = {}
    for registration_id, start, end, _state in calls:
        began[registration_id] = min(start, began.get(registration_id, start))
        ended[registration_id] = min(end, ended.get(registration_id, end))
    by_end = sorted(ended, key=ended.__getitem__)
    overtaken = 0
    highest = -1
    next_done = 0
    for registration_id in sorted(began, key=began.__getitem__):
        while next_done < len(by_end) and ended[by_end[next_done]] < began[registration_id]:
            highest = max(highest, rank.get(by_end[next_done], -1))
            next_done += 1
        overtaken += highest > rank.get(registration_id, -1)
    checks.add(
        "registrations that overtook one confirmed before they began (callers' clock)", 0, overtaken
    )
    return {
        "overtaken": overtaken,
        "waitlisted_in_order": by_confirmation == [r[0] for r in waiting],
    }
