"""Tasks survive their workers and their dependencies (core.taskrecovery): a temporary
failure is retried with back-off and delivered once; a permanent one is not retried and
waits for an administrator's "run again"; a task whose worker died is put back and run."""

import datetime
import random
import signal
import socket

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from harbour.core.models import AuditEntry, TaskWorker
from harbour.core.roles import ADMINISTRATORS, EDITORS
from harbour.core.taskrecovery import retry_delay, tasks_recover
from tests.admin_helpers import assert_denied
from tests.signons.factories import make_petition
from tests.signons.test_confirmation_mail import ADDRESS, TASK, _sign, _task, _work
from tests.smtp_sink import use_sink
from tests.worker_process import wait_for, worker_start


def _due_now() -> None:
    """Time passes: the retry's back-off is over."""
    DBTaskResult.objects.filter(task_path=TASK, status="READY").update(run_after=timezone.now())


def test_the_back_off_doubles_with_each_attempt_is_jittered_and_capped(settings):
    settings.HARBOUR_TASK_RETRY_BASE_SECONDS = 10
    settings.HARBOUR_TASK_RETRY_MAX_SECONDS = 300
    rng = random.Random(1)
    for attempt, ceiling in [(1, 10), (2, 20), (3, 40), (5, 160), (6, 300), (12, 300)]:
        waits = [retry_delay(attempt, rng=rng).total_seconds() for _ in range(50)]
        assert all(ceiling / 2 <= wait <= ceiling for wait in waits)
        assert len(set(waits)) > 40  # jittered: a thousand failures do not return together


@pytest.mark.django_db(transaction=True)
def test_a_refusal_for_now_is_retried_later_by_itself_and_delivered_once(home, sink, settings):
    handler, port = sink
    use_sink(settings, port)
    handler.refuse.add(ADDRESS)
    petition = make_petition(home)
    with override_settings(TASKS=settings.DATABASE_TASKS):
        _sign(petition)
        _work()
        task = _task()
        assert task.status == "READY"  # back in the queue, not failed
        assert task.run_after > timezone.now() + datetime.timedelta(seconds=5)
        _work()  # not due yet: nothing happens
        assert handler.to(ADDRESS) == []
        _due_now()
        _work()  # still refused: a second retry, later again
        second = _task()
        assert second.status == "READY" and len(second.worker_ids) == 2
        handler.refuse.clear()
        _due_now()
        _work()
        _work()
    assert _task().status == "SUCCESSFUL"
    assert len(handler.to(ADDRESS)) == 1


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_that_is_down_is_retried_and_the_mail_goes_once_when_it_is_back(
    home, sink, settings
):
    handler, port = sink
    with socket.socket() as closed:  # a port with nobody listening
        closed.bind(("127.0.0.1", 0))
        use_sink(settings, closed.getsockname()[1])
    petition = make_petition(home)
    with override_settings(TASKS=settings.DATABASE_TASKS):
        _sign(petition)
        _work()
        assert _task().status == "READY"
        use_sink(settings, port)
        _due_now()
        _work()
    assert _task().status == "SUCCESSFUL"
    assert len(handler.to(ADDRESS)) == 1


@pytest.mark.django_db(transaction=True)
def test_temporary_failures_stop_after_the_last_attempt(home, sink, settings):
    handler, port = sink
    use_sink(settings, port)
    settings.HARBOUR_TASK_MAX_ATTEMPTS = 3
    handler.refuse.add(ADDRESS)
    petition = make_petition(home)
    with override_settings(TASKS=settings.DATABASE_TASKS):
        _sign(petition)
        for _ in range(4):
            _due_now()
            _work()
    task = _task()
    assert task.status == "FAILED" and len(task.worker_ids) == 3


@pytest.mark.django_db(transaction=True)
def test_a_permanent_refusal_is_not_retried_and_an_administrator_can_run_it_again(
    home, sink, settings, client, django_user_model
):
    handler, port = sink
    use_sink(settings, port)
    handler.refuse_for_good.add(ADDRESS)
    petition = make_petition(home)
    with override_settings(TASKS=settings.DATABASE_TASKS):
        _sign(petition)
        _work()
        assert _task().status == "FAILED"
        assert tasks_recover().retried == 0  # the timer does not retry it either
        assert _task().status == "FAILED"

        admin = django_user_model.objects.create_user("root", password="x")
        admin.groups.add(Group.objects.get(name=ADMINISTRATORS))
        client.force_login(admin)
        page = client.get("/admin/tasks/")
        assert page.status_code == 200
        body = page.content.decode()
        assert "send_signature_confirmation" in body
        assert "SMTPRecipientsRefused" in body
        assert ADDRESS not in body  # what failed, never for whom
        task = _task()
        handler.refuse_for_good.clear()  # the address was mended
        response = client.post(f"/admin/tasks/{task.pk}/retry/")
        assert response.status_code == 302
        assert _task().status == "READY"
        _work()
    assert _task().status == "SUCCESSFUL"
    assert len(handler.to(ADDRESS)) == 1
    entry = AuditEntry.objects.get(action="task.retry")
    assert entry.actor == admin and entry.target_id == str(task.pk)


