"""Running queued tasks in-process: for `litso mail ingest`, tests and benchmarks."""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

IN_PROCESS_WORKER_ID = "in-process"


def run_pending_tasks(queue_names: tuple[str, ...] = (), max_tasks: int | None = None) -> int:
    """Run every task that is ready now (including ones enqueued meanwhile); return how many.

    Unlike the worker loop this never closes the database connection, so it works inside a
    caller's transaction (tests) and shares the caller's connection.
    """
    worker = Worker(
        queue_names=list(queue_names) or ["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id=IN_PROCESS_WORKER_ID,
        excluded_queue_names=[],
    )
    ready = DBTaskResult.objects.ready().filter(backend_name="default")
    if queue_names:
        ready = ready.filter(queue_name__in=queue_names)
    count = 0
    while max_tasks is None or count < max_tasks:
        with exclusive_transaction(ready.db):
            result = ready.get_locked()
            if result is not None:
                result.claim(worker.worker_id)
        if result is None:
            return count
        worker.run_task(result)
        count += 1
    return count
