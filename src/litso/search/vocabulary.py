"""The words of the SQLite index, so a shortened word is searched as the words it starts.

FTS5 answers a prefix query ("zamowieni"*) by first merging the full match lists of every
word that starts with it, before it can return the newest match: on a million messages that
is 10-60 ms for a common stem, whatever the LIMIT. The same words asked for by name and ORed
("zamowienia" OR "zamowienie" OR …) are walked lazily, newest first, and stop at the LIMIT:
1-6 ms. FTS5 can list its own words (fts5vocab), but only by reading every match list, which
costs as much as the prefix query.

So the index keeps its vocabulary in a table of its own, search_term. Splitting a message
into words costs about a quarter of a millisecond, too much to add to every mail received,
so it is done later, as PostgreSQL's GIN index keeps a pending list: the index triggers only
list a new or edited message in search_term_pending (migrations/0002_vocabulary.py), the
scheduler adds pending messages' words every few seconds (``absorb``), and a search reads the
words of the messages still pending itself, so nothing written is ever missed. A bulk load
(an import, a benchmark seed) is absorbed by reading FTS5's own list once (``rebuild``).

The words are FTS5's own: text is split by an FTS5 table in memory with the index's tokenizer,
never by a second implementation that could spell a word differently. Words are never
removed: a word no message has any more only adds an empty list to the OR.

A stem that FTS5 would read differently, with more words than MAX_EXPANSION (a short, common
one), or with none listed is searched as a prefix, as before, and so is every stem while more
than INLINE messages are pending: the results are the same either way.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction

from litso.search.folding import SPECIAL

# More words than this: the OR costs more than the prefix merge it replaces.
MAX_EXPANSION = 64
# A search reads at most this many pending messages itself (about 0.1 ms each).
INLINE = 200
# The scheduler adds this many pending messages' words per transaction...
ABSORB_BATCH = 500
# ...and from this many on reads FTS5's whole list instead (about 10 s a million messages).
REBUILD_FROM = 20_000
# The index's (migrations/0001_initial.py), and what it is given of a body.
TOKENIZER = "unicode61 remove_diacritics 2"
BODY_CHARS = 100_000
# Above every character: the end of the range of words that start with a stem.
_LAST = "\U0010ffff"


class Tokenizer:
    """FTS5's tokenizer, reached through a one-row table in memory: the words it indexes."""

    def __init__(self) -> None:
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


_local = threading.local()


def _tokenizer() -> Tokenizer:
    # One per thread: an SQLite connection is not shared between threads at once.
    if not hasattr(_local, "tokenizer"):
        _local.tokenizer = Tokenizer()
    tokenizer: Tokenizer = _local.tokenizer
    return tokenizer


def _as_indexed(text: str | None) -> str:
    # What the triggers give FTS5 (0001_initial.py): "ł" and "ё" replaced.
    text = text or ""
    for char, folded in SPECIAL.items():
        text = text.replace(char, folded).replace(char.upper(), folded.upper())
    return text


def _words_of(rows: Iterable[tuple[Any, str | None, str | None]]) -> set[str]:
    tokenizer = _tokenizer()
    words: set[str] = set()
    for _, subject, body in rows:
        if subject is not None or body is not None:
            words.update(tokenizer.words(_as_indexed(subject), _as_indexed(body)[:BODY_CHARS]))
    return words


_PENDING_TEXT = (
    "SELECT p.message_id, m.subject, substr(m.body_text, 1, %s) FROM search_term_pending p "
    "LEFT JOIN tickets_message m ON m.id = p.message_id ORDER BY p.message_id LIMIT %s"
)


def absorb(limit: int = ABSORB_BATCH) -> int:
    """Add the words of up to ``limit`` pending messages to the vocabulary, or rebuild it
    when a bulk load left too many; returns how many pending messages were done."""
    if connection.vendor != "sqlite":
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM (SELECT 1 FROM search_term_pending LIMIT %s)", [REBUILD_FROM]
        )
        if cursor.fetchone()[0] >= REBUILD_FROM:
            return rebuild(cursor)
        cursor.execute(_PENDING_TEXT, [BODY_CHARS, limit])
        rows = cursor.fetchall()
        if not rows:
            return 0
        cursor.executemany(
            "INSERT OR IGNORE INTO search_term (term) VALUES (%s)",
            [(word,) for word in sorted(_words_of(rows))],
        )
        ids = [row[0] for row in rows]
        marks = ", ".join(["%s"] * len(ids))
        cursor.execute(f"DELETE FROM search_term_pending WHERE message_id IN ({marks})", ids)
        return len(ids)


def rebuild(cursor: Any) -> int:
    """Every word FTS5 has indexed, from its own list; nothing pending after it. Run in a
    transaction (on SQLite it holds the write lock, so nothing is indexed meanwhile)."""
    cursor.execute("SELECT COUNT(*) FROM search_term_pending")
    (pending,) = cursor.fetchone()
    cursor.execute(
        "CREATE VIRTUAL TABLE temp.search_vocabulary_scan "
        "USING fts5vocab(main, search_message_fts, 'row')"
    )
    cursor.execute(
        "INSERT OR IGNORE INTO search_term (term) SELECT term FROM temp.search_vocabulary_scan"
    )
    cursor.execute("DROP TABLE temp.search_vocabulary_scan")
    cursor.execute("DELETE FROM search_term_pending")
    return int(pending)


def absorb_all() -> int:
    done = total = absorb()
    while done:
        done = absorb()
        total += done
    return total


def expand(cursor: Any, stems: list[str]) -> dict[str, list[str]]:
    """For each stem, the index words that start with it, in one query (two when messages
    are pending). A stem is left out when a prefix query is the better (too many words) or
    the only safe one (none listed; too many messages pending)."""
    tokenizer = _tokenizer()
    # A stem FTS5 would read as another word (or as two) is left to FTS5 as a prefix.
    stems = [stem for stem in stems if tokenizer.words(stem, None) == [stem]]
    if not stems:
        return {}
    parts = ["SELECT -1, COUNT(*) FROM (SELECT 1 FROM search_term_pending LIMIT %s)"]
    params: list[Any] = [INLINE + 1]
    for index, stem in enumerate(stems):
        parts.append(
            f"SELECT {index}, term FROM (SELECT term FROM search_term "
            "WHERE term >= %s AND term < %s LIMIT %s)"
        )
        params += [stem, stem + _LAST, MAX_EXPANSION + 1]
    cursor.execute(" UNION ALL ".join(parts), params)
    words: dict[int, set[str]] = {index: set() for index in range(len(stems))}
    pending = 0
    for index, term in cursor.fetchall():
        if index == -1:
            pending = int(term)
        else:
            words[index].add(term)
    if pending > INLINE:
        return {}
    if pending:
        cursor.execute(_PENDING_TEXT, [BODY_CHARS, INLINE])
        recent = _words_of(cursor.fetchall())
        for index, stem in enumerate(stems):
            words[index].update(word for word in recent if word.startswith(stem))
    return {
        stems[index]: sorted(found)
        for index, found in words.items()
        if found and len(found) <= MAX_EXPANSION
    }
