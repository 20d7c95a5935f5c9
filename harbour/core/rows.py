"""One INSERT for a new model row, with its SQL built once per model, table and database.

`Model.save()` compiles its INSERT on every call; on the hottest write paths (a petition
signature, the task row queued with it) that compilation cost more than the database's
own work. `row_insert` does what `save()` does for a new row: the fields' `pre_save`
(`auto_now_add`, defaults) and database preparation, the `pre_save`/`post_save` signals,
and the primary key read back, but with a statement string cached per model and column
list. PostgreSQL and SQLite 3.35+ both take `ON CONFLICT ... DO NOTHING RETURNING`."""

from functools import cache
from typing import cast

from django.db import connections, router
from django.db.models import Field, Model
from django.db.models.signals import post_save, pre_save


def row_insert(instance: Model, *, unless_conflict_on: str = "") -> bool:
    """INSERT `instance` as a new row and mark it saved; True if it was inserted.

    With `unless_conflict_on` (a unique column), a row already holding that value (or
    being inserted by another transaction that then commits: PostgreSQL waits for it)
    makes the INSERT do nothing and the call answer False, without an error and without
    the savepoint a caught IntegrityError needs."""
    model = type(instance)
    alias = router.db_for_write(model, instance=instance)
    connection = connections[alias]
    meta = model._meta
    pre_save.send(sender=model, instance=instance, raw=False, using=alias, update_fields=None)
    pk_field = meta.pk
    assert pk_field is not None
    read_pk = pk_field.attname if instance.pk is None else ""
    fields = [f for f in meta.local_concrete_fields if f.attname != read_pk]
    values = [
        f.get_db_prep_save(f.pre_save(instance, add=True), connection=connection) for f in fields
    ]
    conflict = cast(Field, meta.get_field(unless_conflict_on)).column if unless_conflict_on else ""
    returning = pk_field.column if read_pk or conflict else ""
    sql = _insert_sql(meta.db_table, alias, tuple(f.column for f in fields), conflict, returning)
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone() if returning else None
    if returning and row is None:
        return False
    if read_pk and row is not None:
        setattr(instance, read_pk, pk_field.to_python(row[0]))
    instance._state.adding = False
    instance._state.db = alias
    post_save.send(
        sender=model, instance=instance, created=True, update_fields=None, raw=False, using=alias
    )
    return True


@cache
def _insert_sql(
    table: str, alias: str, columns: tuple[str, ...], conflict: str, returning: str
) -> str:
    quote = connections[alias].ops.quote_name
    # Only the model's own table and column names are formatted in; values are parameters.
    sql = (
        f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    if conflict:
        sql += f" ON CONFLICT ({quote(conflict)}) DO NOTHING"
    if returning:
        sql += f" RETURNING {quote(returning)}"
    return sql
