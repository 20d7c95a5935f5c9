"""`manage.py task_worker`: django-tasks-db's `db_worker` with a heartbeat.

The worker is upstream's, unchanged (same table, same claiming). Beside it a thread records
the worker's heartbeat every HARBOUR_TASK_HEARTBEAT_SECONDS and, every third beat, runs
core.taskrecovery.tasks_recover: a task left RUNNING by a worker that was killed goes back
to the queue within seconds, without waiting for a timer. Production and `make run` run
this command; a plain `db_worker` still works (its lost tasks wait for the lease and the
`tasks_recover` timer)."""

import logging
import os
import socket
import threading
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DbWorker

from harbour.core.taskrecovery import tasks_recover, worker_beat, worker_leave

logger = logging.getLogger("harbour.core.taskrecovery")


class Heartbeat(threading.Thread):
    """Beats until stopped; a database that is away is waited for, quietly."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(name="task-worker-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.stopping = threading.Event()
        self.healthy = True

    def beat(self, *, recover: bool) -> None:
        try:
            worker_beat(worker_id=self.worker_id, host=socket.gethostname(), pid=os.getpid())
            if recover:
                tasks_recover()
        except DatabaseError:
            if self.healthy:  # once per outage, not once per beat
                logger.warning("Task worker heartbeat: the database is unreachable.")
            self.healthy = False
        else:
            self.healthy = True
        finally:
            connection.close()  # this thread's own connection; a fresh one next beat

    def run(self) -> None:
        beats = 0
        while not self.stopping.wait(settings.HARBOUR_TASK_HEARTBEAT_SECONDS):
            beats += 1
            self.beat(recover=beats % 3 == 0)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=5)
        try:
            worker_leave(worker_id=self.worker_id)
        except DatabaseError:
            pass  # its row goes stale; recovery treats it as gone, as it is
        finally:
            connection.close()


class Command(DbWorker):
    help = "Run the database task worker with a heartbeat and lost-task recovery."

    def handle(self, *args: Any, **options: Any) -> None:
        reloading = options.get("reload") and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        if reloading:  # the reloader's parent runs no tasks: only its child beats
            return super().handle(*args, **options)
        heartbeat = Heartbeat(options["worker_id"])
        heartbeat.beat(recover=True)
        heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            heartbeat.stop()
