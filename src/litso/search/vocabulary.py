"""The words of the SQLite index, so a shortened word is searched as the words it starts.

FTS5 answers a prefix query ("zamowieni"*) by first merging the full match lists of every
word that starts with it, before it can return the newest match: on a million messages that
is 10-60 ms for a common stem, whatever the LIMIT. The same words asked for by name and ORed
("zamowienia" OR "zamowienie" OR …) are walked lazily, newest first, and stop at the LIMIT:
1-6 ms. FTS5 can list its own words (fts5vocab), but only by reading every match list, which
costs as much as the prefix query.

So the index keeps its vocabulary in a table of its own, search_term: the triggers that index
a message (migrations/0002_vocabulary.py) add its words through the SQL function
litso_search_terms, which ``register`` gives every SQLite connection Django opens. The words
are FTS5's own: the function runs the text through an FTS5 table in memory with the index's
tokenizer (faster than splitting it in Python, and never spelt differently). Words are never
removed: a word no message has any more only adds an empty list to the OR.

A stem that FTS5 would read differently, with more words than MAX_EXPANSION (a short, common
one), or with none listed, is searched as a prefix, as before; the results are the same.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from typing import Any

FUNCTION = "litso_search_terms"
# More words than this: the OR costs more than the prefix merge it replaces.
MAX_EXPANSION = 64
# Above every character: the end of the range of words that start with a stem.
_LAST = "\U0010ffff"


TOKENIZER = "unicode61 remove_diacritics 2"  # the index's (migrations/0001_initial.py)


class Tokenizer:
    """FTS5's tokenizer, reached through a one-row table in memory: the words it indexes."""

    def __init__(self) -> None:
        # Used by the thread running the statement that called it; a connection is never
        # used by two threads at once, so neither is its tokenizer.
        self.db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        self.db.execute(
            f"CREATE VIRTUAL TABLE t USING fts5(subject, body, content='', tokenize='{TOKENIZER}')"
        )
        self.db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'row')")

    def words(self, subject: str | None, body: str | None) -> list[str]:
        self.db.execute("INSERT INTO t (rowid, subject, body) VALUES (1, ?, ?)", (subject, body))
        try:
            return [term for (term,) in self.db.execute("SELECT term FROM v")]
        finally:
            self.db.execute("INSERT INTO t (t) VALUES ('delete-all')")

    def terms_json(self, subject: str | None, body: str | None) -> str:
        """For json_each in a trigger: the distinct words, a JSON array."""
        return json.dumps(self.words(subject, body), ensure_ascii=False)


def register(sender: Any, connection: Any, **kwargs: Any) -> None:
    """connection_created receiver: the function the index triggers call, on SQLite."""
    if connection.vendor == "sqlite":
        tokenizer = Tokenizer()
        connection.connection.create_function(FUNCTION, 2, tokenizer.terms_json, deterministic=True)


_local = threading.local()


def _tokenizer() -> Tokenizer:
    if not hasattr(_local, "tokenizer"):
        _local.tokenizer = Tokenizer()
    tokenizer: Tokenizer = _local.tokenizer
    return tokenizer


def expand(cursor: Any, stems: list[str]) -> dict[str, list[str]]:
    """For each stem, the index words that start with it, in one query. A stem is left out
    when a prefix query is the better (too many words) or the only safe one (none listed)."""
    tokenizer = _tokenizer()
    # A stem FTS5 would read as another word (or as two) is left to FTS5 as a prefix.
    stems = [stem for stem in stems if tokenizer.words(stem, None) == [stem]]
    if not stems:
        return {}
    parts, params = [], []
    for index, stem in enumerate(stems):
        parts.append(
            f"SELECT {index}, term FROM (SELECT term FROM search_term "
            "WHERE term >= %s AND term < %s LIMIT %s)"
        )
        params += [stem, stem + _LAST, MAX_EXPANSION + 1]
    cursor.execute(" UNION ALL ".join(parts), params)
    words: dict[int, list[str]] = {}
    for index, term in cursor.fetchall():
        words.setdefault(index, []).append(term)
    return {stems[index]: found for index, found in words.items() if len(found) <= MAX_EXPANSION}
