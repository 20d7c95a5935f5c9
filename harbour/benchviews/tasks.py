"""The benchmark's task."""

from django_tasks import task


@task()
def bench_noop(row_id: int) -> None:
    """Does nothing: the insert-and-enqueue view queues it to measure what the tasks API's
    enqueue adds to a write (the bench drops its database, never runs it)."""
