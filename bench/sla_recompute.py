"""SLA figure `recompute`: every open ticket's clock after a calendar change (the bulk path).

The desk's --tickets open tickets are split by id into --workers ranges, each recomputed by
`litso.sla.bulk.recompute_range` (what the `recompute_open_tickets` task runs) in its own
spawned process with its own connection; the figure is the wall time from the first start to
the last finish. Afterwards a random sample of the clocks is recomputed one by one through
`clock.recompute` with the same "now": a correct bulk path leaves nothing for it to change.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import resource
import time
from typing import Any

from sla_desk import WARSAW_OFFICE, fill, make_desk

DESK_TARGETS = {
    "first_response_minutes": 60,
    "next_response_minutes": 240,
    "periodic_update_minutes": 480,
    "resolution_minutes": 2400,
}
# Open statuses of the recompute desk: paused ones too, as a real desk has them.
OPEN_MIX = (("new", 25), ("open", 45), ("pending_customer", 20), ("on_hold", 10))
SAMPLE = 2000


def _split(workers: int) -> list[tuple[int, int | None]]:
    """Id ranges ``(after, until]`` holding about as many open tickets each."""
    from litso.tickets.models import OPEN_STATUSES, Ticket

    ids = list(
        Ticket.objects.filter(status__in=OPEN_STATUSES).order_by("pk").values_list("pk", flat=True)
    )
    bounds = [0] + [ids[len(ids) * part // workers - 1] for part in range(1, workers)]
    return [
        (bounds[part], bounds[part + 1] if part + 1 < workers else None) for part in range(workers)
    ]


def _worker(after: int, until: int | None, now: Any, queue: Any, go: Any) -> None:
    # A fresh interpreter (spawned, not forked), so its peak RSS is the recompute's own; the
    # database settings come through the environment the parent set up.
    import os

    from _setup import setup_django

    setup_django(os.environ.get("DATABASE_URL"), migrate=False)
    from django.db import connection

    from litso.sla.bulk import recompute_range

    server = None
    if connection.vendor == "postgresql":
        # The server process serving this connection runs on this machine: its CPU time is
        # the database's share of the work.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            server = cursor.fetchone()[0]
    # Started like a running worker: set up first, then timed from the same moment as the rest.
    queue.put("ready")
    go.wait()

    started = time.perf_counter()
    server_before = _cpu_of(server)
    outcome = recompute_range(after, until, now=now)
    outcome.seconds["database server cpu"] = _cpu_of(server) - server_before
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put((outcome, time.perf_counter() - started, peak_kib))


def _cpu_of(pid: int | None) -> float:
    """User + system CPU seconds of a process on this machine (0 when there is none)."""
    if pid is None:
        return 0.0
    import os
    from pathlib import Path

    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _verify(now: Any, rng: random.Random) -> dict[str, int]:
    """Recompute a sample through `clock.recompute`: how many would it change?"""
    from litso.sla.clock import active_policies, policy_for, safe_recompute
    from litso.sla.models import TicketSla
    from litso.sla.tasks import ClockWriter
    from litso.tickets.models import OPEN_STATUSES, Ticket

    ids = list(
        Ticket.objects.filter(status__in=OPEN_STATUSES).order_by("pk").values_list("pk", flat=True)
    )
    sample = rng.sample(ids, min(SAMPLE, len(ids)))
    writer = ClockWriter(TicketSla)
    policies = active_policies()
    clocks = TicketSla.objects.in_bulk(sample)
    differ = 0
    for ticket in Ticket.objects.filter(pk__in=sample).select_related("customer"):
        sla = clocks[ticket.pk]
        before = writer.values(sla)
        policy = policy_for(ticket, policies)
        assert policy is not None
        safe_recompute(ticket, sla, policy, now)
        differ += writer.values(sla) != before
    return {"sampled": len(sample), "differ_from_one_by_one": differ}


def _run(workers: int, now: Any) -> dict[str, Any]:
    """Recompute every open ticket in `workers` spawned processes; the figures of that run."""
    from django.db import connections

    from litso.sla.bulk import Outcome, describe

    ranges = _split(workers)
    connections.close_all()
    context = multiprocessing.get_context("spawn")
    queue, go = context.Queue(), context.Event()
    processes = [
        context.Process(target=_worker, args=(after, until, now, queue, go))
        for after, until in ranges
    ]
    for process in processes:
        process.start()
    for _ in processes:
        assert queue.get() == "ready"
    started = time.perf_counter()
    go.set()
    results = [queue.get() for _ in processes]
    seconds = time.perf_counter() - started
    for process in processes:
        process.join()
    outcome = Outcome()
    for part, _, _ in results:
        outcome.add(part)
    cpu = sum(spent for phase, spent in outcome.seconds.items() if phase.endswith(" cpu"))
    cpu -= outcome.seconds.get("database server cpu", 0.0)
    return {
        "result": describe(outcome),
        "seconds": seconds,
        "tickets_per_second": outcome.tickets / seconds,
        "worker_seconds": [round(spent, 2) for _, spent, _ in results],
        "worker_cpu_seconds": round(cpu, 2),
        "database_server_cpu_seconds": round(outcome.seconds.get("database server cpu", 0.0), 2),
        "phase_seconds_summed": {k: round(v, 2) for k, v in outcome.seconds.items()},
        "peak_rss_mib_per_worker": round(max(peak for _, _, peak in results) / 1024, 1),
    }


def recompute(args: argparse.Namespace, rng: random.Random) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from litso.sla.models import BusinessCalendar

    total = args.tickets
    vendor = connection.vendor
    policy = make_desk(DESK_TARGETS)
    seeded = fill(total, rng, OPEN_MIX, (0.0, 14.0), policy.pk, timers_due=False)
    print(f"  seeded {total:,} open tickets with clocks in {seeded:.1f} s", flush=True)
    # The seeded clocks are rough (no deadlines computed, first responses not measured):
    # the first run writes every clock, the worst case; the second, after a calendar change,
    # is the figure of the issue.
    settle = _run(args.workers, timezone.now())
    print(f"  first run (every clock written): {settle}", flush=True)
    # The calendar change: a new Saturday morning, through the model as an admin would.
    calendar = BusinessCalendar.objects.get()
    calendar.spec = {
        **WARSAW_OFFICE,
        "week": {**WARSAW_OFFICE["week"], "sat": [["09:00", "13:00"]]},
    }
    calendar.save()
    now = timezone.now()
    figures = _run(args.workers, now)
    checked = _verify(now, rng)
    print(
        f"recompute ({vendor}, {args.workers} worker(s)) after a calendar change: "
        f"{figures['result']} in {figures['seconds']:.1f} s = "
        f"{figures['tickets_per_second']:,.0f} tickets/s, {figures['worker_cpu_seconds']} s of "
        f"CPU in the workers and {figures['database_server_cpu_seconds']} s in the database "
        f"server; peak RSS per worker {figures['peak_rss_mib_per_worker']} MiB; "
        f"phases (s, summed over workers) {figures['phase_seconds_summed']}; sample check "
        f"{checked}; target: 1,000,000 in 60 s",
        flush=True,
    )
    return {
        "database": vendor,
        "open_tickets": total,
        "workers": args.workers,
        **figures,
        "sample_check": checked,
        "first_run_every_clock_written": settle,
        "policy": DESK_TARGETS,
        "seed_seconds": seeded,
    }
