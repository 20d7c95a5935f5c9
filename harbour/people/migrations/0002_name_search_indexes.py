"""Supporter search by part of a name stays fast with millions of supporters: trigram
indexes (pg_trgm) on the upper-cased names, which is what `icontains` compares on
PostgreSQL. SQLite (make run) has nothing to add. pg_trgm is a trusted extension: the
database's owner may create it."""

from django.db import migrations

INDEXES = {
    "people_person_given_name_trgm": "given_name",
    "people_person_family_name_trgm": "family_name",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON people_person "
            f"USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
