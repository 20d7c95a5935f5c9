"""Wagtail's search indexing runs through our task setup: the database backend and
`db_worker`, as in `make run` and production."""

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from tests.content.factories import make_article

DB_TASKS = settings.DATABASE_TASKS


@pytest.mark.django_db(transaction=True)
def test_a_published_article_is_searchable_once_the_worker_has_run(client, news):
    from django_tasks_db.models import DBTaskResult

    with override_settings(TASKS=DB_TASKS):
        make_article(news, title="Worker indexed", body_text="zebracrossing")
        assert DBTaskResult.objects.filter(status="READY").exists()
        assert b"Worker indexed" not in client.get("/search/?q=zebracrossing").content

        call_command("db_worker", batch=True, startup_delay=False, verbosity=0)

        assert not DBTaskResult.objects.filter(status="READY").exists()
        assert b"Worker indexed" in client.get("/search/?q=zebracrossing").content


@pytest.mark.django_db
def test_the_database_backend_queues_the_row_upstream_would_and_signals_once():
    """core.tasks_backend writes its task row in one INSERT; what it stores, returns and
    signals is what django-tasks' own database backend gives."""
    from django_tasks.signals import task_enqueued
    from django_tasks_db.models import DBTaskResult, get_date_max

    from harbour.benchviews.tasks import bench_noop

    signalled = []

    def receiver(sender, task_result, **kwargs):
        signalled.append(task_result)

    task_enqueued.connect(receiver)
    try:
        with override_settings(TASKS=DB_TASKS):
            result = bench_noop.enqueue(42)
            upstream_settings = {
                "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
            }
            with override_settings(TASKS=upstream_settings):
                upstream = bench_noop.enqueue(42)
    finally:
        task_enqueued.disconnect(receiver)

    assert [r.id for r in signalled] == [result.id, upstream.id]
    ours = DBTaskResult.objects.get(pk=result.id)
    theirs = DBTaskResult.objects.get(pk=upstream.id)
    fields = ["status", "args_kwargs", "priority", "task_path", "worker_ids", "queue_name"]
    fields += ["backend_name", "run_after", "return_value", "exception_class_path", "traceback"]
    assert {f: getattr(ours, f) for f in fields} == {f: getattr(theirs, f) for f in fields}
    assert ours.run_after == get_date_max()
    assert ours.enqueued_at is not None
    assert (result.status, result.args, result.kwargs) == ("READY", [42], {})
    assert result.task.module_path == "harbour.benchviews.tasks.bench_noop"
    assert result.enqueued_at == ours.enqueued_at
    assert result.db_result.pk == ours.pk


@pytest.mark.django_db(transaction=True)
def test_a_task_queued_in_a_transaction_that_rolls_back_is_not_queued():
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    from harbour.benchviews.tasks import bench_noop

    with override_settings(TASKS=DB_TASKS):
        with pytest.raises(RuntimeError), transaction.atomic():
            bench_noop.enqueue(1)
            raise RuntimeError("the row that caused it failed")
        assert not DBTaskResult.objects.exists()
        bench_noop.enqueue(2)
        call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
    done = DBTaskResult.objects.get()
    assert (done.status, done.args_kwargs["args"]) == ("SUCCESSFUL", [2])
