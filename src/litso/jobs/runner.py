"""Running queued tasks in-process: for `litso mail ingest`, tests and benchmarks."""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Worker


def run_pending_tasks(queue_names: tuple[str, ...] = ("*",), max_tasks: int | None = None) -> int:
    """Run every task that is ready now (including ones enqueued meanwhile); return how many."""
    worker = Worker(
        queue_names=list(queue_names),
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id="in-process",
        excluded_queue_names=[],
    )
    worker.run()
    return worker._run_tasks
