"""The signatures scenario's integrity checks: every accepted signature stored once with its
task, confirming keeps the count exact; and the in-process profile and answer times."""

import random
import re
import time
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.scenarios.signatures_common import (
    CONFIRM_CLIENTS,
    CONFIRM_SAMPLE,
    CONFIRMATION_TASK,
    INSERT_ENQUEUE,
    NOOP_TASK,
    OUTCOME_SUBMISSIONS,
    PETITION,
    PROFILE_SUBMISSIONS,
    Checks,
    Csrf,
    PostRun,
    Sign,
    Snapshot,
    _ms,
)
from bench.scenarios.signatures_load import _http
from bench.server import run_in_django


def _spike_checks(
    db: Any,
    before: Snapshot,
    checks: Checks,
    session: str,
    *,
    sign_runs: list[PostRun],
    insert_runs: list[PostRun],
    enqueue_runs: list[PostRun],
) -> dict[str, Any]:
    """Every 302 wrk saw is one new PENDING signature with one task; nothing more. Each
    reference view's 200s are its rows (and the second one's tasks)."""
    page_id, base_id = before.page_id, before.max_signature_id

    def one(query: str, params: tuple[Any, ...]) -> int:
        row = db.execute(query, params).fetchone()
        return int(row[0] or 0)

    unanswered = sum(max(r.unanswered, 0) for r in sign_runs)
    checks.add("signature requests left unanswered when wrk stopped", 0, unanswered)
    per_run = []
    # The signature posted by hand before the load, then wrk's runs (warm-up included).
    for run_id, accepted_302 in [(f"{session}c", 1)] + [(r.run_id, r.accepted) for r in sign_runs]:
        rows = one(
            "SELECT count(*) FROM signons_signature s JOIN people_person p "
            "ON p.id = s.person_id WHERE s.page_id = %s AND s.id > %s AND p.email LIKE %s",
            (page_id, base_id, f"bench-{run_id}-%"),
        )
        per_run.append({"run_id": run_id, "accepted_302": accepted_302, "rows": rows})
        checks.add(f"signatures stored for run {run_id} = its 302s", accepted_302, rows)
    accepted = sum(item["accepted_302"] for item in per_run)
    new_rows = one(
        "SELECT count(*) FROM signons_signature WHERE page_id = %s AND id > %s", (page_id, base_id)
    )
    checks.add("new signatures on the petition = all 302s (no lost, no extra)", accepted, new_rows)
    other_pages = one(
        "SELECT count(*) FROM signons_signature WHERE page_id <> %s AND id > %s",
        (page_id, base_id),
    )
    checks.add("new signatures on other pages", 0, other_pages)
    pending = one(
        "SELECT count(*) FROM signons_signature WHERE page_id = %s AND id > %s "
        "AND state = 'pending'",
        (page_id, base_id),
    )
    checks.add("new signatures PENDING", new_rows, pending)
    distinct_emails = one(
        "SELECT count(DISTINCT p.email) FROM signons_signature s JOIN people_person p "
        "ON p.id = s.person_id WHERE s.page_id = %s AND s.id > %s",
        (page_id, base_id),
    )
    checks.add("distinct e-mails among new signatures", new_rows, distinct_emails)
    duplicate_emails = one(
        "SELECT count(*) FROM (SELECT lower(email) FROM people_person WHERE email IS NOT NULL "
        "GROUP BY lower(email) HAVING count(*) > 1) d",
        (),
    )
    checks.add("e-mails held by more than one person (people_person)", 0, duplicate_emails)
    new_people = one("SELECT count(*) FROM people_person WHERE id > %s", (before.max_person_id,))
    checks.add("new people = new signatures", new_rows, new_people)
    duplicate_signers = one(
        "SELECT count(*) FROM (SELECT 1 FROM signons_signature WHERE person_id IS NOT NULL "
        "GROUP BY page_id, person_id HAVING count(*) > 1) d",
        (),
    )
    checks.add("people with two signatures on one page", 0, duplicate_signers)

    task_rows = db.execute(
        "WITH t AS (SELECT (args_kwargs->'args'->>0)::bigint AS sid, count(*) AS n "
        "  FROM django_tasks_database_dbtaskresult WHERE task_path = %s GROUP BY 1) "
        "SELECT count(*) FILTER (WHERE t.n = 1), count(*) FILTER (WHERE t.n IS NULL), "
        "  count(*) FILTER (WHERE t.n > 1) "
        "FROM signons_signature s LEFT JOIN t ON t.sid = s.id "
        "WHERE s.page_id = %s AND s.id > %s",
        (CONFIRMATION_TASK, page_id, base_id),
    ).fetchone()
    one_task, no_task, several_tasks = (int(x) for x in task_rows)
    checks.add("new signatures with exactly one confirmation task", new_rows, one_task)
    checks.add("new signatures without a task", 0, no_task)
    checks.add("new signatures with more than one task", 0, several_tasks)
    new_tasks = (
        one(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE task_path = %s",
            (CONFIRMATION_TASK,),
        )
        - before.confirmation_tasks
    )
    checks.add("new confirmation tasks = new signatures", new_rows, new_tasks)

    inserted = one(
        "SELECT count(*) FROM core_auditentry WHERE id > %s AND action = 'bench.insert'",
        (before.max_audit_id,),
    )
    insert_ok = 1 + sum(r.accepted for r in insert_runs)
    checks.add("rows inserted by /bench/insert/ = its 200s", insert_ok, inserted)
    enqueue_ok = 1 + sum(r.accepted for r in enqueue_runs)
    enqueued_rows = one(
        "SELECT count(*) FROM core_auditentry WHERE id > %s AND action = 'bench.enqueue'",
        (before.max_audit_id,),
    )
    checks.add(f"rows inserted by {INSERT_ENQUEUE} = its 200s", enqueue_ok, enqueued_rows)
    noop_tasks = one(
        "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE task_path = %s "
        "AND enqueued_at >= %s",
        (NOOP_TASK, before.taken_at),
    )
    checks.add(f"tasks queued by {INSERT_ENQUEUE} = its 200s", enqueue_ok, noop_tasks)
    return {
        "accepted_302_total": accepted,
        "new_signatures": new_rows,
        "new_tasks": new_tasks,
        "per_run": per_run,
        "insert_200_total": insert_ok,
        "insert_rows": inserted,
        "insert_enqueue_200_total": enqueue_ok,
        "insert_enqueue_rows": enqueued_rows,
        "insert_enqueue_tasks": noop_tasks,
    }


