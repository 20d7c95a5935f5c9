"""`manage.py tasks_recover` (a timer in deploy/, every minute): put back the tasks whose
worker is gone and schedule missed retries (core.taskrecovery). Every `task_worker` does
this too; the timer covers a pool whose workers are all down, or plain `db_worker`s."""

from typing import Any

from django.core.management.base import BaseCommand

from harbour.core.taskrecovery import tasks_recover


class Command(BaseCommand):
    help = "Requeue tasks whose worker stopped; schedule retries of temporary failures."

    def handle(self, *args: Any, **options: Any) -> None:
        done = tasks_recover()
        self.stdout.write(
            f"Put back {done.requeued} task(s) whose worker stopped; gave up {done.abandoned}; "
            f"scheduled {done.retried} missed retry(ies)."
        )
