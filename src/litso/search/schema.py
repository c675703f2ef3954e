"""Keeping the index's triggers in place after other apps' migrations.

On SQLite, Django changes most columns by rebuilding the table (create a copy, copy the rows,
drop the old table, rename): the search triggers on tickets_message go with the old table,
and from then on new messages would silently stay out of the index. So after every
``migrate`` (and ``flush``) ``repair`` puts back missing triggers, and re-indexes when the
index and the messages no longer have the same rows (a flush on PostgreSQL truncates
tickets_message without firing row triggers). It does nothing until this app's own migration
has created the index.

The trigger SQL is the migrations': importing from a migration is safe, a migration never
changes once written. A trigger whose SQL is not the latest migration's (0001's, put back by
a test or a reverse migration) is replaced too.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.db import connections, transaction

_initial: Any = importlib.import_module("litso.search.migrations.0001_initial")
_vocabulary: Any = importlib.import_module("litso.search.migrations.0002_vocabulary")

SQLITE_TRIGGERS = {
    "search_message_insert": _vocabulary.SQLITE_INSERT_TRIGGER,
    "search_message_delete": _initial.SQLITE_CREATE[2],
    "search_message_update": _vocabulary.SQLITE_UPDATE_TRIGGER,
}
# Before 0002 (no search_term table yet): the triggers without the vocabulary.
SQLITE_TRIGGERS_0001 = {
    "search_message_insert": _initial.SQLITE_CREATE[1],
    "search_message_delete": _initial.SQLITE_CREATE[2],
    "search_message_update": _initial.SQLITE_CREATE[3],
}


def repair(using: str = "default") -> list[str]:
    """Restore what the index needs; returns what was done (empty when all was well)."""
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            return _repair_sqlite(cursor)
        if connection.vendor == "postgresql":
            return _repair_postgresql(cursor)
    return []


def _repair_sqlite(cursor: Any) -> list[str]:
    cursor.execute(
        "SELECT name, sql FROM sqlite_master WHERE (name LIKE 'search_message%' "
        "AND type IN ('table', 'trigger')) OR name IN ('search_term', 'search_term_pending')"
    )
    present = dict(cursor.fetchall())
    if "search_message_fts" not in present:
        return []
    vocabulary = "search_term" in present and "search_term_pending" in present
    done = []
    for name, sql in (SQLITE_TRIGGERS if vocabulary else SQLITE_TRIGGERS_0001).items():
        if name not in present:
            cursor.execute(sql)
            done.append(f"created trigger {name}")
        elif present[name] != sql:
            cursor.execute(f"DROP TRIGGER {name}")
            cursor.execute(sql)
            done.append(f"replaced trigger {name}")
    cursor.execute("SELECT COUNT(*) FROM search_message_fts_docsize")
    (indexed,) = cursor.fetchone()
    cursor.execute("SELECT COUNT(*) FROM tickets_message")
    (messages,) = cursor.fetchone()
    if indexed != messages:
        # A contentless index cannot tell which rows are stale: index everything again.
        cursor.execute("INSERT INTO search_message_fts (search_message_fts) VALUES ('delete-all')")
        _initial._backfill(cursor, _initial.SQLITE_BACKFILL)
        if vocabulary:
            from litso.search.vocabulary import rebuild

            rebuild(cursor)
        done.append(f"re-indexed {messages} messages (the index had {indexed})")
    return done


def _repair_postgresql(cursor: Any) -> list[str]:
    cursor.execute("SELECT to_regclass('search_message') IS NOT NULL")
    if not cursor.fetchone()[0]:
        return []
    done = []
    cursor.execute(
        "SELECT COUNT(*) FROM pg_trigger WHERE tgname = 'search_message_sync' "
        "AND tgrelid = 'tickets_message'::regclass"
    )
    if not cursor.fetchone()[0]:
        cursor.execute(_initial.PG_CREATE[-1])
        done.append("created trigger search_message_sync")
    cursor.execute(
        "SELECT (SELECT COUNT(*) FROM search_message), (SELECT COUNT(*) FROM tickets_message)"
    )
    indexed, messages = cursor.fetchone()
    if indexed == messages:
        return done
    cursor.execute(
        "DELETE FROM search_message s WHERE NOT EXISTS "
        "(SELECT 1 FROM tickets_message m WHERE m.id = s.message_id)"
    )
    if cursor.rowcount:
        done.append(f"removed {cursor.rowcount} stale rows")
    cursor.execute(
        "INSERT INTO search_message (message_id, ticket_id, public, document) "
        "SELECT m.id, m.ticket_id, m.kind IN ('inbound', 'outbound'), "
        "search_document(m.subject, m.body_text) FROM tickets_message m "
        "WHERE NOT EXISTS (SELECT 1 FROM search_message s WHERE s.message_id = m.id)"
    )
    if cursor.rowcount:
        done.append(f"indexed {cursor.rowcount} missing messages")
    return done
