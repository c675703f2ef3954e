from __future__ import annotations

import importlib
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from litso.search import schema, sqlite, vocabulary
from litso.search.engine import search
from litso.search.query import parse
from litso.tickets.models import Message
from tests.conftest import Desk

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the vocabulary serves SQLite's FTS5 index only"
)
migration: Any = importlib.import_module("litso.search.migrations.0002_vocabulary")
editor = SimpleNamespace(connection=connection)


def terms(prefix: str = "") -> set[str]:
    """The vocabulary once every pending message is absorbed."""
    vocabulary.absorb_all()
    with connection.cursor() as cursor:
        cursor.execute("SELECT term FROM search_term WHERE term LIKE %s", [prefix + "%"])
        return {term for (term,) in cursor.fetchall()}


def found(desk: Desk, text: str) -> set[int]:
    return {hit.number for hit in search(desk.admin, text).hits}


def pending() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM search_term_pending")
        return int(cursor.fetchone()[0])


def test_a_new_message_waits_then_adds_its_words_folded(desk: Desk) -> None:
    desk.open(subject="Zamówienie ŁÓDŹ", body="Где посылка? Ёлка, C:\\Users\\new.log")
    assert pending() > 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM search_term WHERE term = 'lodz'")
        assert cursor.fetchone()[0] == 0
    assert {"zamowienie", "lodz"} <= terms()
    assert {"где", "посылка", "елка", "users", "new", "log"} <= terms()
    assert "Zamówienie" not in terms()
    assert "ёлка" not in terms()
    assert pending() == 0


def test_an_edited_message_adds_its_new_words(desk: Desk) -> None:
    ticket = desk.open(subject="Hello", body="Wombat")
    message = Message.objects.get(ticket=ticket)
    message.body_text = "Quokka"
    message.save(update_fields=["body_text"])
    assert "quokka" in terms()
    assert found(desk, "quokka") == {ticket.number}


def test_the_words_are_those_fts5_indexed(desk: Desk) -> None:
    # Spelt as FTS5 spells them, whatever Python's folding would make of them: the micro sign
    # is a Greek mu to FTS5, a combining mark a separator, a long s with a dot an "s".
    desk.open(subject="Μm", body="x\u0305y \u1e9bpiew Straße naïve 42nd")
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE VIRTUAL TABLE temp.scan USING fts5vocab(main, search_message_fts, 'row')"
        )
        cursor.execute("SELECT term FROM temp.scan")
        fts5 = {term for (term,) in cursor.fetchall()}
        cursor.execute("DROP TABLE temp.scan")
    assert fts5 == terms()
    assert {"μm", "x", "y", "spiew", "straße", "naive", "42nd"} <= terms()


def test_a_stem_fts5_reads_differently_stays_a_prefix(desk: Desk) -> None:
    desk.open(subject="Hello", body="µmeter")
    with connection.cursor() as cursor:
        assert vocabulary.expand(cursor, ["µmet", "μmet"]) == {"μmet": ["μmeter"]}


def test_expand_lists_the_words_a_stem_starts(desk: Desk) -> None:
    desk.open(subject="Zamówienia", body="zamówienie zamówieniami zamawiam")
    with connection.cursor() as cursor:
        got = vocabulary.expand(cursor, ["zamowieni", "nothingatall"])
    assert got == {"zamowieni": ["zamowienia", "zamowieniami", "zamowienie"]}


def test_a_stem_with_too_many_words_stays_a_prefix(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vocabulary, "MAX_EXPANSION", 2)
    desk.open(subject="Zamówienia", body="zamówienie zamówieniami zamawiam")
    with connection.cursor() as cursor:
        assert vocabulary.expand(cursor, ["zamowieni", "zamaw"]) == {"zamaw": ["zamawiam"]}


def test_the_match_is_the_or_of_the_words(desk: Desk) -> None:
    shown = desk.open(subject="Zamówienie 17", body="Gdzie jest moje zamówienie?")
    desk.open(subject="Other", body="Nothing here")
    with CaptureQueriesContext(connection) as captured:
        assert found(desk, "zamówienia") == {shown.number}
    matches = [q["sql"] for q in captured.captured_queries if "MATCH" in q["sql"]]
    assert len(matches) == 1
    assert '("zamowienie")' in matches[0]
    assert '"zamowieni"*' not in matches[0]


