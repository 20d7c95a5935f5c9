"""`manage.py tasks_status`: the task queue at a glance (counts, ages, recent failures)."""

from typing import Any

from django.core.management.base import BaseCommand

from harbour.core.taskstats import recent_failures, task_backlog


def _age(seconds: float | None) -> str:
    return "none" if seconds is None else f"{seconds:,.0f} s"


class Command(BaseCommand):
    help = "Print the task backlog, the oldest waiting and running tasks' ages, and failures."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--hours", type=int, default=24, help="Failures this recent.")

    def handle(self, *args: Any, **options: Any) -> None:
        backlog = task_backlog()
        self.stdout.write(
            f"Waiting: {backlog.ready} (oldest {_age(backlog.oldest_ready_seconds)}); "
            f"running: {backlog.running} (oldest {_age(backlog.oldest_running_seconds)})."
        )
        failures = recent_failures(hours=options["hours"])
        self.stdout.write(f"Failed in the last {options['hours']} h: {len(failures)}.")
        for failure in failures:
            when = failure.finished_at.isoformat(timespec="seconds") if failure.finished_at else "?"
            self.stdout.write(f"  {when}  {failure.task}  {failure.error}")
