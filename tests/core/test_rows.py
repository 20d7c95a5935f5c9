"""core.rows.row_insert: the row `save()` would have written, with its SQL built once."""

import uuid

import pytest
from django.db import IntegrityError, transaction
from django.db.models.signals import post_save, pre_save
from django_tasks_db.models import DBTaskResult, get_date_max

from harbour.core.models import AuditEntry
from harbour.core.rows import row_insert
from harbour.people.models import Person

pytestmark = pytest.mark.django_db


def _columns(instance):
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_a_new_row_reads_back_as_save_would_have_written_it():
    entry = AuditEntry(actor_label="moderator", action="test.row", target_type="t", target_id="1")
    assert row_insert(entry) is True

    assert entry.pk is not None
    assert entry._state.adding is False
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert _columns(stored) == _columns(entry)
    assert stored.details == {}  # the field's default
    assert stored.created_at is not None  # auto_now_add

    saved = AuditEntry(actor_label="moderator", action="test.row", target_type="t", target_id="2")
    saved.save()
    by_save = _columns(AuditEntry.objects.get(pk=saved.pk))
    by_row_insert = _columns(stored)
    for differs in ("id", "target_id", "created_at"):
        del by_save[differs], by_row_insert[differs]
    assert by_row_insert == by_save


def test_each_insert_is_its_own_row():
    first = AuditEntry(actor_label="a", action="test.row", target_type="t", target_id="1")
    second = AuditEntry(actor_label="b", action="test.row", target_type="t", target_id="1")
    row_insert(first)
    row_insert(second)
    assert first.pk != second.pk
    assert list(
        AuditEntry.objects.filter(action="test.row").order_by("pk").values_list("actor_label")
    ) == [("a",), ("b",)]


def test_a_conflict_on_the_named_column_inserts_nothing_and_changes_nothing():
    Person.objects.create(email="kept@example.org", given_name="Kept")
    again = Person(email="kept@example.org", given_name="Intruder")

    assert row_insert(again, unless_conflict_on="email") is False

    assert again.pk is None
    assert again._state.adding is True
    assert list(Person.objects.values_list("email", "given_name")) == [("kept@example.org", "Kept")]


def test_without_the_conflict_clause_a_duplicate_is_an_error():
    Person.objects.create(email="once@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        row_insert(Person(email="once@example.org"))
    assert Person.objects.count() == 1


def test_a_primary_key_given_by_the_caller_is_kept():
    """The task rows' UUIDs are made in Python, as upstream's create() makes them."""
    given = uuid.uuid4()
    row = DBTaskResult(
        id=given,
        args_kwargs={"args": [1], "kwargs": {}},
        task_path="harbour.benchviews.tasks.bench_noop",
        backend_name="default",
        run_after=get_date_max(),
    )
    assert row_insert(row) is True
    assert row.pk == given
    stored = DBTaskResult.objects.get(pk=given)
    assert stored.status == "READY"
    assert stored.args_kwargs == {"args": [1], "kwargs": {}}
    assert stored.worker_ids == []


def test_the_save_signals_fire_as_for_save():
    seen = []

    def before(sender, instance, **kwargs):
        seen.append(("pre", instance.pk, kwargs["raw"]))

    def after(sender, instance, created, **kwargs):
        seen.append(("post", instance.pk, created))

    pre_save.connect(before, sender=AuditEntry)
    post_save.connect(after, sender=AuditEntry)
    try:
        entry = AuditEntry(actor_label="a", action="test.row", target_type="t", target_id="1")
        row_insert(entry)
    finally:
        pre_save.disconnect(before, sender=AuditEntry)
        post_save.disconnect(after, sender=AuditEntry)
    assert seen == [("pre", None, False), ("post", entry.pk, True)]
