"""`litso demo`: create the demo company, an online print-on-fabric shop with its own couriers."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from litso.demo.build import (
    MARKER_DEPARTMENT,
    Options,
    build_demo,
    demo_is_present,
    describe,
    desk_is_empty,
)

MIN_CUSTOMERS = 10


class Command(BaseCommand):
    help = (
        "Create the demo company (departments, staff, customers and about a thousand "
        "tickets with their conversations). Running it again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing unless the desk has no tickets and no users yet (for first start)",
        )
        parser.add_argument(
            "--tickets",
            type=int,
            default=Options.tickets,
            help="how many tickets to create (default %(default)s)",
        )
        parser.add_argument(
            "--customers",
            type=int,
            default=Options.customers,
            help="how many customers to create (default %(default)s)",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=Options.seed,
            help="random seed; the same seed gives the same company",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["tickets"] < 0 or options["customers"] < MIN_CUSTOMERS:
            # Fewer customers would leave a language without anyone to write in it.
            raise CommandError(
                f"--tickets must be 0 or more and --customers {MIN_CUSTOMERS} or more"
            )
        if options["if_empty"] and not desk_is_empty():
            self.stdout.write("The desk already has tickets or users; no demo company added.")
            return
        if demo_is_present():
            self.stdout.write(
                f"The {MARKER_DEPARTMENT} department exists, so the demo company (or a real "
                "one) is already here; nothing created."
            )
            return
        summary = build_demo(
            Options(
                tickets=options["tickets"], customers=options["customers"], seed=options["seed"]
            ),
            say=self.stdout.write,
        )
        for line in describe(summary):
            self.stdout.write(line)
