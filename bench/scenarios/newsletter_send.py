"""The newsletter scenario's sending runs: a mailing to the whole list sent by two task
workers started for the run and left to settle on the empty queue, timed from the commit
of `mailing_send` to the sink's last message; the workers' memory sampled meanwhile. In the
run with kills, the worker holding a batch (slot 0's if it holds one) is killed (-9) when
each share of KILL_AT has arrived, and started again after RestartSec."""

import os
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench.cpu import OtherCpu
from bench.scenarios.letters_runs import _postgres_jiffies
from bench.scenarios.newsletter_checks import exactly_once, task_summary
from bench.scenarios.newsletter_common import BATCH_TASK, START_TASK, _django, timeout_s
from bench.scenarios.newsletter_sink import RawSink
from bench.scenarios.newsletter_workers import RssSampler, Workers
from bench.scenarios.signatures_common import Checks

SETTLE_S = 1.0  # after the mailing is sent: a message sent twice would arrive meanwhile


def send_run(
    db: Any,
    env: dict[str, str],
    tmp: Path,
    database: str,
    sink: RawSink,
    prepared: dict[str, Any],
    checks: Checks,
    *,
    tag: str,
    kill_at: tuple[float, ...] = (),
) -> dict[str, Any]:
    count = int(prepared["subscribers"])
    with ExitStack() as stack:
        workers = Workers(env, tmp, tag)
        stack.callback(workers.stop)
        workers.wait_started()
        sampler = RssSampler(workers, sink)
        sampler.sample()
        sampler.start()
        stack.callback(sampler.stop)
        mark = sink.count()
        other_cpu = OtherCpu(database)
        other_cpu.start()
        cpu0 = (workers.jiffies(), _postgres_jiffies(), sink.cpu_s(), time.monotonic())
        since = db.execute("SELECT now()").fetchone()[0]
        data = {"list_id": prepared["list_id"], "user_id": prepared["user_id"], "title": tag}
        sent = _django(env, tmp, "send_mailing", data)
        mailing_id, committed_at = int(sent["mailing_id"]), float(sent["committed_at"])
        kills = []
        pending = list(kill_at)
        deadline = time.monotonic() + timeout_s(count)
        cpu1: tuple[int, int, float, float] | None = None
        next_poll = 0.0
        while True:
            arrived = sink.count() - mark
            if pending and arrived >= pending[0] * count:
                pending.pop(0)
                kills.append(_kill(db, workers, since, arrived, committed_at))
            if cpu1 is None and arrived >= count:
                cpu1 = (workers.jiffies(), _postgres_jiffies(), sink.cpu_s(), time.monotonic())
            workers.poll_ready()
            if time.monotonic() >= next_poll:
                next_poll = time.monotonic() + 0.25
                if _mailing_state(db, mailing_id) == "sent":
                    break
                if kills:
                    _note_recovery(db, kills)
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{arrived:,} of {count:,} messages in {timeout_s(count):.0f} s; the "
                    f"workers' logs:\n{workers.logs_text()}"
                )
            workers.check_alive()
            time.sleep(0.02)
        if cpu1 is None:
            cpu1 = (workers.jiffies(), _postgres_jiffies(), sink.cpu_s(), time.monotonic())
        other = other_cpu.share()
        time.sleep(SETTLE_S)
        sampler.sample()
        sampler.stop()
        _note_recovery(db, kills)
        messages = sink.since(mark)
        history = workers.history
        logs = workers.logs_text()
    arrivals = sorted(m[2] for m in messages) or [committed_at]
    span = arrivals[-1] - arrivals[0]
    clock = arrivals[-1] - committed_at
    ticks = os.sysconf("SC_CLK_TCK")
    result: dict[str, Any] = {
        "tag": tag,
        "mailing_id": mailing_id,
        "subscribers": count,
        "messages": len(messages),
        "clock_s": clock,
        "first_message_after_s": arrivals[0] - committed_at,
        "first_to_last_s": span,
        "per_s": (len(messages) - 1) / span if span > 0 else 0.0,
        "per_s_from_commit": len(messages) / clock if clock > 0 else 0.0,
        "kills": kills,
        "kills_not_made": pending,
        "workers": [{k: v for k, v in h.items() if k != "log"} for h in history],
        "rss": _rss_summary(sampler.samples, mark, count, history),
        "rss_samples": _samples_json(sampler.samples, mark),
        "tasks": task_summary(db, since, [START_TASK, BATCH_TASK]),
        "other_cpu_share": other,
        "message_bytes": int(sum(m[3] for m in messages) / max(1, len(messages))),
    }
    if not kill_at:  # the CPU of workers that were killed went with them
        result["cpu_s"] = {
            "workers": (cpu1[0] - cpu0[0]) / ticks,
            "postgresql": (cpu1[1] - cpu0[1]) / ticks,
            "sink": cpu1[2] - cpu0[2],
            "capacity": (cpu1[3] - cpu0[3]) * len(os.sched_getaffinity(0)),
        }
    _dips(kills, history, arrivals, result["per_s"])
    result["checks"] = exactly_once(db, mailing_id, count, messages, checks, kills=len(kill_at))
    if result["checks"]["duplicated"]:
        print(f"  messages received twice: {result['checks']['duplicated']}")
        print(f"  the workers' logs:\n{logs}")
    return result


