"""The events scenario's reminders: one event's reminder to its 5,000 registrants, sent by
two running `manage.py task_worker`s (as deploy/ runs them) into the letters scenario's
SMTP sink, timed from the commit that queued the task to the last message. The task queues
one task per batch of registrants (events.mails.NOTICE_BATCH), which the two workers share.
Then the same task queued again, which must send nothing (each e-mail is claimed once,
core.mailsend)."""

import os
import subprocess
import sys
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench.cpu import OtherCpu
from bench.scenarios.events_common import WORKER_SETTLE_S, WORKER_TIMEOUT_S, _django
from bench.scenarios.letters_common import Sink
from bench.scenarios.letters_runs import _postgres_jiffies, _stop, _worker_jiffies
from bench.scenarios.signatures_common import Checks
from bench.server import ROOT, log_tail

WORKERS = 2  # as deploy/ runs them (harbour-worker@1, @2)


def _start_worker(stack: ExitStack, env: dict[str, str], log_path: Path) -> Any:
    """One task worker as production runs it (deploy/harbour-worker@.service), without the
    start-up delay; left running on the empty queue until it has started."""
    log = stack.enter_context(log_path.open("wb"))
    command = [sys.executable, str(ROOT / "manage.py"), "task_worker", "--queue-name",
               "default", "--no-startup-delay"]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    stack.callback(_stop, process)
    deadline = time.monotonic() + 120
    while "Starting worker" not in log_path.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the task worker did not start:\n{log_tail(log_path)}")
        time.sleep(0.05)
    time.sleep(WORKER_SETTLE_S)  # past its first look at the (empty) queue
    return process


def _peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


NOTICES = "harbour.events.tasks.send_event_notices"


def _db_now(db: Any) -> Any:
    return db.execute("SELECT now()").fetchone()[0]


def _wait_tasks(db: Any, since: Any, workers: list[Any]) -> tuple[str, Any, float]:
    """Wait until every reminder task queued since `since` (the first and the batches it
    queued) has ended: ("SUCCESSFUL" if all did, else the first other status), the sum of
    what they answered, seconds from the first start to the last end."""
    deadline = time.monotonic() + WORKER_TIMEOUT_S
    while True:
        rows = db.execute(
            "SELECT status, return_value, started_at, finished_at "
            "FROM django_tasks_database_dbtaskresult WHERE task_path = %s AND enqueued_at >= %s",
            (NOTICES, since),
        ).fetchall()
        if rows and all(row[0] in ("SUCCESSFUL", "FAILED") for row in rows):
            statuses = {str(row[0]) for row in rows}
            status = "SUCCESSFUL" if statuses == {"SUCCESSFUL"} else sorted(statuses)[0]
            total = sum(int(row[1] or 0) for row in rows)
            span = (max(row[3] for row in rows) - min(row[2] for row in rows)).total_seconds()
            return status, total, span
        if time.monotonic() > deadline:
            return "timeout", None, 0.0
        if any(worker.poll() is not None for worker in workers):
            raise RuntimeError("a task worker exited while running the reminders")
        time.sleep(0.1)


