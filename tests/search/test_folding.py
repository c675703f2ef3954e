from __future__ import annotations

import sqlite3
import unicodedata

import pytest
from django.db import connection

from litso.search.folding import CHECKED_RANGES, SPECIAL, fold, fold_with_offsets


def checked_characters(categories: str = "LN") -> list[str]:
    return [
        chr(code)
        for low, high in CHECKED_RANGES
        for code in range(low, high + 1)
        if unicodedata.category(chr(code))[0] in categories
    ]


def test_fold_examples() -> None:
    assert fold("Zamówienie ŁÓDŹ Ёлка ZAŻÓŁĆ") == "zamowienie lodz елка zazolc"
    # й is a letter of its own in Russian, as in FTS5.
    assert fold("Мой ЙОГУРТ") == "мой йогурт"


def test_offsets_are_kept_through_dropped_marks() -> None:
    text = "Caf" + "e\u0301" + " İstanbul"
    folded, origin = fold_with_offsets(text)
    assert folded == "cafe istanbul"
    assert origin is not None
    assert text[origin[folded.index("istanbul")]] == "İ"
    assert fold_with_offsets("Zamówienie")[1] is None


def test_the_fast_fold_is_the_translate_table_over_every_checked_character() -> None:
    from litso.search.folding import _TABLE

    text = "".join(checked_characters("LNMPSZ"))
    assert fold(text) == text.lower().translate(_TABLE)
    assert fold(text) != text.lower()  # the table did fold something


def _fts5_terms(texts: list[str]) -> dict[int, str]:
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE t USING fts5(a, content='', tokenize='unicode61 remove_diacritics 2')"
    )
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
    db.executemany("INSERT INTO t (rowid, a) VALUES (?, ?)", list(enumerate(texts)))
    return {row: term for term, row in db.execute("SELECT term, doc FROM v")}


def _as_triggers_write(text: str) -> str:
    for char, folded in SPECIAL.items():
        text = text.replace(char, folded).replace(char.upper(), folded.upper())
    return text


def test_folding_first_changes_nothing_fts5_would_index() -> None:
    # A query folded in Python must find what the SQLite triggers indexed: FTS5 must see the
    # same token either way, for every letter and digit of the checked ranges.
    chars = checked_characters()
    indexed = _fts5_terms([f"x{_as_triggers_write(c)}x" for c in chars])
    queried = _fts5_terms([f"x{fold(c)}x" for c in chars])
    wrong = [(c, indexed.get(i), queried.get(i)) for i, c in enumerate(chars)
             if indexed.get(i) != queried.get(i)]  # fmt: skip
    assert wrong == []


@pytest.mark.django_db
def test_folding_first_changes_nothing_postgresql_would_index() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's search_fold()")
    chars = checked_characters()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c, search_fold(c) = search_fold(f) "
            "FROM unnest(%s::text[], %s::text[]) AS x(c, f)",
            [chars, [fold(c) for c in chars]],
        )
        wrong = [c for c, same in cursor.fetchall() if not same]
    assert wrong == []


@pytest.mark.django_db
def test_postgresql_splits_words_where_fts5_does() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's search_fold()")
    text = "anna@shop.pl tk-1042 v1.2 +48 C:\\dir\\plik.txt http://x.pl/a «Łódź» ~b"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT array_agg(lexeme ORDER BY lexeme) "
            "FROM unnest(to_tsvector('simple', search_fold(%s)))",
            [text],
        )
        (lexemes,) = cursor.fetchone()
    assert lexemes == sorted(_all_fts5_terms(_as_triggers_write(text)))


def _all_fts5_terms(text: str) -> list[str]:
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE t USING fts5(a, content='', tokenize='unicode61 remove_diacritics 2')"
    )
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'row')")
    db.execute("INSERT INTO t (rowid, a) VALUES (1, ?)", [text])
    return [term for (term,) in db.execute("SELECT term FROM v")]