def _mailing_state(db: Any, mailing_id: int) -> str:
    row = db.execute("SELECT state FROM newsletter_mailing WHERE id = %s", (mailing_id,))
    found = row.fetchone()
    return str(found[0]) if found else ""


def _kill(
    db: Any, workers: Workers, since: Any, arrived: int, committed_at: float
) -> dict[str, Any]:
    """Kill the worker that holds a batch now (slot 0's by preference)."""
    held = {
        worker_id: (task_id, int(claims))
        for worker_id, task_id, claims in db.execute(
            "SELECT worker_ids->>-1, id::text, jsonb_array_length(worker_ids) "
            "FROM django_tasks_database_dbtaskresult "
            "WHERE task_path = %s AND status = 'RUNNING' AND enqueued_at >= %s",
            (BATCH_TASK, since),
        ).fetchall()
    }
    slots = [slot for slot, worker_id in enumerate(workers.worker_ids) if worker_id in held]
    slot = 0 if 0 in slots or not slots else slots[0]
    task_id, claims = held.get(workers.worker_ids[slot], (None, 0))
    info = workers.kill(slot)
    info.update(
        {
            "arrived": arrived,
            "after_s": info["killed_at"] - committed_at,
            "task_id": task_id,
            "claims_at_kill": claims,
            "recovered_at": None,
        }
    )
    print(
        f"  killed worker {slot} (-9) at {arrived:,} messages, "
        f"{info['after_s']:.1f} s after the commit, holding batch task {task_id}; started again",
        flush=True,
    )
    return info


def _note_recovery(db: Any, kills: list[dict[str, Any]]) -> None:
    """When each killed worker's task was claimed again by another worker (PostgreSQL's
    clock turned into the monotonic clock's by the difference measured now)."""
    for kill in kills:
        if kill["task_id"] is None or kill["recovered_at"] is not None:
            continue
        row = db.execute(
            "SELECT started_at, jsonb_array_length(worker_ids), "
            "extract(epoch FROM now() - started_at) FROM django_tasks_database_dbtaskresult "
            "WHERE id = %s",
            (kill["task_id"],),
        ).fetchone()
        if row is not None and int(row[1]) > kill["claims_at_kill"]:
            kill["recovered_at"] = time.monotonic() - float(row[2])
            kill["recovered_after_s"] = kill["recovered_at"] - kill["killed_at"]


def _dips(
    kills: list[dict[str, Any]], history: list[dict[str, Any]], arrivals: list[float], rate: float
) -> None:
    """For each kill, the time the run lost by it, read from the arrivals themselves: from
    the kill until its slot's new worker was ready, the messages that arrived short of the
    run's mean rate, in seconds of that rate."""
    for kill in kills:
        new = next((h for h in history if h["worker_id"] == kill["new_worker_id"]), {})
        end = new.get("ready_at") or kill["killed_at"] + 5.0
        arrived = sum(1 for at in arrivals if kill["killed_at"] <= at < end)
        kill["absent_s"] = end - kill["killed_at"]
        kill["arrived_while_absent"] = arrived
        kill["dip_s"] = kill["absent_s"] - arrived / rate if rate else 0.0


def _rss_summary(
    samples: list[tuple[float, int, dict[int, float]]],
    mark: int,
    count: int,
    history: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """For each worker process: its RSS before the send, once a tenth of the messages had
    arrived, at its peak and at its end (the last sample), in MB."""
    found = []
    for record in history:
        pid = record["pid"]
        series = [(n - mark, rss[pid]) for _t, n, rss in samples if pid in rss]
        if not series:
            continue
        tenth = next((rss for n, rss in series if n >= count / 10), series[-1][1])
        found.append(
            {
                "worker_id": record["worker_id"],
                "killed": record["killed_at"] is not None,
                "restarted": not record["worker_id"].endswith("-0"),
                "start_mb": series[0][1],
                "tenth_mb": tenth,
                "peak_mb": max(rss for _n, rss in series),
                "end_mb": series[-1][1],
                "samples": len(series),
            }
        )
    return found


def _samples_json(
    samples: list[tuple[float, int, dict[int, float]]], mark: int
) -> list[dict[str, Any]]:
    """The samples for the JSON file, at most about 200 of them."""
    step = max(1, len(samples) // 200)
    return [
        {"t": round(t, 2), "messages": n - mark,
         "rss_mb": {str(p): round(v, 1) for p, v in rss.items()}}
        for t, n, rss in samples[::step]
    ]  # fmt: skip