def _confirm_sample(
    db: Any,
    env: dict[str, str],
    tmp: Path,
    base_url: str,
    csrf: Csrf,
    before: Snapshot,
    checks: Checks,
) -> dict[str, Any]:
    """Confirm a sample over HTTP, each link's button pressed twice at once (a double
    click: opening a link only shows the button, its POST confirms), then compare the
    project's count with an exact count of CONFIRMED signatures."""
    ids = [
        int(row[0])
        for row in db.execute(
            "SELECT id FROM signons_signature WHERE page_id = %s AND id > %s "
            "AND state = 'pending' ORDER BY random() LIMIT %s",
            (before.page_id, before.max_signature_id, CONFIRM_SAMPLE),
        ).fetchall()
    ]
    tokens = _django(env, tmp, "tokens", ids)
    if sorted(int(k) for k in tokens) != sorted(ids):
        raise RuntimeError("the token helper did not return one token per signature")
    paths = [f"{PETITION}confirm/{token}/" for token in tokens.values()] * 2
    random.shuffle(paths)

    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={csrf.cookie}",
    }
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf.token})

    def confirm(path: str) -> tuple[int, bool]:
        status, _, body = _http(base_url, "POST", path, body=form, headers=headers)
        return status, "is confirmed and counted" in body

    print(
        f"  confirming {len(ids)} signatures: {len(paths)} POSTs (each link's button twice) "
        f"from {CONFIRM_CLIENTS} clients",
        flush=True,
    )
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=CONFIRM_CLIENTS) as pool:
        answers = list(pool.map(confirm, paths))
    seconds = time.monotonic() - started
    statuses = Counter(str(status) for status, _ in answers)
    confirmed_pages = sum(1 for status, ok in answers if status == 200 and ok)
    checks.add(
        "confirmation POSTs answered 200 'confirmed and counted'", len(paths), confirmed_pages
    )

    def one(query: str, params: tuple[Any, ...]) -> int:
        row = db.execute(query, params).fetchone()
        return int(row[0] or 0)

    sample_confirmed = one(
        "SELECT count(*) FROM signons_signature WHERE id = ANY(%s) AND state = 'confirmed'",
        (ids,),
    )
    checks.add("sample signatures now CONFIRMED", len(ids), sample_confirmed)
    consents = one(
        "SELECT count(*) FROM people_consent c JOIN signons_signature s "
        "ON s.person_id = c.person_id WHERE s.id = ANY(%s)",
        (ids,),
    )
    checks.add("consents recorded for the sample (2 each, not 4)", 2 * len(ids), consents)
    exact = one(
        "SELECT count(*) FROM signons_signature WHERE page_id = %s AND state = 'confirmed'",
        (before.page_id,),
    )
    checks.add("CONFIRMED on the petition = before + sample", before.confirmed + len(ids), exact)
    counted = _django(env, tmp, "counts", None)
    checks.add("count_total(page) = exact count of CONFIRMED", exact, int(counted["count_total"]))
    shards = one(
        "SELECT sum(count) FROM signons_signaturecountshard WHERE page_id = %s",
        (before.page_id,),
    )
    status, _, body = _http(base_url, "GET", PETITION)
    shown = re.search(r'data-testid="signature-count">\s*([\d,\s]+?)\s*<', body)
    shown_count = int(re.sub(r"\D", "", shown.group(1))) if (status == 200 and shown) else None
    checks.add("count the petition page shows right after", exact, shown_count)
    return {
        "sample": len(ids),
        "requests": len(paths),
        "statuses": dict(statuses),
        "seconds": seconds,
        "requests_per_s": len(paths) / seconds if seconds else 0.0,
        "confirmed_exact": exact,
        "count_total": int(counted["count_total"]),
        "shard_sum": shards,
        "page_shows": shown_count,
    }


