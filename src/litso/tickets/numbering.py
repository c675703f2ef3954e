"""Human ticket numbers (1042): from a database sequence, never reused.

PostgreSQL has a real sequence, so concurrent intake never waits on a counter row. SQLite
serialises writers anyway, so a counter row bumped in the same transaction is enough.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection

from litso.core import rows

SEQUENCE = "litso_ticket_number"


def next_ticket_number() -> int:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s)", [SEQUENCE])
            return int(cursor.fetchone()[0])
    return _next_from_counter()


def _next_from_counter() -> int:
    from litso.tickets.models import TicketCounter

    table = TicketCounter._meta.db_table
    # One statement (SQLite >= 3.35 has RETURNING): intake is on the hot path.
    found = rows.fetch(
        f"UPDATE {table} SET last_value = last_value + 1 WHERE id = 1 RETURNING last_value", []
    )
    row = found[0] if found else None
    if row is None:
        TicketCounter.objects.create(pk=1, last_value=settings.LITSO_TICKET_NUMBER_START)
        return int(settings.LITSO_TICKET_NUMBER_START)
    return int(row[0])


def ensure_numbers_above(number: int) -> None:
    """After an import, new tickets must not take a number an imported one has."""
    # Never below START - 1: a small import must not move the first number down or skip it.
    floor = max(number, settings.LITSO_TICKET_NUMBER_START - 1)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # A fresh sequence (is_called false) has used nothing: its last_value is the next
            # number, not a used one.
            cursor.execute(
                "SELECT setval(%s, GREATEST(%s, (SELECT CASE WHEN is_called THEN last_value "
                f"ELSE last_value - 1 END FROM {SEQUENCE})))",
                [SEQUENCE, floor],
            )
        return
    from litso.tickets.models import TicketCounter

    counter, created = TicketCounter.objects.get_or_create(pk=1, defaults={"last_value": floor})
    if not created and counter.last_value < floor:
        TicketCounter.objects.filter(pk=1).update(last_value=floor)