@pytest.mark.django_db
def test_only_administrators_see_and_retry_tasks(client, django_user_model):
    editor = django_user_model.objects.create_user("ed", password="x")
    editor.groups.add(Group.objects.get(name=EDITORS))
    client.force_login(editor)
    assert_denied(client.get("/admin/tasks/"))
    assert_denied(client.post("/admin/tasks/00000000-0000-0000-0000-000000000000/retry/"))
    assert "/admin/tasks/" not in client.get("/admin/reports/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_task_whose_worker_died_is_put_back_and_sends_once(home, sink, settings):
    handler, port = sink
    use_sink(settings, port)
    petition = make_petition(home)
    with override_settings(TASKS=settings.DATABASE_TASKS):
        _sign(petition)
        now = timezone.now()
        # Claimed by a worker whose heartbeat is still fresh: a slow task, left alone.
        TaskWorker.objects.create(worker_id="alive", host="h", pid=1, seen_at=now)
        DBTaskResult.objects.filter(task_path=TASK).update(
            status="RUNNING", started_at=now - datetime.timedelta(hours=1), worker_ids=["alive"]
        )
        assert tasks_recover().requeued == 0
        # Its heartbeat stopped: put back at once, without waiting for the lease.
        TaskWorker.objects.filter(pk="alive").update(seen_at=now - datetime.timedelta(minutes=5))
        DBTaskResult.objects.filter(task_path=TASK).update(started_at=now)
        assert tasks_recover().requeued == 1
        assert _task().status == "READY"
        _due_now()
        _work()
    assert _task().status == "SUCCESSFUL"
    assert len(handler.to(ADDRESS)) == 1


@pytest.mark.django_db
def test_a_worker_without_heartbeat_loses_its_task_only_after_the_lease(home, settings):
    settings.HARBOUR_TASK_LEASE_SECONDS = 300
    petition = make_petition(home)
    with override_settings(TASKS=settings.DATABASE_TASKS):
        _sign(petition)
    now = timezone.now()
    running = DBTaskResult.objects.filter(task_path=TASK)
    running.update(
        status="RUNNING", started_at=now - datetime.timedelta(seconds=60), worker_ids=["w"]
    )
    assert tasks_recover().requeued == 0
    running.update(started_at=now - datetime.timedelta(seconds=400))
    assert tasks_recover().requeued == 1


@pytest.mark.django_db
def test_a_task_that_keeps_killing_its_worker_is_given_up(home, settings):
    settings.HARBOUR_TASK_MAX_ATTEMPTS = 3
    petition = make_petition(home)
    with override_settings(TASKS=settings.DATABASE_TASKS):
        _sign(petition)
    DBTaskResult.objects.filter(task_path=TASK).update(
        status="RUNNING",
        started_at=timezone.now() - datetime.timedelta(hours=1),
        worker_ids=["a", "b", "c"],
    )
    assert tasks_recover().abandoned == 1
    assert _task().status == "FAILED"
    assert _task().exception_class_path == "harbour.core.taskrecovery.WorkerLost"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a second process needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_killed_mid_task_loses_nothing(home, sink, settings):
    handler, port = sink
    petition = make_petition(home)
    with override_settings(TASKS=settings.DATABASE_TASKS):
        _sign(petition)
    # The first worker's mail server accepts the connection and never greets: the worker
    # hangs inside the task until it is killed.
    silent = socket.socket()
    silent.bind(("127.0.0.1", _free_port()))
    silent.listen(8)
    first = worker_start(silent.getsockname()[1])
    try:
        assert wait_for(lambda: _task().status == "RUNNING"), first.stderr
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        first.kill()
        silent.close()
    assert _task().status == "RUNNING"  # what upstream leaves behind: running for ever
    second = worker_start(port)
    try:
        assert wait_for(lambda: _task().status == "SUCCESSFUL"), "the lost task never ran again"
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(10)
    task = _task()
    assert len(task.worker_ids) == 2  # the dead worker's claim, then the second one's
    assert len(handler.to(ADDRESS)) == 1
    assert not TaskWorker.objects.filter(worker_id=task.worker_ids[-1]).exists()  # left cleanly
