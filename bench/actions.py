"""Tickets opened per second through the action layer (one transaction each, not bulk).

    .venv/bin/python bench/actions.py [--tickets 2000] [--database-url URL]

Each ticket: a customer looked up or created by email, the ticket numbered, the first message
and its audit event written. Prints throughput and latency percentiles; writes
bench/results/actions-<vendor>.json.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import percentiles, setup_django, write_result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    vendor = setup_django(args.database_url)

    from litso.audit.record import Actor
    from litso.customers.contacts import get_or_create_customer
    from litso.departments.models import Department
    from litso.tickets.actions import do_open_ticket

    dept, _ = Department.objects.get_or_create(name="Bench")
    latencies = []
    started = time.perf_counter()
    for i in range(args.tickets):
        t0 = time.perf_counter()
        # Half the tickets come from returning customers, as on a real desk.
        customer, _ = get_or_create_customer("email", f"bench{i % (args.tickets // 2 or 1)}@x.test")
        do_open_ticket(
            customer=customer,
            subject=f"Zamówienie {i}: gdzie jest moja paczka?",
            body_text="Dzień dobry, zamówiłam tkaninę z nadrukiem tydzień temu. " * 4,
            channel="email",
            department=dept,
            actor=Actor.customer(),
        )
        latencies.append((time.perf_counter() - t0) * 1000)
    elapsed = time.perf_counter() - started
    rate = args.tickets / elapsed
    lat = percentiles(latencies)
    print(f"{vendor}: {args.tickets} tickets opened in {elapsed:.1f} s = {rate:.0f} tickets/s; "
          f"latency p50 {lat['p50']:.2f} ms, p99 {lat['p99']:.2f} ms")
    path = write_result(f"actions-{vendor}", {
        "database": vendor, "tickets": args.tickets, "seconds": elapsed,
        "tickets_per_second": rate, "latency_ms": lat,
    })
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
