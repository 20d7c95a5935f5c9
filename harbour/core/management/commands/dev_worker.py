"""`make run`'s task worker: django-tasks-db's `db_worker`, quiet at the default verbosity.

Upstream logs two lines per task at INFO (claimed, finished) whatever the logging settings
say, which buries the admin login `make run` prints among Wagtail's indexing tasks. Here
the default verbosity shows warnings and errors only (a failed task still shows);
`--verbosity 2` shows every task. Production runs `db_worker` itself."""

import logging

from django_tasks_db.compat import TASKS_LOGGER
from django_tasks_db.management.commands.db_worker import Command as DbWorker
from django_tasks_db.management.commands.db_worker import logger


class Command(DbWorker):
    help = "Run the database task worker, logging only warnings and errors (make run)."

    def configure_logging(self, verbosity: int) -> None:
        super().configure_logging(verbosity)
        if verbosity == 1:
            logging.getLogger(TASKS_LOGGER).setLevel(logging.WARNING)
            logger.setLevel(logging.WARNING)
