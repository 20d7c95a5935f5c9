"""`make run`'s task worker: `task_worker` (upstream's `db_worker` with a heartbeat and
lost-task recovery), quiet at the default verbosity.

Upstream logs two lines per task at INFO (claimed, finished) whatever the logging settings
say, which buries the admin login `make run` prints among Wagtail's indexing tasks. Here
the default verbosity shows warnings and errors only (a failed task still shows);
`--verbosity 2` shows every task. Production runs `task_worker` itself."""

import logging

from django_tasks_db.compat import TASKS_LOGGER
from django_tasks_db.management.commands.db_worker import logger

from .task_worker import Command as TaskWorker


class Command(TaskWorker):
    help = "Run the database task worker, logging only warnings and errors (make run)."

    def configure_logging(self, verbosity: int) -> None:
        super().configure_logging(verbosity)
        if verbosity == 1:
            logging.getLogger(TASKS_LOGGER).setLevel(logging.WARNING)
            logger.setLevel(logging.WARNING)
