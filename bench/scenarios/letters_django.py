"""The parts of the letters scenario that run inside Django, with the project's own code and
the bench's production settings and secrets: `manage.py shell -c "from ... import lookups;
lookups()"` with the scenario's environment (that of the harness plus EMAIL_URL pointing at
the scenario's SMTP sink). Each reads its input from and writes its answer to the files
named by BENCH_IN and BENCH_OUT (JSON).

Imported only in that process: nothing here runs when the harness imports the scenarios.
"""

import cProfile
import io
import pstats
import time
from pathlib import Path
from typing import Any

from bench.profiling import profile_rows

from .letters_inproc import (
    bench_input,
    bench_output,
    campaign_for_run,
    drain_in_process,
    letters_create,
    queue_counts,
)
from .letters_integrity import check
from .letters_lookups import lookups

__all__ = ["check", "confirm_burst", "lookups", "prepare", "profile"]


def prepare() -> None:
    """N letters from new supporters in random districts with an MP, created with
    `letter_create`; the confirmation e-mails it queued are sent (into the sink) by
    django_tasks_db's worker loop in this process. The letters stay unconfirmed for
    `confirm_burst`, and the queue empty."""
    cfg = bench_input()
    campaign, before = campaign_for_run()
    queue_before = queue_counts()
    if queue_before:
        raise RuntimeError(f"the task queue is not empty before the run: {queue_before}")
    ids, create_s = letters_create(campaign, int(cfg["count"]), cfg["run_id"], cfg["seed"])
    queued_confirmations = queue_counts()
    drain_s = drain_in_process()
    bench_output(
        {
            "campaign_id": campaign.pk,
            "campaign_before": before,
            "letter_ids": ids,
            "create_s": create_s,
            "confirmations_queued": queued_confirmations,
            "confirmations_drain_s": drain_s,
            "queue_after_drain": queue_counts(),
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

    cfg = bench_input()
    ids = cfg["letter_ids"]
    ready, go = Path(cfg["ready_path"]), Path(cfg["go_path"])
    started = time.perf_counter()
    with transaction.atomic():
        for letter in Letter.objects.filter(pk__in=ids).order_by("pk"):
            letter_confirm(token=confirmation_token(letter))
        confirm_s = time.perf_counter() - started
        queue = queue_counts()  # this transaction's own rows: nobody else sees them yet
        deliveries = Delivery.objects.filter(letter_id__in=ids).count()
        ready.write_text("ready")
        deadline = time.monotonic() + 120
        while not go.exists():
            if time.monotonic() > deadline:
                raise RuntimeError("the harness never said go")
            time.sleep(0.001)
    committed_at = time.monotonic()
    bench_output(
        {
            "confirm_s": confirm_s,
            "queue": queue,
            "deliveries": deliveries,
            "committed_at": committed_at,
        }
    )


def profile() -> None:
    """Where a worker's time goes: N letters prepared as for a run, then django_tasks_db's
    worker loop drains the deliveries and copies in this one process, first timed (SQL
    statements counted), then, for N more letters, under cProfile."""
    from django.db import connection

    from harbour.letters.models import Letter
    from harbour.letters.services import confirmation_token, letter_confirm

    cfg = bench_input()
    campaign, _before = campaign_for_run()
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
        ids, _ = letters_create(campaign, count, f"{cfg['run_id']}{tag}", seed)
        drain_in_process()
        for letter in Letter.objects.filter(pk__in=ids).order_by("pk"):
            letter_confirm(token=confirmation_token(letter))
        return sum(queue_counts().values())

    tasks = ready("a", cfg["seed"])
    with connection.execute_wrapper(timed_sql):
        wall = drain_in_process()
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
    drain_in_process()
    profiler.disable()
    stats = pstats.Stats(profiler, stream=io.StringIO())
    rows = profile_rows(stats)
    bench_output(
        {
            "letters": count,
            "timed": timed,
            "profiled_tasks": tasks_b,
            "profiled_s": stats.total_tt,
            "top_cumulative": sorted(rows, key=lambda r: r["cumtime_s"], reverse=True)[:150],
            "top_own_time": sorted(rows, key=lambda r: r["tottime_s"], reverse=True)[:40],
        }
    )
