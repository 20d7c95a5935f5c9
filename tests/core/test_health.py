"""/healthz (process up), /readyz (database, cache and task queue), `tasks_status`: JSON
and text with counts only, never a task's arguments or a supporter's data."""

import datetime
import io
import json
from unittest import mock

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.signons.factories import INDIVIDUAL, make_petition

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_asking_anything(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"ok": True})
    assert len(queries) == 0


def test_readyz_is_ready_with_a_short_queue_and_says_nothing_personal(client, home):
    petition = make_petition(home)
    with override_settings(TASKS=settings.DATABASE_TASKS):
        client.post(petition.url, INDIVIDUAL)  # one confirmation task waiting
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["checks"] == {"database": True, "cache": True, "tasks": True}
    assert body["tasks"]["ready"] == 1
    assert "@" not in response.content.decode() and "mimi" not in response.content.decode()


@pytest.mark.parametrize("setting", ["HARBOUR_READY_MAX_BACKLOG", "HARBOUR_READY_MAX_WAIT_SECONDS"])
def test_readyz_is_not_ready_when_the_queue_falls_behind(client, home, settings, setting):
    petition = make_petition(home)
    with override_settings(TASKS=settings.DATABASE_TASKS):
        client.post(petition.url, INDIVIDUAL)
    old = timezone.now() - datetime.timedelta(minutes=10)
    DBTaskResult.objects.update(enqueued_at=old)
    setattr(settings, setting, 0)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["tasks"] is False


def test_readyz_is_not_ready_without_its_database(client):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("gone")):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["database"] is False


def test_tasks_status_prints_the_backlog_and_recent_failures(client, home):
    petition = make_petition(home)
    with override_settings(TASKS=settings.DATABASE_TASKS):
        client.post(petition.url, INDIVIDUAL)
        client.post(petition.url, {**INDIVIDUAL, "individual-email": "b@example.org"})
    first = DBTaskResult.objects.order_by("enqueued_at").first()
    DBTaskResult.objects.filter(pk=first.pk).update(
        status="FAILED",
        finished_at=timezone.now(),
        exception_class_path="harbour.core.failures.TaskFailure",
    )
    out = io.StringIO()
    call_command("tasks_status", stdout=out)
    text = out.getvalue()
    assert "Waiting: 1 (oldest " in text and "running: 0 (oldest none)" in text
    assert "Failed in the last 24 h: 1." in text
    assert (
        "harbour.signons.tasks.send_signature_confirmation  harbour.core.failures.TaskFailure"
        in text
    )
    assert "@" not in text
