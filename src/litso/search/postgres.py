"""Search on PostgreSQL: table search_message with a GIN index (migrations/0001_initial.py).

A GIN index answers "which rows match" as an unordered bitmap, so "the newest N matches"
means fetching every match first: fine for a rare word, 0.5-2 s for one in a third of a
million messages. So the query has two parts, run in order until N rows are found:
1. the newest RECENT messages, walked newest first through the primary key and tested one by
   one (``ts_match_vq`` is the ``@@`` operator in a form the planner cannot use the index for);
   a common word fills N here after a few thousand rows;
2. the older messages through the GIN index: only reached by words too rare to fill N in
   part 1, and for those the index is cheap.
Which words are common is measured, not guessed: the newest SAMPLE messages are tested first,
and when too few of them match for part 1 to find N, the index answers alone. The scope is
tested per row in the walk (a subquery kept as such by OFFSET 0) and joined in the index
query. JIT compilation, which the planner would switch on for these cost estimates and which
costs more than the statements themselves, is off.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction

from litso.search.query import Query, Term
from litso.search.scope import SMALL, Scope

RECENT = 50_000
SAMPLE = 2_000

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


def candidates(scope: Scope, query: Query, window: int) -> list[Row]:
    """(message id, ticket id) of the newest ``window`` matching messages in scope, newest
    first."""
    text_sql, text_params = tsquery_sql(query)
    tsquery = f"to_tsquery('pg_catalog.simple', {text_sql})"
    public = " AND s.public" if scope.public_only else ""
    ids_sql, ids_params = scope.ids_sql()
    per_row, per_row_params = "", ()
    if not scope.everything:
        exists_sql, per_row_params = scope.contains_sql("s.ticket_id", " OFFSET 0")
        per_row = f" AND {exists_sql}"
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        # Parallel workers would start the index part before the walk has had its chance (and
        # only compete for two cores); JIT costs more than these statements.
        cursor.execute(
            "SELECT set_config('jit', 'off', true), "
            "set_config('max_parallel_workers_per_gather', '0', true)"
        )
        # How big the scope is, where the index ends, and how many of the newest SAMPLE
        # messages match: the density that decides between walking and the GIN index.
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM ({ids_sql} LIMIT {SMALL + 1}) AS scope), last.id, "
            "(SELECT COUNT(*) FROM search_message s WHERE s.message_id > last.id - %s "
            f"AND ts_match_vq(s.document, {tsquery}){public}{per_row}) "
            "FROM (SELECT COALESCE(MAX(message_id), 0) AS id FROM search_message) AS last",
            [*ids_params, SAMPLE, *text_params, *per_row_params],
        )
        count, last, sampled = cursor.fetchone()
        select = "SELECT s.message_id, s.ticket_id FROM search_message s WHERE"
        order = "ORDER BY s.message_id DESC LIMIT %s"
        params: list[Any]
        if count <= SMALL:
            # The scope's own messages, through the ticket_id index.
            sql = (
                f"{select} s.ticket_id IN ({ids_sql}) "
                f"AND ts_match_vq(s.document, {tsquery}){public} {order}"
            )
            params = [*ids_params, *text_params, window]
        elif sampled * (RECENT / SAMPLE) >= window:
            # Dense: walk the newest RECENT messages; the index for the rest only if needed.
            edge = last - RECENT
            recent = (
                f"({select} s.message_id > %s "
                f"AND ts_match_vq(s.document, {tsquery}){public}{per_row} {order})"
            )
            older = (
                f"({select} s.message_id <= %s "
                f"AND s.document @@ {tsquery}{public}{per_row} {order})"
            )
            sql = f"{recent} UNION ALL {older} LIMIT %s"
            branch = [edge, *text_params, *per_row_params, window]
            params = [*branch, *branch, window]
        else:
            # Sparse: every match from the index, then the newest; the scope as a join.
            pullable = ""
            if not scope.everything:
                pullable = " AND " + scope.contains_sql("s.ticket_id")[0]
            sql = f"{select} s.document @@ {tsquery}{public}{pullable} {order}"
            params = [*text_params, *per_row_params, window]
        cursor.execute(sql, params)
        return [(int(m), int(t)) for m, t in cursor.fetchall()]
