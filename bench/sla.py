"""SLA business-time engine: how fast deadlines are computed. No database.

    .venv/bin/python bench/sla.py [--count 20000] [--seed 1]

Figures (each a function in FIGURES, returning its own entry of the JSON):
- deadlines: `add_business_minutes` calls per second on a Warsaw office calendar (Mon–Fri
  09:00–13:00 and 14:00–18:00, Polish holidays), random starts over 2026, random targets from
  30 minutes to 5 days (7,200 business minutes, about three weeks of this calendar).

Writes bench/results/sla.json.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
from _setup import percentiles, write_result
from litso.sla.calendar import Calendar, add_business_minutes

WARSAW_OFFICE = {
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


FIGURES: dict[str, Callable[[int, random.Random], dict[str, Any]]] = {"deadlines": deadlines}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    results = {
        name: figure(args.count, random.Random(args.seed)) for name, figure in FIGURES.items()
    }
    print(f"wrote {write_result('sla', results)}")


if __name__ == "__main__":
    main()
