"""Search on PostgreSQL: table search_message with a GIN index (migrations/0001_initial.py).

A GIN index answers "which rows match" as an unordered bitmap, so "the newest N matches"
means fetching every match first: fine for a rare word, 0.5-2 s for a word in a third of a
million messages. So a search first tests the newest SAMPLE messages (one by one, newest
first through the primary key; ``ts_match_vq`` is the ``@@`` operator in a form the planner
cannot answer from the index), estimates from what matched there what each way costs, and:
- walks the newest messages the same way, at most RECENT of them, stopping at N matches (a
  common word fills N after a few thousand); the ranking then covers those newest matches
  only, and when the walk ends before N the result says it is not complete;
- or looks the words up in the GIN index, every match, and keeps the newest N.
The scope is tested per row (a subquery kept as such by OFFSET 0: as a join, the planner
hashed every visible ticket first, 300 ms). JIT compilation, which the planner would switch
on for these cost estimates and which costs more than the statements themselves, is off, and
so are parallel workers.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction

from litso.search.query import Query, Term
from litso.search.scope import Scope

# Messages tested to measure how common the words are, and walked at most.
SAMPLE = 1_000
RECENT = 10_000
# What fetching one match through the index costs, in rows walked (a random heap read and
# the scope test, against one more row read in order and tested): measured, roughly.
FETCH_COST = 5
# Scopes of at most this many tickets are searched through their own messages.
SMALL = 2_000

# (message id, ticket id, ticket number, subject, status)
Row = tuple[int, int, int, str, str]

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


def _walk_is_cheaper(last: int, matched: int, visible: int, window: int) -> bool:
    """Whether walking the newest messages costs less than fetching every match through the
    index, by what the newest SAMPLE messages showed (``last`` stands for the row count)."""
    sampled = min(SAMPLE, max(last, 1))
    # None of the sample's matches in scope: the walk goes its whole way (RECENT rows, or
    # the table when smaller). Choosing the index then, whatever it holds, fetched every
    # match of two common words for an agent of one department: 110,000 index hits
    # rechecked for 3,000 in scope, 1-3 s, where walking the newest 10,000 takes 4 ms.
    walked = min(RECENT, max(last, 1)) if not visible else min(RECENT, window * sampled / visible)
    fetched = FETCH_COST * last * matched / sampled
    return walked <= fetched


def candidates(scope: Scope, query: Query, window: int) -> tuple[list[Row], bool]:
    """The newest ``window`` matching messages in scope, newest first, with their tickets'
    number, subject and status; and whether those are all of them.

    Two statements, each a round trip: under load a round trip to the server waits for a
    core, so the settings, the scope size and the sample share one, the matches and their
    tickets the other."""
    text_sql, text_params = tsquery_sql(query)
    tsquery = f"to_tsquery('pg_catalog.simple', {text_sql})"
    # Tested row by row, the tsquery as an uncorrelated subquery: worked out once per
    # statement (an InitPlan). to_tsquery is only STABLE, so written inline PostgreSQL
    # parsed it again for every row walked: 17 -> 4 ms for a walk of 10,000 messages.
    once = f"(SELECT {tsquery})"
    public = " AND s.public" if scope.public_only else ""
    ids_sql, ids_params = scope.ids_sql()
    per_row, per_row_params = "", ()
    if not scope.everything:
        exists_sql, per_row_params = scope.contains_sql("s.ticket_id", " OFFSET 0")
        per_row = f" AND {exists_sql}"
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        # How big the scope is, where the index ends, and how many of the newest SAMPLE
        # messages match (and are in scope): the densities that decide how to search.
        # Settings for the next statement: workers do not pay for themselves on statements
        # this short (and take cores from the web processes); JIT compiling costs more than
        # running them. They are local to the transaction (inside a caller's transaction,
        # they last until it ends).
        # (The sample is the newest rows by LIMIT, not by an id range: a range bound computed
        # in the statement makes the planner guess a third of the table, and JIT for it.)
        # And the matches' statement planned for its own words every time, even once psycopg
        # has prepared it (settings.py): a generic plan cannot know how common the words are,
        # and picked walks and index scans that took seconds (two words at a million
        # messages: p95 0.7-3.9 s, against 0.2-1.1 s planned each time).
        cursor.execute(
            "SELECT set_config('jit', 'off', true), "
            "set_config('max_parallel_workers_per_gather', '0', true), "
            "set_config('plan_cache_mode', 'force_custom_plan', true), "
            f"(SELECT COUNT(*) FROM ({ids_sql} LIMIT {SMALL + 1}) AS scope), "
            "(SELECT COALESCE(MAX(message_id), 0) FROM search_message), "
            "COUNT(*) FILTER (WHERE matches), "
            f"COUNT(*) FILTER (WHERE matches{per_row}) FROM ("
            f"SELECT s.ticket_id, ts_match_vq(s.document, {once}) AS matches "
            f"FROM search_message s WHERE TRUE{public} ORDER BY s.message_id DESC LIMIT %s"
            ") AS s",
            [*ids_params, *per_row_params, *text_params, SAMPLE],
        )
        _, _, _, count, last, matched, visible = cursor.fetchone()
        select = "SELECT s.message_id, s.ticket_id FROM search_message s WHERE"
        order = "ORDER BY s.message_id DESC LIMIT %s"
        params: list[Any]
        complete = None
        if count <= SMALL:
            # The scope's own messages, through the ticket_id index.
            sql = (
                f"{select} s.ticket_id IN ({ids_sql}) "
                f"AND ts_match_vq(s.document, {once}){public} {order}"
            )
            params = [*ids_params, *text_params, window]
        elif _walk_is_cheaper(last, matched, visible, window):
            # Walk the newest RECENT messages at most. What they hold is what is ranked
            # (fewer than ``window`` when the words are not that common: not complete).
            sql = (
                f"{select} s.message_id > %s "
                f"AND ts_match_vq(s.document, {once}){public}{per_row} {order}"
            )
            params = [last - RECENT, *text_params, *per_row_params, window]
            complete = last <= RECENT
        else:
            # Every match from the index, then the newest.
            # Inline here: an index condition is worked out once anyway, and the planner
            # estimates how many rows match from the constant.
            sql = f"{select} s.document @@ {tsquery}{public}{per_row} {order}"
            params = [*text_params, *per_row_params, window]
        # The tickets, one index probe each (OFFSET 0: not a join the planner could hash).
        cursor.execute(
            "SELECT c.message_id, c.ticket_id, t.number, t.subject, t.status "
            f"FROM ({sql}) AS c CROSS JOIN LATERAL (SELECT number, subject, status "
            "FROM tickets_ticket WHERE id = c.ticket_id OFFSET 0) AS t "
            "ORDER BY c.message_id DESC",
            params,
        )
        rows = [(int(m), int(t), int(n), subject, status) for m, t, n, subject, status in cursor]
    return rows, len(rows) < window and complete is not False
