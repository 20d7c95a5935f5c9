"""Tasks that outlive their workers and their dependencies: one mechanism for every task.

django-tasks-db runs a task once: a worker claims its row (RUNNING), runs it and marks it
SUCCESSFUL or FAILED. That leaves two ways to lose a supporter's e-mail:

- a worker killed mid-task (-9, out of memory, a reboot) leaves its row RUNNING for ever;
- a task that met a temporary failure (an SMTP 4xx, no connection, the database
  restarting) stays FAILED.

Both are mended here by putting *the same row* back to READY, with `run_after` for the
back-off, so the ordinary worker runs it again: no second queue, and the task keeps its id,
so an e-mail claimed under `task:<id>` (core.mailsend) is never sent twice.

- `task_retry_after_failure` runs when a task fails (the worker's `task_finished` signal,
  connected in core.apps): a `TemporaryTaskFailure` with attempts left goes back READY after
  an exponential back-off with jitter; anything else stays FAILED.
- `tasks_recover` runs every `HARBOUR_TASK_HEARTBEAT_SECONDS * 3` in every `task_worker`
  (its heartbeat thread) and from `manage.py tasks_recover` on a timer (deploy/): it puts
  back a RUNNING task whose worker is gone (its heartbeat stopped, or, for a worker that
  keeps none, the task has run longer than `HARBOUR_TASK_LEASE_SECONDS`), and schedules any
  retry the signal did not (the worker died between the two).
- `task_retry` is the administrator's "run again" for a FAILED task (Reports > Failed tasks).

A task's attempts are the worker ids on its row (each claim adds one) since the last manual
retry; after `HARBOUR_TASK_MAX_ATTEMPTS` it stays FAILED. A task that keeps killing its
worker (one that runs the machine out of memory) therefore stops too."""

import datetime
import logging
import random
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from .audit import audit_record
from .models import TaskWorker

logger = logging.getLogger(__name__)

TEMPORARY_FAILURE = "harbour.core.failures.TemporaryTaskFailure"
WORKER_LOST = "harbour.core.taskrecovery.WorkerLost"
MANUAL_RETRY = "manual-retry"  # written among a row's worker ids by `task_retry`
BATCH = 500  # rows looked at per pass; the next pass takes the rest


class WorkerLost(Exception):
    """Recorded on a task whose workers kept disappearing while running it."""


def task_attempts(worker_ids: list[str]) -> int:
    """How many times the task was claimed since it was last retried by hand."""
    attempts = 0
    for worker_id in reversed(worker_ids):
        if worker_id == MANUAL_RETRY:
            break
        attempts += 1
    return attempts


def retry_delay(attempt: int, *, rng: random.Random | None = None) -> datetime.timedelta:
    """The wait before attempt `attempt + 1`: base * 2^(attempt - 1) seconds, capped at
    HARBOUR_TASK_RETRY_MAX_SECONDS, drawn between half and all of it ("equal jitter"), so
    that a thousand confirmations that failed together do not all come back together."""
    base = settings.HARBOUR_TASK_RETRY_BASE_SECONDS
    ceiling = min(settings.HARBOUR_TASK_RETRY_MAX_SECONDS, base * 2 ** max(attempt - 1, 0))
    return datetime.timedelta(seconds=ceiling / 2 + (rng or random).uniform(0, ceiling / 2))


def _back_to_ready(rows: Any, *, attempts: int, now: datetime.datetime, delay: bool = True) -> int:
    return int(
        rows.update(
            status=TaskResultStatus.READY,
            run_after=now + retry_delay(attempts) if delay else get_date_max(),
            finished_at=None,
        )
    )


def task_retry_after_failure(task_id: UUID | str, *, now: datetime.datetime | None = None) -> bool:
    """A FAILED task of ours whose failure was temporary goes back to READY after its
    back-off, while it has attempts left. True if it was put back."""
    now = now or timezone.now()
    row = (
        DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.FAILED)
        .values("exception_class_path", "worker_ids", "finished_at")
        .first()
    )
    if row is None or row["exception_class_path"] != TEMPORARY_FAILURE:
        return False
    attempts = task_attempts(row["worker_ids"])
    if attempts >= settings.HARBOUR_TASK_MAX_ATTEMPTS:
        return False
    # Only the failure just seen: finished_at changes with every attempt.
    same = DBTaskResult.objects.filter(
        pk=task_id, status=TaskResultStatus.FAILED, finished_at=row["finished_at"]
    )
    return _back_to_ready(same, attempts=attempts, now=now) == 1


