"""Wagtail's search indexing runs through our task setup: the database backend and
`db_worker`, as in `make run` and production."""

import pytest
from django.core.management import call_command
from django.test import override_settings

from tests.content.factories import make_article

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


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
