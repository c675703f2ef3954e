"""Give a seeded desk what the action layer would have added: SLA clocks and triage rows.

    .venv/bin/python bench/seed_clocks.py [--database-url URL]

``bench/seed.py`` writes tickets, messages and events only. A real desk also has a clock
(``TicketSla``) for every open ticket and a triage row (``TicketTriage``) for every ticket,
and the inbox joins both; without them the inbox figures would flatter the desk. This adds
them with one INSERT … SELECT each (tickets that already have one are skipped), so it is
also run by ``bench/ui.py`` on a desk seeded before it existed:
- a clock for each open ticket: first response due 8 hours after it was opened (while not
  answered), resolution 5 days after; no timer armed (``next_timer_at`` empty), so a
  scheduler started on the desk has nothing to fire;
- a triage row for each ticket in its language; one ticket in 331 abusive, one in 997
  waiting in the triage view, one in 7 chased once.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import setup_django

OPEN = "('new', 'open', 'pending_customer', 'on_hold')"


def _insert_select(model: Any, exprs: dict[str, str], where: str) -> int:
    """INSERT every column: the given SQL expressions, the model's defaults for the rest."""
    from django.db import connection

    columns, values, params = [], [], []
    for field in model._meta.concrete_fields:
        columns.append(connection.ops.quote_name(field.column))
        if field.column in exprs:
            values.append(exprs[field.column])
        elif field.has_default():
            values.append("%s")
            params.append(field.get_db_prep_save(field.get_default(), connection))
        else:
            values.append("NULL")
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} FROM tickets_ticket t WHERE {where}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def add_clocks_and_triage() -> dict[str, Any]:
    from django.db import connection, transaction

    from litso.sla.models import TicketSla
    from litso.triage.models import TicketTriage

    if connection.vendor == "postgresql":
        later = "t.created_at + interval '{}'"
        hours, days = later.format("8 hours"), later.format("5 days")
    else:
        hours = "strftime('%%Y-%%m-%%d %%H:%%M:%%f', t.created_at, '+8 hours')"
        days = "strftime('%%Y-%%m-%%d %%H:%%M:%%f', t.created_at, '+5 days')"
    started = time.perf_counter()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Planned as a nested loop over a table it believes empty, PostgreSQL checks
                # NOT EXISTS by reading the table it is filling once per ticket (quadratic).
                cursor.execute("SET LOCAL enable_nestloop = off")
        clocks = _insert_select(
            TicketSla,
            {
                "ticket_id": "t.id",
                "policy_id": "NULL",
                "first_response_due": f"CASE WHEN t.first_response_at IS NULL THEN {hours} END",
                "resolution_due": days,
                "next_timer_at": "NULL",
            },
            f"t.status IN {OPEN} AND NOT EXISTS "
            "(SELECT 1 FROM sla_ticketsla s WHERE s.ticket_id = t.id)",
        )
        true, false = ("TRUE", "FALSE") if connection.vendor == "postgresql" else ("1", "0")
        triage = _insert_select(
            TicketTriage,
            {
                "ticket_id": "t.id",
                "language": "t.language",
                "routed_by": "'bench'",
                "abusive": f"CASE WHEN t.id %% 331 = 0 THEN {true} ELSE {false} END",
                "abuse_score": "CASE WHEN t.id %% 331 = 0 THEN 0.9 ELSE 0.0 END",
                "needs_review": f"CASE WHEN t.id %% 997 = 0 AND t.status IN {OPEN} "
                f"THEN {true} ELSE {false} END",
                "chase_count": "CASE WHEN t.id %% 7 = 0 THEN 1 ELSE 0 END",
            },
            "NOT EXISTS (SELECT 1 FROM triage_tickettriage r WHERE r.ticket_id = t.id)",
        )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # What autovacuum does to a settled desk: the visibility map lets counts and
            # id lists be answered from indexes alone (the sidebar's counts: 254 -> 103 ms).
            cursor.execute("VACUUM (ANALYZE)")
        else:
            cursor.execute("ANALYZE")
    return {
        "clocks": clocks,
        "triage_rows": triage,
        "seconds": round(time.perf_counter() - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url")
    args = parser.parse_args()
    setup_django(args.database_url)
    print(add_clocks_and_triage())


if __name__ == "__main__":
    main()
