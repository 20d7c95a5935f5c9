"""Reads of the task queue (django-tasks-db's table) for `/readyz` and `manage.py
tasks_status`: counts, ages and recent failures, never a task's arguments (they name rows,
and a failure's text is already scrubbed: core.failures)."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Min
from django.utils import timezone
from django_tasks_db.models import DBTaskResult


@dataclass(frozen=True)
class Failure:
    task: str  # the task's dotted path
    finished_at: datetime.datetime | None
    error: str  # the exception's class path


@dataclass(frozen=True)
class Backlog:
    ready: int
    running: int
    oldest_ready_seconds: float | None
    oldest_running_seconds: float | None


def task_backlog(*, now: datetime.datetime | None = None) -> Backlog:
    """Tasks waiting (READY, due now) and running, and how long the oldest of each has."""
    now = now or timezone.now()
    due = DBTaskResult.objects.ready()
    ready = due.aggregate(n=Count("id"), oldest=Min("enqueued_at"))
    running = DBTaskResult.objects.running().aggregate(n=Count("id"), oldest=Min("started_at"))

    def age(moment: datetime.datetime | None) -> float | None:
        return (now - moment).total_seconds() if moment else None

    return Backlog(
        ready=ready["n"],
        running=running["n"],
        oldest_ready_seconds=age(ready["oldest"]),
        oldest_running_seconds=age(running["oldest"]),
    )


def recent_failures(*, hours: int = 24, limit: int = 20) -> list[Failure]:
    since = timezone.now() - datetime.timedelta(hours=hours)
    rows = (
        DBTaskResult.objects.failed()
        .filter(finished_at__gte=since)
        .order_by("-finished_at")
        .values_list("task_path", "finished_at", "exception_class_path")[:limit]
    )
    return [Failure(task, finished, error) for task, finished, error in rows]
