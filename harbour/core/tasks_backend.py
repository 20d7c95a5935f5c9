"""django-tasks' database backend with a cheaper enqueue: same table, same worker.

A petition spike queues one confirmation e-mail per signature, in the transaction that
stores the signature. Upstream's `enqueue` builds the task row through `Model.save()` and
then builds its TaskResult twice (once for the `task_enqueued` signal, once to return);
together that cost about as much as the rest of a signature's inserts. Here the row goes
in through `core.rows.row_insert` (one INSERT whose SQL is built once) and the TaskResult is
built once. The row, the signal and the result are what upstream gives, and `db_worker`
runs the tasks unchanged: this is still the tasks API and its queue."""

from typing import TYPE_CHECKING, Any

from django_tasks_db.backend import DatabaseBackend as UpstreamDatabaseBackend
from django_tasks_db.backend import TaskResult
from django_tasks_db.compat import Task, TaskResultStatus, normalize_json, task_enqueued
from django_tasks_db.utils import normalize_uuid

from .rows import row_insert

if TYPE_CHECKING:
    from django_tasks_db.models import DBTaskResult


class DatabaseBackend(UpstreamDatabaseBackend):
    def _task_to_db_task(self, task: Task, args: Any, kwargs: Any) -> "DBTaskResult":
        # Imported here, as upstream does: tasks are declared (and this backend built)
        # while apps may still be loading.
        from django_tasks_db.models import DBTaskResult, get_date_max

        db_result: DBTaskResult = DBTaskResult(
            id=self._get_id(),
            args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=task.run_after or get_date_max(),
            backend_name=self.alias,
        )
        row_insert(db_result)
        return db_result

    def enqueue(self, task: Task, args: Any, kwargs: Any) -> TaskResult:
        self.validate_task(task)
        db_result = self._task_to_db_task(task, args, kwargs)
        result: TaskResult = TaskResult(
            db_result=db_result,
            task=task,
            id=normalize_uuid(db_result.id),
            status=TaskResultStatus.READY,
            enqueued_at=db_result.enqueued_at,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=db_result.args_kwargs["args"],
            kwargs=db_result.args_kwargs["kwargs"],
            backend=self.alias,
            errors=[],
            worker_ids=db_result.worker_ids,
        )
        object.__setattr__(result, "_return_value", None)
        task_enqueued.send(type(self), task_result=result)
        return result
