from __future__ import annotations

import pytest
from django.db import connection

from litso.tickets.numbering import SEQUENCE, ensure_numbers_above, next_ticket_number


@pytest.fixture(autouse=True)
def _fresh_sequence(db, settings) -> None:
    # PostgreSQL sequences ignore the test's rollback; start each test from a new one.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"ALTER SEQUENCE {SEQUENCE} RESTART WITH {settings.LITSO_TICKET_NUMBER_START}"
            )


def test_numbers_start_at_the_configured_start(db, settings) -> None:
    assert next_ticket_number() == settings.LITSO_TICKET_NUMBER_START
    assert next_ticket_number() == settings.LITSO_TICKET_NUMBER_START + 1


def test_after_an_import_new_numbers_continue_above_it(db) -> None:
    ensure_numbers_above(5000)
    assert next_ticket_number() == 5001
    # A lower import never moves the sequence back.
    ensure_numbers_above(10)
    assert next_ticket_number() == 5002


def test_a_small_import_does_not_skip_the_first_number(db, settings) -> None:
    ensure_numbers_above(5)
    assert next_ticket_number() == settings.LITSO_TICKET_NUMBER_START
