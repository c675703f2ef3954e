"""SLA engine: how fast deadlines are computed, timers fire and a desk is recomputed.

    .venv/bin/python bench/sla.py [--figure NAME] [--database-url URL] [--count 20000]
        [--timers 10000] [--tickets 1000000] [--recompute 100000] [--seed 1]

Figures (each a function in FIGURES, returning its own entry of the JSON):
- deadlines: `add_business_minutes` calls per second on a Warsaw office calendar (Mon–Fri
  09:00–13:00 and 14:00–18:00, Polish holidays), random starts over 2026, random targets from
  30 minutes to 5 days (7,200 business minutes, about three weeks of this calendar). No database.
- timers: the scheduler's `sla.fire_due_timers` job draining --timers tickets whose first
  response and resolution are overdue (one policy on the Warsaw calendar, 30 and 240 business
  minutes): each ticket fires two breaches (audit event, SlaBreach, and a notification task
  when assigned). Timers per second, and the time projected for 100,000.
- recompute: `recompute_open_tickets` (the task function, called directly, every batch) after
  a calendar change, on a desk of --tickets open tickets that already have clocks; the last
  --recompute of them are timed (the task started past the others) when that is fewer.
  Tickets per second, and the time projected for 1,000,000.

The database figures run on a throwaway desk: without --database-url a fresh SQLite file in a
temporary LITSO_DATA_DIR; with a PostgreSQL URL a database `litso_bench_sla` created on that
server (createdb) and dropped afterwards. Tickets (no messages) and clocks go in by bulk SQL,
mirroring what the ticket actions and `recompute` would write. Each run updates its own
entries of bench/results/sla.json (database figures are keyed by vendor: "timers-sqlite"...).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
from _setup import RESULTS, percentiles, setup_django, write_result
from litso.sla.calendar import Calendar, add_business_minutes

WARSAW_OFFICE: dict[str, Any] = {
    "timezone": "Europe/Warsaw",
    "week": {
        day: [["09:00", "13:00"], ["14:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")
    },
    "holidays": "PL",
}
YEAR_START = datetime(2026, 1, 1, tzinfo=UTC)
TARGETS = (30, 5 * 24 * 60)
ROUNDS = 5


def deadlines(count: int, rng: random.Random) -> dict[str, Any]:
    calendar = Calendar.from_spec(WARSAW_OFFICE)
    year_seconds = int(timedelta(days=365).total_seconds())
    jobs = [
        (YEAR_START + timedelta(seconds=rng.randrange(year_seconds)), rng.randint(*TARGETS))
        for _ in range(count)
    ]
    # The first pass also fills the calendar's caches, as a long-running worker's would be.
    cold = _seconds(calendar, jobs)
    # The median of several passes, because a shared machine's noise is only ever upwards.
    warm = statistics.median(_seconds(calendar, jobs) for _ in range(ROUNDS))
    latencies = []
    for start, minutes in jobs:
        t0 = time.perf_counter()
        add_business_minutes(calendar, start, minutes)
        latencies.append((time.perf_counter() - t0) * 1_000_000)
    rate = count / warm
    lat = percentiles(latencies)
    print(
        f"deadlines: {rate:,.0f} add_business_minutes/s "
        f"(median of {ROUNDS} passes of {count}; p50 {lat['p50']:.0f} µs, p99 {lat['p99']:.0f} µs; "
        f"first pass, caches empty: {count / cold:,.0f}/s)"
    )
    return {
        "calendar": WARSAW_OFFICE,
        "computations": count,
        "rounds": ROUNDS,
        "target_minutes": list(TARGETS),
        "per_second": rate,
        "latency_us": lat,
        "cold_cache_per_second": count / cold,
    }


def _seconds(calendar: Calendar, jobs: list[tuple[datetime, int]]) -> float:
    started = time.perf_counter()
    for start, minutes in jobs:
        add_business_minutes(calendar, start, minutes)
    return time.perf_counter() - started


# --- Database figures -------------------------------------------------------------------
BENCH_DATABASE = "litso_bench_sla"
# Small targets, so the timers of tickets a few days old are all due.
TIMER_TARGETS = {"first_response_minutes": 30, "resolution_minutes": 240}
DESK_TARGETS = {
    "first_response_minutes": 60,
    "next_response_minutes": 240,
    "periodic_update_minutes": 480,
    "resolution_minutes": 2400,
}
# Open statuses of the recompute desk: paused ones too, as a real desk has them.
OPEN_MIX = (("new", 25), ("open", 45), ("pending_customer", 20), ("on_hold", 10))
INSERT_BATCH = 20_000


def _desk(targets: dict[str, int]) -> Any:
    """The Warsaw calendar and one policy using it; returns the policy."""
    from litso.sla.models import BusinessCalendar, SlaPolicy

    calendar = BusinessCalendar.objects.create(name="Warsaw office", spec=WARSAW_OFFICE)
    return SlaPolicy.objects.create(name="Bench", calendar=calendar, **targets)


def _fill(count: int, rng: random.Random, statuses: tuple[tuple[str, int], ...],
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
    for start in range(0, count, INSERT_BATCH):
        rows = []
        for i in range(start, min(count, start + INSERT_BATCH)):
            status = rng.choices(names, weights)[0]
            created = now - rng.uniform(*ages_days) * 86400
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
            "response_cycle_pause, update_cycle_start, update_cycle_pause, "
            "seen_customer_messages, seen_agent_replies, silence_gaps) "
            f"SELECT t.id, %s, t.created_at, t.created_at, {next_timer}, '[]', "
            "CASE WHEN t.status IN ('pending_customer', 'on_hold') THEN t.created_at END, "
            "0, 0, t.created_at, 0, t.customer_messages, t.agent_replies, 0 "
            f"FROM {Ticket._meta.db_table} t WHERE t.id >= %s",
            [policy_id, first],
        )
        if vendor == "postgresql":
            cursor.execute(f"ANALYZE {Ticket._meta.db_table}, {TicketSla._meta.db_table}")
        else:
            cursor.execute("PRAGMA analysis_limit = 1000")
            cursor.execute("ANALYZE")
    return time.perf_counter() - started


def timers(args: argparse.Namespace, rng: random.Random) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from litso.sla.models import SlaBreach, TicketSla
    from litso.sla.scheduled import fire_due_timers

    count = args.timers
    policy = _desk(TIMER_TARGETS)
    fill = _fill(count, rng, (("new", 1),), (7.0, 21.0), policy.pk, timers_due=True)
    # Where the time goes: the job's first round (its batch of due tickets) under cProfile,
    # with its queries counted; the timed drain below does the rest.
    add_business_minutes(policy.calendar.calendar(), YEAR_START, 60)
    queries: list[float] = []

    def count_query(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append(time.perf_counter() - t)

    from litso.sla import scheduled

    profiler = cProfile.Profile()
    with connection.execute_wrapper(count_query):
        t0 = time.perf_counter()
        profiler.enable()
        profiled_fired = _one_round(fire_due_timers, scheduled)
        profiler.disable()
        profile_seconds = time.perf_counter() - t0
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(30)
    print(out.getvalue())
    profiled_tickets = profiled_fired[1]
    profile = {
        "tickets": profiled_tickets,
        "seconds_under_profiler": profile_seconds,
        "queries": len(queries),
        "queries_per_ticket": len(queries) / max(1, profiled_tickets),
        "sql_ms_per_ticket": 1000 * sum(queries) / max(1, profiled_tickets),
        "ms_per_ticket_under_profiler": 1000 * profile_seconds / max(1, profiled_tickets),
    }
    print(f"  profiled first round: {profile}")
    due = TicketSla.objects.filter(next_timer_at__lte=timezone.now()).count()
    started = time.perf_counter()
    fired = rounds = 0
    while TicketSla.objects.filter(next_timer_at__lte=timezone.now()).exists():
        fired += fire_due_timers()
        rounds += 1
    seconds = time.perf_counter() - started
    breaches = SlaBreach.objects.count() - 2 * profiled_tickets
    rate = due / seconds
    projected = 100_000 / rate
    label = "measured" if due >= 100_000 else f"EXTRAPOLATED from {due:,}"
    print(
        f"timers ({connection.vendor}): {due:,} due tickets drained in {seconds:.1f} s = "
        f"{rate:,.0f} tickets/s ({fired:,} timers fired = {fired / seconds:,.0f}/s, "
        f"{breaches:,} breaches, {1000 * seconds / due:.2f} ms per ticket); "
        f"100,000 tickets: {projected:.0f} s ({label}); seeding took {fill:.1f} s"
    )
    return {
        "database": connection.vendor,
        "due_tickets": due,
        "timers_fired": fired,
        "breaches": breaches,
        "job_calls": rounds,
        "seconds": seconds,
        "tickets_per_second": rate,
        "timers_per_second": fired / seconds,
        "ms_per_ticket": 1000 * seconds / due,
        "projected_seconds_for_100000": projected,
        "projection": label,
        "policy": TIMER_TARGETS,
        "seed_seconds": fill,
        "profiled_first_round": profile,
    }


def _one_round(job: Callable[[], int], scheduled: Any) -> tuple[int, int]:
    """One claiming round of the job (its BATCH rows, one transaction); (fired, tickets)."""
    real = scheduled.claim_due
    claimed: list[int] = []

    def claim_once(queryset: Any, limit: int) -> list[Any]:
        if claimed:
            return []
        rows = real(queryset, limit)
        claimed.append(len(rows))
        return rows

    scheduled.claim_due = claim_once
    try:
        fired = job()
    finally:
        scheduled.claim_due = real
    return fired, claimed[0] if claimed else 0


def recompute(args: argparse.Namespace, rng: random.Random) -> dict[str, Any]:
    from django.db import connection

    from litso.sla.clock import active_policies
    from litso.sla.models import BusinessCalendar, TicketSla
    from litso.sla.tasks import BATCH, recompute_open_tickets
    from litso.tickets.models import Ticket

    total = args.tickets
    timed = min(args.recompute or total, total)
    policy = _desk(DESK_TARGETS)
    fill = _fill(total, rng, OPEN_MIX, (0.0, 14.0), policy.pk, timers_due=False)
    print(f"  seeded {total:,} open tickets with clocks in {fill:.1f} s", flush=True)
    # The calendar change: a new holiday-free Saturday morning, through the model as an admin.
    calendar = BusinessCalendar.objects.get()
    calendar.spec = {
        **WARSAW_OFFICE,
        "week": {**WARSAW_OFFICE["week"], "sat": [["09:00", "13:00"]]},
    }
    calendar.save()
    ids = list(Ticket.objects.order_by("-id").values_list("id", flat=True)[: timed + 1])
    after_id = ids[timed] if len(ids) > timed else 0
    before = TicketSla.objects.filter(ticket_id__gt=after_id).values_list(
        "resolution_due", flat=True
    )
    sample_before = list(before[:5])

    # Where the time goes: one batch under cProfile (the real task on the last BATCH tickets,
    # whose deadlines the change moves), with its queries counted and timed at the driver.
    # The calendar is built first, as a running worker would have it.
    add_business_minutes(calendar.calendar(), YEAR_START, 60)
    active_policies()
    queries: list[float] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append(time.perf_counter() - t)

    profiler = cProfile.Profile()
    with connection.execute_wrapper(count):
        t0 = time.perf_counter()
        profiler.enable()
        recompute_open_tickets.call(after_id=ids[BATCH] if len(ids) > BATCH else 0)
        profiler.disable()
        batch_seconds = time.perf_counter() - t0
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(20)
    breakdown = _breakdown(stats, batch_seconds)
    print("  profiled batch, cumulative seconds (profiler overhead included):", breakdown)
    profile_text = out.getvalue()
    print(profile_text)
    sql_seconds = sum(queries)

    started = time.perf_counter()
    result = recompute_open_tickets.call(after_id=after_id)
    seconds = time.perf_counter() - started
    changed = sum(1 for a, b in zip(sample_before, list(before[:5]), strict=True) if a != b)
    rate = timed / seconds
    projected = 1_000_000 / rate
    label = "measured" if timed >= 1_000_000 else f"EXTRAPOLATED from {timed:,}"
    print(
        f"recompute ({connection.vendor}): {result} in {seconds:.1f} s = {rate:,.0f} tickets/s "
        f"(desk of {total:,} open tickets, last {timed:,} timed); 1,000,000 tickets: "
        f"{projected:.0f} s ({label}; target 60 s). One batch of {BATCH}: "
        f"{1000 * batch_seconds / BATCH:.2f} ms/ticket, {len(queries) / BATCH:.2f} queries/ticket, "
        f"{1000 * sql_seconds / BATCH:.2f} ms/ticket in SQL (as the driver saw it)"
    )
    return {
        "database": connection.vendor,
        "open_tickets": total,
        "timed_tickets": timed,
        "result": result,
        "seconds": seconds,
        "tickets_per_second": rate,
        "projected_seconds_for_1000000": projected,
        "projection": label,
        "sampled_deadlines_changed": f"{changed}/{len(sample_before)}",
        "policy": DESK_TARGETS,
        "profiled_batch": {
            "tickets": BATCH,
            "seconds": batch_seconds,
            "queries": len(queries),
            "queries_per_ticket": len(queries) / BATCH,
            "sql_seconds": sql_seconds,
            "ms_per_ticket": 1000 * batch_seconds / BATCH,
            "python_ms_per_ticket": 1000 * (batch_seconds - sql_seconds) / BATCH,
            "cumulative_seconds": breakdown,
        },
        "seed_seconds": fill,
    }


# (file ending, function) -> label: where a recompute batch spends its time.
PROFILE_PARTS = {
    ("django/db/models/base.py", "save"): "TicketSla.save (ORM UPDATE, one per ticket)",
    ("litso/sla/clock.py", "recompute"): "clock.recompute (the deadlines)",
    ("litso/sla/calendar.py", "add_business_minutes"): "of which add_business_minutes",
    ("django/db/models/query.py", "in_bulk"): "TicketSla in_bulk (one query per batch)",
    ("litso/sla/clock.py", "policy_for"): "policy_for",
    ("django/db/models/query.py", "__iter__"): "QuerySet iteration (tickets, clocks)",
}


def _breakdown(stats: pstats.Stats, total: float) -> dict[str, float]:
    found = {"whole batch (wall, under the profiler)": round(total, 4)}
    table: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    for (filename, _, function), (_, _, _, cumulative, _) in table.items():
        for (ending, name), label in PROFILE_PARTS.items():
            if function == name and filename.endswith(ending):
                found[label] = round(found.get(label, 0.0) + cumulative, 4)
    return found


def _deadlines(args: argparse.Namespace, rng: random.Random) -> dict[str, Any]:
    return deadlines(args.count, rng)


FIGURES: dict[str, Callable[[argparse.Namespace, random.Random], dict[str, Any]]] = {
    "deadlines": _deadlines,
    "timers": timers,
    "recompute": recompute,
}
DATABASE_FIGURES = ("timers", "recompute")


def _throwaway_database(url: str | None) -> tuple[str | None, Callable[[], None]]:
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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--figure", choices=[*FIGURES, "all"], default="all")
    parser.add_argument("--database-url", help="a PostgreSQL server (default: a temp SQLite)")
    parser.add_argument("--count", type=int, default=20000, help="deadline computations")
    parser.add_argument("--timers", type=int, default=10_000, help="due tickets to drain")
    parser.add_argument("--tickets", type=int, default=1_000_000, help="open tickets (recompute)")
    parser.add_argument("--recompute", type=int, default=100_000, help="of them, how many timed")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    names = list(FIGURES) if args.figure == "all" else [args.figure]
    if args.database_url:
        names = [name for name in names if name in DATABASE_FIGURES]
    results: dict[str, Any] = {}
    if "deadlines" in names:
        results["deadlines"] = _deadlines(args, random.Random(args.seed))
    wanted = [name for name in names if name in DATABASE_FIGURES]
    if wanted:
        url, cleanup = _throwaway_database(args.database_url)
        try:
            vendor = setup_django(url)
            for name in wanted:
                # A fresh desk per figure: the scheduler's breaches would skew the recompute.
                if name != wanted[0]:
                    from django.core.management import call_command

                    call_command("flush", interactive=False, verbosity=0)
                results[f"{name}-{vendor}"] = FIGURES[name](args, random.Random(args.seed))
        finally:
            cleanup()
    print(f"wrote {_merge_result(results)}")


def _merge_result(results: dict[str, Any]) -> Path:
    """Keep the other figures already in sla.json: each run measures only some."""
    path = RESULTS / "sla.json"
    kept: dict[str, Any] = {}
    if path.exists():
        kept = json.loads(path.read_text(encoding="utf-8"))
        for key in ("benchmark", "measured_at", "machine"):
            kept.pop(key, None)
    return write_result("sla", {**kept, **results})


if __name__ == "__main__":
    main()
