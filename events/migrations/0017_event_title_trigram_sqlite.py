"""On SQLite: an FTS5 trigram index of the events' titles, so the search page's "title
contains" for a query of three characters or more is answered from an index, not by reading
every event (0007 gives PostgreSQL its pg_trgm indexes). An external-content table: it holds
only the index, the titles stay in `events_exchangeevent`; triggers keep it in step with
every insert, update and delete, whatever wrote them (the ORM, `bulk_create`, raw SQL).
Nothing changes on PostgreSQL.

A later migration that renames or adds a title column drops and recreates this table and
its triggers (`TITLE_COLUMNS` here).
"""

from django.db import migrations

TABLE = "events_title_trigram"
TITLE_COLUMNS = ("title_en", "title_zh_hans", "title_ja", "title_ko")


def _values(prefix: str) -> str:
    return ", ".join(f"{prefix}.{column}" for column in TITLE_COLUMNS)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    columns = ", ".join(TITLE_COLUMNS)
    insert = f"INSERT INTO {TABLE}(rowid, {columns}) VALUES (new.id, {_values('new')});"
    delete = (
        f"INSERT INTO {TABLE}({TABLE}, rowid, {columns}) VALUES ('delete', old.id, {_values('old')});"
    )
    for statement in (
        f"CREATE VIRTUAL TABLE {TABLE} USING fts5({columns}, "
        "content='events_exchangeevent', content_rowid='id', tokenize='trigram')",
        f"CREATE TRIGGER {TABLE}_ai AFTER INSERT ON events_exchangeevent BEGIN {insert} END",
        f"CREATE TRIGGER {TABLE}_ad AFTER DELETE ON events_exchangeevent BEGIN {delete} END",
        f"CREATE TRIGGER {TABLE}_au AFTER UPDATE OF {columns} ON events_exchangeevent "
        f"BEGIN {delete} {insert} END",
        f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')",
    ):
        schema_editor.execute(statement)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for trigger in ("ai", "ad", "au"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_{trigger}")
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0016_good_practice_slug_unique"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
