"""SQLite: the index's vocabulary, search_term (see search/vocabulary.py for why), and the
messages whose words it does not have yet, search_term_pending. PostgreSQL: nothing (its GIN
index answers prefixes itself).

The insert and update triggers of 0001 are replaced by ones that also list the message as
pending; the scheduler adds pending messages' words (vocabulary.absorb), and a search reads
the few still pending itself. The existing vocabulary is read once from FTS5 itself
(fts5vocab), so it is exactly the index's words. The delete trigger is unchanged: words are
never removed.

The SQL is spelled out here and not imported: a migration must keep doing what it did when
it was written.
"""

from django.db import migrations

BODY_CHARS = 100_000


def _fold(column):
    return f"replace(replace(replace(replace({column}, 'ł', 'l'), 'Ł', 'L'), 'ё', 'е'), 'Ё', 'Е')"


def _values(row):
    return f"{_fold(f'{row}.subject')}, {_fold(f'substr({row}.body_text, 1, {BODY_CHARS})')}"


def _add_terms(row):
    return f"INSERT OR IGNORE INTO search_term_pending (message_id) VALUES ({row}.id);"


SQLITE_INSERT_TRIGGER = f"""CREATE TRIGGER search_message_insert AFTER INSERT ON tickets_message BEGIN
        INSERT INTO search_message_fts (rowid, subject, body) VALUES (new.id, {_values("new")});
        {_add_terms("new")}
    END"""
SQLITE_UPDATE_TRIGGER = f"""CREATE TRIGGER search_message_update AFTER UPDATE OF subject, body_text ON tickets_message
    WHEN new.subject IS NOT old.subject OR new.body_text IS NOT old.body_text BEGIN
        INSERT INTO search_message_fts (search_message_fts, rowid, subject, body)
        VALUES ('delete', old.id, {_values("old")});
        INSERT INTO search_message_fts (rowid, subject, body) VALUES (new.id, {_values("new")});
        {_add_terms("new")}
    END"""
SQLITE_CREATE = [
    "CREATE TABLE search_term (term TEXT PRIMARY KEY) WITHOUT ROWID",
    "CREATE TABLE search_term_pending (message_id INTEGER PRIMARY KEY)",
    "DROP TRIGGER IF EXISTS search_message_insert",
    "DROP TRIGGER IF EXISTS search_message_update",
    SQLITE_INSERT_TRIGGER,
    SQLITE_UPDATE_TRIGGER,
]
# The words already indexed, as FTS5 itself split them.
SQLITE_BACKFILL = [
    "CREATE VIRTUAL TABLE temp.search_vocabulary_scan "
    "USING fts5vocab(main, search_message_fts, 'row')",
    "INSERT OR IGNORE INTO search_term (term) SELECT term FROM temp.search_vocabulary_scan",
    "DROP TABLE temp.search_vocabulary_scan",
]

# Back to 0001's triggers.
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_message_insert",
    "DROP TRIGGER IF EXISTS search_message_update",
    f"""CREATE TRIGGER search_message_insert AFTER INSERT ON tickets_message BEGIN
        INSERT INTO search_message_fts (rowid, subject, body) VALUES (new.id, {_values("new")});
    END""",
    f"""CREATE TRIGGER search_message_update AFTER UPDATE OF subject, body_text ON tickets_message
    WHEN new.subject IS NOT old.subject OR new.body_text IS NOT old.body_text BEGIN
        INSERT INTO search_message_fts (search_message_fts, rowid, subject, body)
        VALUES ('delete', old.id, {_values("old")});
        INSERT INTO search_message_fts (rowid, subject, body) VALUES (new.id, {_values("new")});
    END""",
    "DROP TABLE IF EXISTS search_term",
    "DROP TABLE IF EXISTS search_term_pending",
]


def create_vocabulary(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        for sql in SQLITE_CREATE + SQLITE_BACKFILL:
            cursor.execute(sql)


def drop_vocabulary(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        for sql in SQLITE_DROP:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(create_vocabulary, drop_vocabulary, elidable=False)]
