"""Search on SQLite: FTS5 (table search_message_fts, see migrations/0001_initial.py).

FTS5 walks a term's matches in rowid (message id) order and can walk them newest first, so
"the newest N matching messages the user may see" costs about N/visible-share row lookups
however common the words are: ``ORDER BY rowid DESC LIMIT N`` with the scope tested per row.
A shortened word is asked for as the indexed words it starts, ORed ("zamowienia" OR
"zamowienie"), which FTS5 walks the same way; as a prefix ("zamowieni"*) it would first merge
the full match lists of all those words (vocabulary.py).

No bm25(): its document frequencies come from a second pass over every match of every term,
which on a million messages doubled the time of a common word (40-100 ms); the engine ranks
by cheaper signals (engine.py).
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from litso.search import vocabulary
from litso.search.query import Query, Term
from litso.search.scope import Scope

PUBLIC = "('inbound', 'outbound')"
# Scopes of at most this many tickets are searched through their own messages.
SMALL = 500

# (message id, ticket id, ticket number, subject, status)
Row = tuple[int, int, int, str, str]


def match_expression(query: Query, expansions: dict[str, list[str]] | None = None) -> str:
    """The FTS5 query: every term quoted, so nothing typed is FTS5 syntax; terms ANDed. A
    prefix term with ``expansions`` is the OR of those words instead (FTS5 wants an explicit
    AND next to a bracket)."""
    return " AND ".join(_term(term, expansions or {}) for term in query.terms)


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _term(term: Term, expansions: dict[str, list[str]]) -> str:
    if not term.prefix:
        return _quote(" ".join(term.words))
    words = expansions.get(term.words[-1])
    if words is None:
        return _quote(term.words[-1]) + "*"
    return "(" + " OR ".join(_quote(word) for word in words) + ")"


def expansions_of(cursor: Any, query: Query) -> dict[str, list[str]]:
    return vocabulary.expand(cursor, [term.words[-1] for term in query.terms if term.prefix])


def candidates(scope: Scope, query: Query, window: int) -> tuple[list[Row], bool]:
    """The newest ``window`` matching messages in scope, newest first, with their tickets'
    number, subject and status; and whether those are all of them."""
    ids_sql, ids_params = scope.ids_sql()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({ids_sql} LIMIT {SMALL + 1})", ids_params)
        (count,) = cursor.fetchone()
        expansions = expansions_of(cursor, query)
    conditions: list[str] = []
    params: list[Any] = [match_expression(query, expansions)]
    if count <= SMALL:
        # The scope's messages, listed once; "+" keeps SQLite from handing the IN list to
        # FTS5 as rowid lookups (one index probe per message, far slower than a walk).
        public = f" AND own.kind IN {PUBLIC}" if scope.public_only else ""
        conditions.append(
            "+search_message_fts.rowid IN (SELECT own.id FROM tickets_message own "
            f"WHERE own.ticket_id IN ({ids_sql}){public})"
        )
        params.extend(ids_params)
    else:
        if scope.public_only:
            conditions.append(f"m.kind IN {PUBLIC}")
        if not scope.everything:
            exists_sql, exists_params = scope.contains_sql("m.ticket_id", " LIMIT 1")
            conditions.append(exists_sql)
            params.extend(exists_params)
    where = "".join(f" AND {c}" for c in conditions)
    sql = (
        "SELECT m.id, m.ticket_id, t.number, t.subject, t.status "
        # The narrow (id, ticket, kind) index, not the message rows (tickets.Message's Meta).
        "FROM search_message_fts CROSS JOIN tickets_message m INDEXED BY message_id_ticket "
        "ON m.id = search_message_fts.rowid "
        "CROSS JOIN tickets_ticket t ON t.id = m.ticket_id "
        f"WHERE search_message_fts MATCH %s{where} "
        "ORDER BY search_message_fts.rowid DESC LIMIT %s"
    )
    params.append(window)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [(int(m), int(t), int(n), subject, status) for m, t, n, subject, status in cursor]
    return rows, len(rows) < window
