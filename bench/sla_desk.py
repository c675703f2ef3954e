"""The throwaway desk of the SLA database figures: a policy on the Warsaw calendar, and open
tickets with clocks put in by bulk SQL, mirroring what the ticket actions and `recompute` write.
"""

from __future__ import annotations

import os
import random
import subprocess
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

WARSAW_OFFICE: dict[str, Any] = {
    "timezone": "Europe/Warsaw",
    "week": {
        day: [["09:00", "13:00"], ["14:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")
    },
    "holidays": "PL",
}
YEAR_START = datetime(2026, 1, 1, tzinfo=UTC)

BENCH_DATABASE = "litso_bench_sla"
DESK_TARGETS = {
    "first_response_minutes": 60,
    "next_response_minutes": 240,
    "periodic_update_minutes": 480,
    "resolution_minutes": 2400,
}
# Open statuses of the recompute desk: paused ones too, as a real desk has them.
OPEN_MIX = (("new", 25), ("open", 45), ("pending_customer", 20), ("on_hold", 10))
INSERT_BATCH = 20_000


def make_desk(targets: dict[str, int]) -> Any:
    """The Warsaw calendar and one policy using it; returns the policy."""
    from litso.sla.models import BusinessCalendar, SlaPolicy

    calendar = BusinessCalendar.objects.create(name="Warsaw office", spec=WARSAW_OFFICE)
    return SlaPolicy.objects.create(name="Bench", calendar=calendar, **targets)


def fill(count: int, rng: random.Random, statuses: tuple[tuple[str, int], ...],
          ages_days: tuple[float, float], policy_id: int, timers_due: bool) -> float:  # fmt: skip
    """Insert ``count`` open tickets (no messages) and their clocks; returns the seconds."""
    from django.db import connection, transaction

    from litso.sla.models import TicketSla
    from litso.tickets.models import Ticket
    from litso.tickets.numbering import ensure_numbers_above
    from seed import (
        CHANNELS,
        PRIORITIES,
        TICKET_COLUMNS,
        base_data,
        check_columns,
        insert_postgresql,
        insert_sqlite,
        timestamp_maker,
    )

    check_columns(Ticket, TICKET_COLUMNS)
    vendor = connection.vendor
    insert = insert_postgresql if vendor == "postgresql" else insert_sqlite
    stamp = timestamp_maker(vendor)
    false = False if vendor == "postgresql" else 0
    departments, agents, customers = base_data()
    dept_ids = list(departments.values())
    names, weights = zip(*statuses, strict=True)
    now = time.time()
    started = time.perf_counter()
    if vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -524288")
    first = (Ticket.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    number = first + 100_000
    # Tickets are numbered as they arrive: the oldest has the lowest id, as on a real desk
    # (which also decides how scattered the clocks' index updates are).
    ages = sorted((rng.uniform(*ages_days) for _ in range(count)), reverse=True)
    for start in range(0, count, INSERT_BATCH):
        rows = []
        for i in range(start, min(count, start + INSERT_BATCH)):
            status = rng.choices(names, weights)[0]
            created = now - ages[i] * 86400
            answered = status != "new"
            dept = rng.choice(dept_ids)
            customer_id = rng.choice(customers)[0]
            assignee = rng.choice(agents[dept]) if answered or rng.random() < 0.5 else None
            first_response = stamp(created + rng.uniform(600, 7200)) if answered else None
            # fmt: off
            rows.append((
                first + i, number + i, f"Bench ticket {i}", status, rng.choice(PRIORITIES),
                dept, assignee, customer_id, rng.choice(CHANNELS), None, "en", "{}", false,
                None, None, stamp(created), stamp(created + 7200), first_response, None, None,
                None, 2 if answered else 1, 1 if answered else 0, 0,
            ))
            # fmt: on
        with transaction.atomic(), connection.cursor() as cursor:
            insert(cursor, Ticket._meta.db_table, TICKET_COLUMNS, rows)
    ensure_numbers_above(number + count)
    # The clocks `recompute` would have left: cycles started at creation, paused statuses
    # paused since then, the next timer due at creation when it should fire now, else later.
    next_timer = "t.created_at" if timers_due else "NULL"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TicketSla._meta.db_table} (ticket_id, policy_id, first_response_due, "
            "resolution_due, next_timer_at, fired, paused_since, paused_minutes, "
            "paused_business_minutes, paused_calendar_minutes, "
            "response_cycle_pause, update_cycle_start, update_cycle_pause, "
            "seen_customer_messages, seen_agent_replies, silence_gaps) "
            f"SELECT t.id, %s, t.created_at, t.created_at, {next_timer}, '[]', "
            "CASE WHEN t.status IN ('pending_customer', 'on_hold') THEN t.created_at END, "
            "0, 0, 0, 0, t.created_at, 0, t.customer_messages, t.agent_replies, 0 "
            f"FROM {Ticket._meta.db_table} t WHERE t.id >= %s",
            [policy_id, first],
        )
        if vendor == "postgresql":
            cursor.execute(f"ANALYZE {Ticket._meta.db_table}, {TicketSla._meta.db_table}")
        else:
            cursor.execute("PRAGMA analysis_limit = 1000")
            cursor.execute("ANALYZE")
    return time.perf_counter() - started


def throwaway_database(url: str | None) -> tuple[str | None, Callable[[], None]]:
    """Point Django at a fresh database; returns its URL and how to remove it."""
    if not url:
        data_dir = tempfile.TemporaryDirectory(prefix="litso-bench-sla-")
        os.environ["LITSO_DATA_DIR"] = data_dir.name
        os.environ.pop("DATABASE_URL", None)
        return None, data_dir.cleanup
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    host, port, user = parts.hostname or "127.0.0.1", str(parts.port or 5432), parts.username
    server = ["-h", host, "-p", port, "-U", user or "postgres"]
    subprocess.run(["dropdb", "--if-exists", *server, BENCH_DATABASE], check=True)
    subprocess.run(["createdb", *server, BENCH_DATABASE], check=True)

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        subprocess.run(["dropdb", "--if-exists", "--force", *server, BENCH_DATABASE], check=True)

    return urlunsplit(parts._replace(path=f"/{BENCH_DATABASE}")), drop
