from __future__ import annotations

import importlib
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection

from litso.search import schema
from litso.search.engine import search
from tests.conftest import Desk

initial: Any = importlib.import_module("litso.search.migrations.0001_initial")
editor = SimpleNamespace(connection=connection)


def found(desk: Desk, text: str) -> set[int]:
    return {hit.number for hit in search(desk.admin, text).hits}


def test_the_migration_indexes_an_existing_desk(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    initial.drop_index(None, editor)
    # Messages written while there is no index, more than one batch of them.
    tickets = [desk.open(subject="Old", body=f"Aardvark {i}") for i in range(3)]
    monkeypatch.setattr(initial, "BATCH", 2)
    initial.create_index(None, editor)
    assert found(desk, "aardvark") == {t.number for t in tickets}
    # And the triggers work from then on.
    new = desk.open(subject="New", body="Aardvark again")
    assert new.number in found(desk, "aardvark")


def test_the_migration_reverses(desk: Desk) -> None:
    initial.drop_index(None, editor)
    table = "search_message_fts" if connection.vendor == "sqlite" else "search_message"
    assert table not in connection.introspection.table_names()
    # Without the index, nothing to repair and messages can still be written.
    assert schema.repair() == []
    desk.open(subject="Still", body="Works")
    initial.create_index(None, editor)


def _drop_triggers() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in schema.SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER {name}")
        else:
            cursor.execute("DROP TRIGGER search_message_sync ON tickets_message")


def test_repair_restores_dropped_triggers_and_missing_rows(desk: Desk) -> None:
    # What a table rebuild by another app's migration does on SQLite.
    _drop_triggers()
    missed = desk.open(subject="Missed", body="Bandicoot")
    assert found(desk, "bandicoot") == set()

    done = schema.repair()
    assert any("trigger" in step for step in done)
    assert any("index" in step for step in done)
    assert found(desk, "bandicoot") == {missed.number}
    later = desk.open(subject="Later", body="Bandicoot")
    assert found(desk, "bandicoot") == {missed.number, later.number}
    assert schema.repair() == []
