"""On PostgreSQL: trigram indexes on the events' titles, so the search page's
"title contains" (`UPPER(title) LIKE UPPER('%…%')`) is answered from an index,
not by reading every event. pg_trgm is a trusted extension: the database's
owner may create it. Nothing changes on SQLite (a scan there stays in-process).
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

TITLE_COLUMNS = ("title_en", "title_zh_hans", "title_ja", "title_ko")


def _index_name(column: str) -> str:
    return f"event_{column}_trgm_idx"


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in TITLE_COLUMNS:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{_index_name(column)}" ON "events_exchangeevent" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in TITLE_COLUMNS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{_index_name(column)}"')


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0006_indexes"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