def _reminders(
    db: Any,
    env: dict[str, str],
    tmp: Path,
    database: str,
    sink: Sink,
    prepared: dict[str, Any],
    checks: Checks,
) -> dict[str, Any]:
    event = prepared["reminders"]
    count = int(prepared["registrants"])
    data = {"event_id": event["id"], "key": event["key"]}
    logs = [tmp / f"events-worker-{n}.log" for n in range(WORKERS)]
    with ExitStack() as stack:
        workers = [_start_worker(stack, env, log_path) for log_path in logs]
        mark = sink.count()
        other_cpu = OtherCpu(database)
        other_cpu.start()
        worker0, pg0, self0 = _worker_jiffies(workers), _postgres_jiffies(), os.times()
        since = _db_now(db)
        queued = _django(env, tmp, "enqueue_reminder", data)
        deadline = time.monotonic() + WORKER_TIMEOUT_S
        while sink.count() - mark < count:
            pairs = zip(workers, logs, strict=True)
            exited = [log for worker, log in pairs if worker.poll() is not None]
            if exited:
                raise RuntimeError(f"a task worker exited:\n{log_tail(exited[0])}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{sink.count() - mark:,} of {count:,} reminders in time")
            time.sleep(0.01)
        worker1, pg1, self1 = _worker_jiffies(workers), _postgres_jiffies(), os.times()
        other = other_cpu.share()
        first = _wait_tasks(db, since, workers)
        time.sleep(WORKER_SETTLE_S)  # a reminder sent twice would arrive meanwhile
        messages = sink.since(mark)
        print("  the task, queued again (each e-mail claimed once: nothing may go)", flush=True)
        mark_again = sink.count()
        since_again = _db_now(db)
        _django(env, tmp, "enqueue_reminder", data)
        again = _wait_tasks(db, since_again, workers)
        time.sleep(WORKER_SETTLE_S)
        sent_again = sink.count() - mark_again
        rss = max(_peak_rss_mb(worker.pid) or 0.0 for worker in workers)
        for worker in workers:
            _stop(worker)
    ticks = os.sysconf("SC_CLK_TCK")
    arrivals = sorted(m["at"] for m in messages[:count]) or [queued["committed_at"]]
    clock = arrivals[-1] - queued["committed_at"]
    span = arrivals[-1] - arrivals[0]
    result = {
        "registrants": count,
        "messages": len(messages),
        "clock_s": clock,
        "per_s": count / clock if clock > 0 else 0.0,
        "first_message_after_s": arrivals[0] - queued["committed_at"],
        "first_to_last_per_s": (count - 1) / span if span > 0 else 0.0,
        "task": {"status": first[0], "return_value": first[1], "run_s": first[2]},
        "again": {"status": again[0], "return_value": again[1], "run_s": again[2]},
        "sent_again": sent_again,
        "worker_peak_rss_mb": rss,
        "cpu_s": {
            "worker": (worker1 - worker0) / ticks,
            "postgresql": (pg1 - pg0) / ticks,
            # The sink's thread (the harness's main thread only polls its count meanwhile).
            "sink": (self1.user + self1.system) - (self0.user + self0.system),
            "capacity": clock * len(os.sched_getaffinity(0)),
        },
        "other_cpu_share": other,
    }
    _reminder_checks(db, event, count, messages, result, checks)
    print(
        f"  {len(messages):,} reminders in {clock:.2f} s from the commit: "
        f"{result['per_s']:,.0f}/s (first after {result['first_message_after_s']:.2f} s, "
        f"{result['first_to_last_per_s']:,.0f}/s from first to last); worker peak RSS "
        f"{rss or 0:,.0f} MB; the task again: {again[0]} {again[1]!r} in {again[2]:.1f} s, "
        f"{sent_again} messages",
        flush=True,
    )
    return result


def _reminder_checks(
    db: Any,
    event: dict[str, Any],
    count: int,
    messages: list[dict[str, Any]],
    result: dict[str, Any],
    checks: Checks,
) -> None:
    """Exactly once: each registrant's address received one reminder, nobody else any, each
    with its own Message-ID; one claim per registrant, all sent; the task again sent none."""
    registrants = {
        str(email)
        for (email,) in db.execute(
            "SELECT p.email FROM events_registration r JOIN people_person p "
            "ON p.id = r.person_id WHERE r.event_id = %s AND r.state = 'confirmed'",
            (event["id"],),
        ).fetchall()
    }
    checks.add("confirmed registrants of the event", count, len(registrants))
    received = Counter(rcpt for m in messages for rcpt in m["rcpt"])
    checks.add("messages in the sink", count, len(messages))
    once = sum(1 for email in registrants if received[email] == 1)
    checks.add("registrants who received exactly one", count, once)
    checks.add(
        "messages to anyone else", 0, sum(n for e, n in received.items() if e not in registrants)
    )
    checks.add(
        "messages with one recipient", count, sum(1 for m in messages if len(m["rcpt"]) == 1)
    )
    ids = Counter(m["message_id"] for m in messages)
    checks.add("distinct Message-IDs", count, sum(1 for i, n in ids.items() if i and n == 1))
    subjects = sum(1 for m in messages if m["subject"].startswith("Reminder: "))
    checks.add("subjects 'Reminder: …'", count, subjects)
    prefix = f"event:reminder:{event['id']}:{event['key']}:"
    claims = dict(
        db.execute(
            "SELECT state, count(*) FROM core_mailclaim WHERE key LIKE %s GROUP BY state",
            (prefix.replace("%", r"\%").replace("_", r"\_") + "%",),
        ).fetchall()
    )
    checks.add("mail claims of the reminder, all 'sent'", {"sent": count}, claims)
    for label, key, expected in (
        ("the tasks: all SUCCESSFUL, answering in all how many they sent", "task", count),
        ("the task queued again: all SUCCESSFUL, sending none", "again", 0),
    ):
        task = result[key]
        checks.add(label, ["SUCCESSFUL", expected], [task["status"], task["return_value"]])
    checks.add("messages the task queued again put in the sink", 0, result["sent_again"])
