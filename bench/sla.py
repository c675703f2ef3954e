"""SLA engine: how fast deadlines are computed, timers fire and a desk is recomputed.

    .venv/bin/python bench/sla.py [--figure NAME] [--database-url URL] [--count 20000]
        [--timers 10000] [--tickets 1000000] [--workers 1] [--seed 1]

Figures (each a function in FIGURES, returning its own entry of the JSON; the database
figures live in bench/sla_timers.py and bench/sla_recompute.py, the desk in bench/sla_desk.py):
- deadlines: `add_business_minutes` calls per second on a Warsaw office calendar (Mon–Fri
  09:00–13:00 and 14:00–18:00, Polish holidays), random starts over 2026, random targets from
  30 minutes to 5 days (7,200 business minutes, about three weeks of this calendar). No database.
- timers: the scheduler's `sla.fire_due_timers` job draining --timers tickets whose first
  response and resolution are overdue (one policy on the Warsaw calendar, 30 and 240 business
  minutes): each ticket fires two breaches (audit event, SlaBreach, and a notification task
  when assigned). Timers per second, and the time projected for 100,000.
- recompute: the bulk recompute (`litso.sla.bulk.recompute_range`, what the
  `recompute_open_tickets` task runs) after a calendar change, on a desk of --tickets open
  tickets that already have clocks, split over --workers spawned processes by id range; wall
  time, tickets per second, peak RSS, and a sample recomputed one by one to check it
  (bench/sla_recompute.py).

The database figures run on a throwaway desk: without --database-url a fresh SQLite file in a
temporary LITSO_DATA_DIR; with a PostgreSQL URL a database `litso_bench_sla` created on that
server (createdb) and dropped afterwards. Tickets (no messages) and clocks go in by bulk SQL,
mirroring what the ticket actions and `recompute` would write. Each run updates its own
entries of bench/results/sla.json (database figures are keyed by vendor: "timers-sqlite"...).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
from _setup import RESULTS, percentiles, setup_django, write_result
from litso.sla.calendar import Calendar, add_business_minutes
from sla_desk import WARSAW_OFFICE, YEAR_START, throwaway_database
from sla_recompute import recompute
from sla_timers import timers

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


def _deadlines(args: argparse.Namespace, rng: random.Random) -> dict[str, Any]:
    return deadlines(args.count, rng)


FIGURES: dict[str, Callable[[argparse.Namespace, random.Random], dict[str, Any]]] = {
    "deadlines": _deadlines,
    "timers": timers,
    "recompute": recompute,
}
DATABASE_FIGURES = ("timers", "recompute")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--figure", choices=[*FIGURES, "all"], default="all")
    parser.add_argument("--database-url", help="a PostgreSQL server (default: a temp SQLite)")
    parser.add_argument("--count", type=int, default=20000, help="deadline computations")
    parser.add_argument("--timers", type=int, default=10_000, help="due tickets to drain")
    parser.add_argument("--tickets", type=int, default=1_000_000, help="open tickets (recompute)")
    parser.add_argument("--workers", type=int, default=1, help="recompute worker processes")
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
        url, cleanup = throwaway_database(args.database_url)
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
