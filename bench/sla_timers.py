"""SLA figure `timers`: the scheduler's `sla.fire_due_timers` job draining due tickets."""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import time
from collections.abc import Callable
from typing import Any

from litso.sla.calendar import add_business_minutes
from sla_desk import YEAR_START, fill, make_desk

TIMER_TARGETS = {"first_response_minutes": 30, "resolution_minutes": 240}


def timers(args: argparse.Namespace, rng: random.Random) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from litso.sla.models import SlaBreach, TicketSla
    from litso.sla.scheduled import fire_due_timers

    count = args.timers
    policy = make_desk(TIMER_TARGETS)
    seeded = fill(count, rng, (("new", 1),), (7.0, 21.0), policy.pk, timers_due=True)
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
    started, started_cpu = time.perf_counter(), time.process_time()
    fired = rounds = 0
    while TicketSla.objects.filter(next_timer_at__lte=timezone.now()).exists():
        fired += fire_due_timers()
        rounds += 1
    seconds = time.perf_counter() - started
    cpu = time.process_time() - started_cpu
    breaches = SlaBreach.objects.count() - 2 * profiled_tickets
    rate = due / seconds
    projected = 100_000 / rate
    # The profiled first round drained some of the --timers tickets already.
    drained = due + profiled_tickets
    label = (
        f"measured ({drained:,} drained in all)"
        if drained >= 100_000
        else f"EXTRAPOLATED from {due:,}"
    )
    print(
        f"timers ({connection.vendor}): {due:,} due tickets drained in {seconds:.1f} s = "
        f"{rate:,.0f} tickets/s ({fired:,} timers fired = {fired / seconds:,.0f}/s, "
        f"{breaches:,} breaches, {1000 * seconds / due:.2f} ms per ticket, "
        f"{1000 * cpu / due:.2f} ms of CPU); "
        f"100,000 tickets: {projected:.0f} s ({label}); seeding took {seeded:.1f} s"
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
        # This process's CPU: all the work on SQLite, the client's share on PostgreSQL.
        "cpu_ms_per_ticket": 1000 * cpu / due,
        "projected_seconds_for_100000": projected,
        "projection": label,
        "policy": TIMER_TARGETS,
        "seed_seconds": seeded,
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
