"""The newsletter scenario's checks of a sending run against the sink's records: each
recipient's row names its message by Message-ID (`<harbour.m{mailing}.r{row}@domain>`,
stored without the brackets); every message that arrived is matched to its row, by that id
and by the envelope's recipient."""

from collections import Counter
from typing import Any

from bench.scenarios.signatures_common import Checks


def exactly_once(
    db: Any,
    mailing_id: int,
    count: int,
    messages: list[tuple[str, tuple[str, ...], float, int, int]],
    checks: Checks,
    *,
    kills: int,
) -> dict[str, Any]:
    rows = db.execute(
        "SELECT r.id, r.state, r.message_id, p.email FROM newsletter_mailingrecipient r "
        "LEFT JOIN people_person p ON p.id = r.person_id WHERE r.mailing_id = %s",
        (mailing_id,),
    ).fetchall()
    states = Counter(str(state) for _id, state, _mid, _email in rows)
    by_id = {str(mid): (rid, str(state), email) for rid, state, mid, email in rows if mid}
    received = Counter(m[0] for m in messages)
    rcpts = Counter(r for m in messages for r in m[1])
    duplicates = sum(n - 1 for n in received.values() if n > 1)
    unknown = sum(n for mid, n in received.items() if mid not in by_id)
    wrong_rcpt = sum(1 for m in messages if m[0] in by_id and m[1] != (by_id[m[0]][2],))
    once = sum(1 for mid in by_id if received[mid] == 1)
    sent_missing = sum(1 for mid, row in by_id.items() if row[1] == "sent" and not received[mid])
    uncertain = [mid for mid, row in by_id.items() if row[1] == "uncertain"]
    uncertain_arrived = sum(1 for mid in uncertain if received[mid])
    without_id = sum(1 for _id, state, mid, _e in rows if not mid and state != "skipped")
    arrived_rows = sum(1 for mid in by_id if received[mid])
    mailing_state = db.execute(
        "SELECT state FROM newsletter_mailing WHERE id = %s", (mailing_id,)
    ).fetchone()[0]
    found = {
        "rows": len(rows),
        "states": dict(states),
        "messages": len(messages),
        "rows_received_once": once,
        "duplicates": duplicates,
        "missing": len(rows) - arrived_rows,
        "sent_rows_missing": sent_missing,
        "uncertain": len(uncertain),
        "uncertain_received": uncertain_arrived,
        "uncertain_not_received": len(uncertain) - uncertain_arrived,
        "unknown_message_ids": unknown,
        "wrong_recipient": wrong_rcpt,
        "addresses_more_than_once": sum(1 for n in rcpts.values() if n > 1),
        "rows_without_message_id": without_id,
        "mailing_state": str(mailing_state),
        "duplicated": _duplicated(db, received, messages),
    }
    checks.add("recipient rows written (one per subscriber)", count, len(rows))
    checks.add("the mailing ends `sent`", "sent", found["mailing_state"])
    done = states.get("sent", 0) + states.get("uncertain", 0)
    checks.add("rows `sent` or `uncertain` (none queued, failed or skipped)", len(rows), done)
    checks.add("messages received more than once (duplicates)", 0, duplicates)
    checks.add(
        "addresses that received more than one message", 0, found["addresses_more_than_once"]
    )
    checks.add("messages whose Message-ID names no row of the mailing", 0, unknown)
    checks.add("messages to an address other than their row's", 0, wrong_rcpt)
    checks.add("rows `sent` whose message never arrived", 0, sent_missing)
    checks.add("rows without a Message-ID", 0, without_id)
    if kills:
        # Each kill leaves at most the one row its worker had claimed and not recorded.
        checks.add(
            f"rows `uncertain` at most one per kill ({kills})", True, len(uncertain) <= kills
        )
        checks.add("rows received exactly once = rows that arrived", arrived_rows, once)
    else:
        checks.add("rows `uncertain`", 0, len(uncertain))
        checks.add("rows whose message arrived exactly once", count, once)
    return found


def _duplicated(db: Any, received: Counter[str], messages: list[Any]) -> list[dict[str, Any]]:
    """What the sink and the rows say of each message that arrived more than once."""
    found = []
    for message_id in [mid for mid, n in received.items() if n > 1][:20]:
        row = db.execute(
            "SELECT id, state, claimed_by, error, sent_at::text FROM newsletter_mailingrecipient "
            "WHERE message_id = %s",
            (message_id,),
        ).fetchone()
        copies = [{"at": m[2], "connection": m[4]} for m in messages if m[0] == message_id]
        keys = ("row", "state", "claimed_by", "error", "sent_at")
        found.append({"message_id": message_id, **dict(zip(keys, row or (), strict=False)),
                      "copies": copies})  # fmt: skip
    return found


def task_summary(db: Any, since: Any, paths: list[str]) -> dict[str, Any]:
    """The run's tasks: by task and status, how many, what they answered in all, and how
    many were claimed more than once (run again after their worker was killed)."""
    rows = db.execute(
        "SELECT task_path, status, count(*), sum((return_value #>> '{}')::bigint), "
        "count(*) FILTER (WHERE jsonb_array_length(worker_ids) > 1), "
        "extract(epoch FROM max(finished_at) - min(started_at)) "
        "FROM django_tasks_database_dbtaskresult WHERE task_path = ANY(%s) "
        "AND enqueued_at >= %s GROUP BY 1, 2",
        (paths, since),
    ).fetchall()
    return {
        f"{path.rsplit('.', 1)[-1]} {status}": {
            "tasks": int(n),
            "answered": int(total or 0),
            "claimed_more_than_once": int(again),
            "run_s": float(span or 0),
        }
        for path, status, n, total, again, span in rows
    }
