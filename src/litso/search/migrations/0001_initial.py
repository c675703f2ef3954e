"""The full-text index of messages, kept in sync by database triggers.

Every writer of tickets_message (actions, mail, the demo, bench/seed.py, `litso import`) is
covered without knowing about search: the triggers fire on any INSERT, UPDATE or DELETE.
Existing messages are indexed by this migration, in batches.

SQLite: a contentless FTS5 table (the text stays in tickets_message only), rowid = message id,
columns subject and body, tokenizer "unicode61 remove_diacritics 2". The triggers replace "ł"
and "ё", which that tokenizer keeps (see search/folding.py).

PostgreSQL: search_message(message_id, ticket_id, public, document tsvector) with a GIN index,
"simple" configuration (no stemming: PostgreSQL has no Polish dictionary, and the desk's
language is per message), text folded by search_fold(): lower(), unaccent() when the extension
can be installed (it is "trusted": a database owner may create it), else the Polish letters
and "ё" only; punctuation that the default parser would glue into e-mail, URL or file tokens
becomes a space. Only the first 100,000 characters of a body are indexed (tsvector's 1 MB cap).

The SQL is spelled out here and not imported: a migration must keep doing what it did when
it was written.
"""

from django.db import migrations, transaction

BATCH = 50_000
BODY_CHARS = 100_000

# --- SQLite -------------------------------------------------------------------------------

TOKENIZER = "unicode61 remove_diacritics 2"


def _sqlite_fold(column):
    return f"replace(replace(replace(replace({column}, 'ł', 'l'), 'Ł', 'L'), 'ё', 'е'), 'Ё', 'Е')"


def _sqlite_values(row):
    return f"{_sqlite_fold(f'{row}.subject')}, {_sqlite_fold(f'substr({row}.body_text, 1, {BODY_CHARS})')}"


SQLITE_CREATE = [
    f"CREATE VIRTUAL TABLE search_message_fts USING fts5("
    f"subject, body, content='', tokenize='{TOKENIZER}')",
    f"""CREATE TRIGGER search_message_insert AFTER INSERT ON tickets_message BEGIN
        INSERT INTO search_message_fts (rowid, subject, body) VALUES (new.id, {_sqlite_values("new")});
    END""",
    # A contentless table forgets a row only when told the exact text it indexed.
    f"""CREATE TRIGGER search_message_delete AFTER DELETE ON tickets_message BEGIN
        INSERT INTO search_message_fts (search_message_fts, rowid, subject, body)
        VALUES ('delete', old.id, {_sqlite_values("old")});
    END""",
    f"""CREATE TRIGGER search_message_update AFTER UPDATE OF subject, body_text ON tickets_message
    WHEN new.subject IS NOT old.subject OR new.body_text IS NOT old.body_text BEGIN
        INSERT INTO search_message_fts (search_message_fts, rowid, subject, body)
        VALUES ('delete', old.id, {_sqlite_values("old")});
        INSERT INTO search_message_fts (rowid, subject, body) VALUES (new.id, {_sqlite_values("new")});
    END""",
]
SQLITE_BACKFILL = (
    "INSERT INTO search_message_fts (rowid, subject, body) "
    f"SELECT m.id, {_sqlite_values('m')} FROM tickets_message m WHERE m.id > %s AND m.id <= %s"
)
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_message_insert",
    "DROP TRIGGER IF EXISTS search_message_delete",
    "DROP TRIGGER IF EXISTS search_message_update",
    "DROP TABLE IF EXISTS search_message_fts",
]

# --- PostgreSQL ---------------------------------------------------------------------------

# Characters the default parser would join into one e-mail, URL, path, signed-number or
# version token ("anna@shop.pl", "tk-1042", "v1.2"), or read as an HTML tag or entity and
# drop ("<Łódź>" after unaccent turned "«Łódź»" into "<<lodz>>"): spaces, so words split as
# FTS5 splits them.
PG_SEPARATORS = r"@./+-~<>&\\"


def _pg_fold_function(unaccent_schema):
    spaces = " " * (len(PG_SEPARATORS) - 1)  # the backslash is escaped: one character
    if unaccent_schema:
        folded = (
            f"{unaccent_schema}.unaccent('{unaccent_schema}.unaccent'::regdictionary, lower($1))"
        )
        return (
            "CREATE FUNCTION search_fold(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT "
            f"PARALLEL SAFE AS $$ SELECT translate({folded}, E'{PG_SEPARATORS}', '{spaces}') $$"
        )
    return (
        "CREATE FUNCTION search_fold(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT "
        "PARALLEL SAFE AS $$ SELECT translate(lower($1), "
        f"E'ąćęłńóśźżё{PG_SEPARATORS}', 'acelnoszzе{spaces}') $$"
    )