@pytest.mark.parametrize("absorbed", [True, False])
@pytest.mark.parametrize(
    "text",
    ["zamówienia", "заказа", "refunds", "faktura korekta", "posyłka", '"moje zamówienie"',
     "kot", "zzz"],
)  # fmt: skip
def test_expanded_and_prefix_searches_find_the_same(
    desk: Desk, monkeypatch: pytest.MonkeyPatch, text: str, absorbed: bool
) -> None:
    bodies = [
        "Gdzie jest moje zamówienie?", "Zamówieniami zajmuje się dział", "zamawiam kota",
        "Статус заказа", "Заказы не приходят", "заказчик недоволен", "Refund please",
        "refunded twice", "refundable ticket", "Faktura korekta", "Fakturowanie", "posyłka",
        "kot i kotka",
    ]  # fmt: skip
    for body in bodies:
        desk.open(subject="Request", body=body)
    if absorbed:
        vocabulary.absorb_all()
    assert (pending() == 0) == absorbed
    expanded = found(desk, text)
    monkeypatch.setattr(vocabulary, "MAX_EXPANSION", 0)
    assert found(desk, text) == expanded
    if text not in ("zzz", "kot"):
        assert expanded


def test_reversing_the_migration_restores_the_prefix_search(desk: Desk) -> None:
    ticket = desk.open(subject="Hello", body="Bandicoots")
    migration.drop_vocabulary(None, editor)
    assert "search_term" not in connection.introspection.table_names()
    later = desk.open(subject="Hello", body="Bandicoots again")
    migration.create_vocabulary(None, editor)
    # The words of messages written meanwhile come from FTS5's own list.
    assert "bandicoots" in terms()
    assert found(desk, "bandicoot") == {ticket.number, later.number}
    assert schema.repair() == []


def test_repair_puts_back_the_triggers_that_fill_the_vocabulary(desk: Desk) -> None:
    with connection.cursor() as cursor:
        for sql in migration.SQLITE_DROP[:4]:  # 0001's triggers, the table kept
            cursor.execute(sql)
    desk.open(subject="Hello", body="Platypus")
    assert "platypus" not in terms()
    assert found(desk, "platypus") != set()  # no word listed: searched as a prefix
    done = schema.repair()
    assert done == [
        "replaced trigger search_message_insert",
        "replaced trigger search_message_update",
    ]
    desk.open(subject="Hello", body="Echidna")
    assert "echidna" in terms()
    assert schema.repair() == []


def test_a_stem_no_message_has_finds_nothing(desk: Desk) -> None:
    desk.open(subject="Hello", body="Wombat")
    assert found(desk, "numbat") == set()
    assert (
        sqlite.match_expression(parse("wombats numbat"), {"wombat": ["wombat"]})
        == '("wombat") AND "numbat"*'
    )


def test_words_still_pending_are_read_by_the_search(desk: Desk) -> None:
    old = desk.open(subject="Hello", body="Wombats")
    vocabulary.absorb_all()
    new = desk.open(subject="Hello", body="Wombatish")
    assert pending() > 0
    with connection.cursor() as cursor:
        assert vocabulary.expand(cursor, ["wombat"]) == {"wombat": ["wombatish", "wombats"]}
    assert found(desk, "wombat") == {old.number, new.number}


def test_with_too_many_pending_every_stem_is_a_prefix(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vocabulary, "INLINE", 0)
    ticket = desk.open(subject="Hello", body="Wombats")
    with connection.cursor() as cursor:
        assert vocabulary.expand(cursor, ["wombat"]) == {}
    assert found(desk, "wombat") == {ticket.number}


def test_a_bulk_load_is_absorbed_from_fts5s_own_list(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vocabulary, "REBUILD_FROM", 2)
    for word in ("Aardvark", "Bandicoot", "Cassowary"):
        desk.open(subject="Hello", body=word)
    waiting = pending()
    assert waiting >= 3
    assert vocabulary.absorb() == waiting
    assert pending() == 0
    assert {"aardvark", "bandicoot", "cassowary"} <= terms()


def test_the_scheduler_absorbs_pending_messages(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    from litso.search.scheduled import absorb_vocabulary

    monkeypatch.setattr(vocabulary, "ABSORB_BATCH", 1)
    for word in ("Aardvark", "Bandicoot"):
        desk.open(subject="Hello", body=word)
    waiting = pending()
    assert absorb_vocabulary() == waiting
    assert pending() == 0
    assert absorb_vocabulary() == 0