def on_task_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """The worker's `task_finished` signal: schedule a temporary failure's retry. If the
    database is unreachable now, `tasks_recover` schedules it later."""
    from .tasks_backend import DatabaseBackend

    if task_result.status != TaskResultStatus.FAILED:
        return
    if not (isinstance(sender, type) and issubclass(sender, DatabaseBackend)):
        return
    try:
        task_retry_after_failure(task_result.id)
    except DatabaseError:
        logger.warning("Could not schedule a failed task's retry now; tasks_recover will.")


def heartbeat_stale_after() -> datetime.timedelta:
    """A worker whose heartbeat is older than three beats is taken for gone."""
    return datetime.timedelta(seconds=3 * settings.HARBOUR_TASK_HEARTBEAT_SECONDS)


def worker_beat(*, worker_id: str, host: str, pid: int) -> None:
    """Record that this worker is alive (its heartbeat thread calls this every beat)."""
    TaskWorker.objects.update_or_create(
        worker_id=worker_id, defaults={"host": host, "pid": pid, "seen_at": timezone.now()}
    )


def worker_leave(*, worker_id: str) -> None:
    """A worker stopping cleanly forgets its heartbeat (its tasks are finished)."""
    TaskWorker.objects.filter(worker_id=worker_id).delete()


@dataclass(frozen=True)
class Recovery:
    requeued: int  # tasks whose worker was gone, put back in the queue
    abandoned: int  # tasks whose workers were lost too often, marked failed
    retried: int  # temporary failures whose retry had not been scheduled


def tasks_recover(*, now: datetime.datetime | None = None) -> Recovery:
    """Put back the tasks whose worker is gone, and schedule missed retries (see above).
    Safe to run anywhere and often: every change is conditional on the row being as read."""
    now = now or timezone.now()
    lease = datetime.timedelta(seconds=settings.HARBOUR_TASK_LEASE_SECONDS)
    stale_since = now - heartbeat_stale_after()
    workers = dict(TaskWorker.objects.values_list("worker_id", "seen_at"))
    requeued = abandoned = 0
    running = DBTaskResult.objects.running().values_list("id", "worker_ids", "started_at")
    for task_id, worker_ids, started_at in running.order_by("started_at")[:BATCH]:
        seen_at = workers.get(worker_ids[-1]) if worker_ids else None
        if seen_at is not None and seen_at >= stale_since:
            continue  # its worker is alive: a long task, not a lost one
        # A worker that kept a heartbeat and stopped is known gone; one that keeps none
        # (upstream's db_worker) is taken for gone once the task has run a whole lease.
        if seen_at is None and started_at is not None and started_at > now - lease:
            continue
        same = DBTaskResult.objects.filter(
            pk=task_id, status=TaskResultStatus.RUNNING, started_at=started_at
        )
        attempts = task_attempts(worker_ids)
        if attempts >= settings.HARBOUR_TASK_MAX_ATTEMPTS:
            abandoned += same.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=WORKER_LOST,
                traceback=f"{WORKER_LOST}: its worker stopped during each of {attempts} runs",
            )
        else:
            requeued += _back_to_ready(same, attempts=attempts, now=now)
    retried = 0
    missed = DBTaskResult.objects.failed().filter(
        exception_class_path=TEMPORARY_FAILURE, finished_at__gte=now - datetime.timedelta(days=1)
    )
    for task_id in missed.values_list("id", flat=True)[:BATCH]:
        retried += task_retry_after_failure(task_id, now=now)
    TaskWorker.objects.filter(seen_at__lt=now - datetime.timedelta(days=1)).delete()
    if requeued or abandoned or retried:
        logger.warning(
            "Task recovery: %d put back after their worker stopped, %d given up, "
            "%d retries scheduled late.",
            requeued,
            abandoned,
            retried,
        )
    return Recovery(requeued=requeued, abandoned=abandoned, retried=retried)


def task_retry(*, task_id: UUID | str, actor: Any) -> bool:
    """An administrator runs a FAILED task again, now, with its attempts counted afresh
    (audited). An e-mail it had claimed before failing (one that may have left) is still
    not sent twice. False if the task is not (or no longer) failed."""
    with transaction.atomic():
        task = (
            DBTaskResult.objects.select_for_update()
            .filter(pk=task_id, status=TaskResultStatus.FAILED)
            .first()
        )
        if task is None:
            return False
        task.status = TaskResultStatus.READY
        task.run_after = get_date_max()
        task.finished_at = None
        task.worker_ids = [*task.worker_ids, MANUAL_RETRY]
        task.save(update_fields=["status", "run_after", "finished_at", "worker_ids"])
        audit_record(
            actor=actor, action="task.retry", target=task, details={"task": task.task_path}
        )
    return True