PG_CREATE = [
    f"""CREATE FUNCTION search_document(subject text, body text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT setweight(to_tsvector('pg_catalog.simple', search_fold(coalesce(subject, ''))), 'A')
            || to_tsvector('pg_catalog.simple', search_fold(left(coalesce(body, ''), {BODY_CHARS})))
    $$""",
    """CREATE TABLE search_message (
        message_id bigint PRIMARY KEY,
        ticket_id bigint NOT NULL,
        public boolean NOT NULL,
        document tsvector NOT NULL
    )""",
    """CREATE FUNCTION search_message_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM search_message WHERE message_id = OLD.id;
        ELSIF TG_OP = 'UPDATE' AND NEW.subject IS NOT DISTINCT FROM OLD.subject
                AND NEW.body_text IS NOT DISTINCT FROM OLD.body_text THEN
            -- A merge moves messages; delivery updates change nothing indexed.
            IF NEW.ticket_id <> OLD.ticket_id OR NEW.kind <> OLD.kind THEN
                UPDATE search_message
                SET ticket_id = NEW.ticket_id, public = NEW.kind IN ('inbound', 'outbound')
                WHERE message_id = NEW.id;
            END IF;
        ELSE
            INSERT INTO search_message (message_id, ticket_id, public, document)
            VALUES (NEW.id, NEW.ticket_id, NEW.kind IN ('inbound', 'outbound'),
                    search_document(NEW.subject, NEW.body_text))
            ON CONFLICT (message_id) DO UPDATE SET ticket_id = EXCLUDED.ticket_id,
                public = EXCLUDED.public, document = EXCLUDED.document;
        END IF;
        RETURN NULL;
    END
    $$""",
    # Before the back-fill: the trigger's lock keeps writers out until this migration commits,
    # so no message is written between the back-fill's snapshot and the trigger.
    """CREATE TRIGGER search_message_sync
    AFTER INSERT OR DELETE OR UPDATE OF subject, body_text, ticket_id, kind ON tickets_message
    FOR EACH ROW EXECUTE FUNCTION search_message_sync()""",
]
PG_BACKFILL = (
    "INSERT INTO search_message (message_id, ticket_id, public, document) "
    "SELECT id, ticket_id, kind IN ('inbound', 'outbound'), search_document(subject, body_text) "
    "FROM tickets_message WHERE id > %s AND id <= %s"
)
# After the back-fill: building a GIN index at once is many times faster than growing it.
PG_INDEX = [
    "CREATE INDEX search_message_document ON search_message USING gin (document)",
    "CREATE INDEX search_message_ticket ON search_message (ticket_id)",
    "ANALYZE search_message",
]
PG_DROP = [
    "DROP TRIGGER IF EXISTS search_message_sync ON tickets_message",
    "DROP FUNCTION IF EXISTS search_message_sync()",
    "DROP TABLE IF EXISTS search_message",
    "DROP FUNCTION IF EXISTS search_document(text, text)",
    "DROP FUNCTION IF EXISTS search_fold(text)",
]


def _unaccent_schema(cursor):
    """The schema unaccent lives in, installing it if we may; None when we may not."""
    try:
        with transaction.atomic():
            cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    except Exception:  # no privilege, or the contrib package is not installed
        return None
    cursor.execute(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'unaccent'"
    )
    row = cursor.fetchone()
    return row[0] if row else None


def _backfill(cursor, sql):
    cursor.execute("SELECT COALESCE(MAX(id), 0) FROM tickets_message")
    (last,) = cursor.fetchone()
    for start in range(0, last, BATCH):
        cursor.execute(sql, [start, start + BATCH])


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        if vendor == "sqlite":
            for sql in SQLITE_CREATE:
                cursor.execute(sql)
            _backfill(cursor, SQLITE_BACKFILL)
        elif vendor == "postgresql":
            cursor.execute(_pg_fold_function(_unaccent_schema(cursor)))
            for sql in PG_CREATE:
                cursor.execute(sql)
            _backfill(cursor, PG_BACKFILL)
            for sql in PG_INDEX:
                cursor.execute(sql)


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_DROP, "postgresql": PG_DROP}.get(vendor, [])
    with schema_editor.connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0003_drop_redundant_indexes")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
