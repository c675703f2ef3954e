from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from litso.jobs.scheduler import Scheduler


class Command(BaseCommand):
    help = "Run the scheduler loop: due timers, auto-close, re-queueing tasks of dead workers."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="run every job once, then exit")
        parser.add_argument("--tick", type=float, default=1.0, help="seconds between rounds")

    def handle(self, *args: Any, once: bool, tick: float, **options: Any) -> None:
        scheduler = Scheduler(tick=tick)
        if once:
            for name, count in scheduler.run_once().items():
                self.stdout.write(f"{name}: {count}")
            return
        scheduler.install_signal_handlers()
        scheduler.run_forever()
