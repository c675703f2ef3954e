"""Search on PostgreSQL: table search_message with a GIN index (migrations/0001_initial.py).

A GIN index answers "which rows match" as an unordered bitmap, so "the newest N matches"
means fetching every match first: fine for a rare word, 0.5-2 s for one in a third of a
million messages. So the query has two parts, run in order until N rows are found:
1. the newest RECENT messages, walked newest first through the primary key and tested one by
   one (``ts_match_vq`` is the ``@@`` operator in a form the planner cannot use the index for);
   a common word fills N here after a few thousand rows;
2. the older messages through the GIN index: only reached by words too rare to fill N in
   part 1, and for those the index is cheap.
The scope is tested per row (a subquery kept as such by OFFSET 0); JIT compilation, which
the planner would switch on for these cost estimates and which costs more than the query
itself, is off for the statement.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction

from litso.search.query import Query, Term
from litso.search.scope import SMALL, Probe, Scope

RECENT = 50_000

Row = tuple[int, int]

# One word of a tsquery, folded like the index and quoted by hand: unaccent may turn a
# letter into an apostrophe, so the quoting has to come after the folding, in SQL.
_LEXEME = r"('''' || replace(replace(search_fold(%s), '\', '\\'), '''', '''''') || '''')"


def tsquery_sql(query: Query) -> tuple[str, list[str]]:
    """SQL building the tsquery text (terms ANDed) and its parameters, one per word."""
    parts, params = [], []
    for term in query.terms:
        part, words = _term(term)
        parts.append(part)
        params.extend(words)
    return f"concat_ws(' & ', {', '.join(parts)})", params


def _term(term: Term) -> tuple[str, list[str]]:
    if term.is_phrase:
        return "'(' || " + " || ' <1> ' || ".join([_LEXEME] * len(term.words)) + " || ')'", list(
            term.words
        )
    suffix = " || ':*'" if term.prefix else ""
    return _LEXEME + suffix, list(term.words)


def probe(scope: Scope) -> Probe:
    sql, params = scope.ids_sql()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM ({sql} LIMIT {SMALL + 1}) AS scope), "
            "(SELECT COALESCE(MAX(message_id), 0) FROM search_message)",
            params,
        )
        count, last = cursor.fetchone()
    return Probe(small=count <= SMALL, last_message=int(last))


def candidates(scope: Scope, query: Query, probe: Probe, window: int) -> list[Row]:
    """(message id, ticket id) of the newest ``window`` matching messages in scope, newest
    first."""
    text_sql, text_params = tsquery_sql(query)
    tsquery = f"to_tsquery('pg_catalog.simple', {text_sql})"
    public = " AND s.public" if scope.public_only else ""
    select = "SELECT s.message_id, s.ticket_id"
    params: list[Any]
    if probe.small:
        ids_sql, ids_params = scope.ids_sql()
        sql = (
            f"{select} FROM search_message s WHERE s.ticket_id IN ({ids_sql}) "
            f"AND ts_match_vq(s.document, {tsquery}){public} "
            "ORDER BY s.message_id DESC LIMIT %s"
        )
        params = [*ids_params, *text_params, window]
    else:
        inside, inside_params = "", ()
        if not scope.everything:
            exists_sql, inside_params = scope.contains_sql("s.ticket_id", " OFFSET 0")
            inside = f" AND {exists_sql}"
        edge = probe.last_message - RECENT
        recent = (
            f"({select} FROM search_message s WHERE s.message_id > %s "
            f"AND ts_match_vq(s.document, {tsquery}){public}{inside} "
            "ORDER BY s.message_id DESC LIMIT %s)"
        )
        older = (
            f"({select} FROM search_message s WHERE s.message_id <= %s "
            f"AND s.document @@ {tsquery}{public}{inside} "
            "ORDER BY s.message_id DESC LIMIT %s)"
        )
        sql = f"{recent} UNION ALL {older} LIMIT %s"
        branch = [edge, *text_params, *inside_params, window]
        params = [*branch, *branch, window]
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        return [(int(m), int(t)) for m, t in cursor.fetchall()]
