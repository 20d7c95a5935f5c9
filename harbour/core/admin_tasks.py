"""Reports > Background tasks: the tasks that failed (or wait for their retry), and a
"run again" button for a failed one. For administrators (`core.manage_tasks`)."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from .dashboard import AttentionLine
from .taskrecovery import task_attempts, task_retry

# Failures our tasks record say how, never with whose data (core.failures); anything else's
# text is not shown, only its class.
OURS = ("harbour.core.failures.", "harbour.core.taskrecovery.")
SHOWN = 200


@dataclass(frozen=True)
class TaskRow:
    id: str
    name: str
    status: str
    attempts: int
    when: datetime.datetime | None
    error: str
    retry_at: datetime.datetime | None


def _error(task: DBTaskResult) -> str:
    path = task.exception_class_path or ""
    if not path:
        return ""
    if path.startswith(OURS):
        lines = [line for line in task.traceback.splitlines() if line.strip()]
        if lines:
            return lines[-1].split(": ", 1)[-1]
    return path.rsplit(".", 1)[-1]


def task_rows() -> list[TaskRow]:
    """Failed tasks, and tasks waiting for a retry, newest first."""
    now = timezone.now()
    failed = DBTaskResult.objects.failed().order_by("-finished_at")[:SHOWN]
    waiting = (
        DBTaskResult.objects.filter(status=TaskResultStatus.READY, run_after__gt=now)
        .exclude(run_after=get_date_max())
        .order_by("run_after")[:SHOWN]
    )
    rows = []
    for task in [*waiting, *failed]:
        rows.append(
            TaskRow(
                id=str(task.pk),
                name=task.task_path.rsplit(".", 1)[-1],
                status=task.status,
                attempts=task_attempts(task.worker_ids),
                when=task.finished_at or task.started_at or task.enqueued_at,
                error=_error(task),
                retry_at=task.run_after if task.status == TaskResultStatus.READY else None,
            )
        )
    return rows


@permission_required("core.manage_tasks", raise_exception=True)
def task_index(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "core/admin/tasks.html", {"rows": task_rows()})


@require_POST
@permission_required("core.manage_tasks", raise_exception=True)
def task_retry_view(request: HttpRequest, task_id: str) -> HttpResponse:
    task: Any = get_object_or_404(DBTaskResult, pk=task_id)
    if task_retry(task_id=task.pk, actor=request.user):
        messages.success(request, _("The task will run again in a moment."))
    else:
        messages.error(request, _("This task has not failed (any more): nothing to run again."))
    return HttpResponseRedirect(reverse("core_tasks:index"))


def attention(user: Any) -> list[AttentionLine]:
    """The dashboard line: tasks that failed in the last day, for administrators."""
    if not user.has_perm("core.manage_tasks"):
        return []
    since = timezone.now() - datetime.timedelta(days=1)
    failed = DBTaskResult.objects.failed().filter(finished_at__gte=since).count()
    if not failed:
        return []
    text = ngettext(
        "%(n)d background task failed today", "%(n)d background tasks failed today", failed
    ) % {"n": failed}
    return [AttentionLine(text, url=reverse("core_tasks:index"), urgent=True)]
