from __future__ import annotations

from typing import Any

from django_tasks_db.management.commands import db_worker

from litso.jobs.heartbeat import HeartbeatThread


class Command(db_worker.Command):
    help = "Run a Litso task worker (all queues by default) that reports it is alive."

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*", reload=False)

    def handle(self, *args: Any, **options: Any) -> None:
        heartbeat = HeartbeatThread(options["worker_id"])
        heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            heartbeat.stop()