def _profile(env: dict[str, str], tmp: Path, session: str) -> dict[str, Any]:
    print(f"  in-process profile of {PROFILE_SUBMISSIONS} + {PROFILE_SUBMISSIONS} submissions")
    return _django(
        env,
        tmp,
        "profile",
        {"count": PROFILE_SUBMISSIONS, "run_id": f"{session}p", "sign_path": Sign.path},
    )


def _outcomes(env: dict[str, str], tmp: Path, session: str) -> dict[str, Any]:
    print(f"  action forms' answer time by outcome: {OUTCOME_SUBMISSIONS} of each, interleaved")
    found = _django(
        env,
        tmp,
        "outcomes",
        {"count": OUTCOME_SUBMISSIONS, "run_id": f"{session}o", "sign_path": Sign.path},
    )
    for form, data in found["forms"].items():
        medians, ratios = data["median_ms"], data["ratio_to_new"]
        print(
            f"  {form}: "
            + ", ".join(
                f"{kind} {_ms(medians[kind])} ({ratios[kind]:.2f}× new)"
                for kind in ("new", "pending", "confirmed")
            )
            + f"; answers {data['answers']}",
            flush=True,
        )
    return found


def _django(env: dict[str, str], tmp: Path, function: str, data: Any) -> Any:
    return run_in_django(env, tmp, "signatures_django", function, data, timeout=300)
