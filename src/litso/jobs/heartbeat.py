"""Worker liveness: beats from each worker, and re-queueing the task of one that died."""

from __future__ import annotations

import datetime
import logging
import os
import socket
import threading

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from litso.jobs.models import WorkerHeartbeat
from litso.jobs.runner import IN_PROCESS_WORKER_ID

logger = logging.getLogger(__name__)


def beat(worker_id: str, started_at: datetime.datetime) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "beat_at": timezone.now(),
        },
    )


class HeartbeatThread(threading.Thread):
    def __init__(self, worker_id: str, every: float = 10.0) -> None:
        super().__init__(name="litso-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.every = every
        self.started_at = timezone.now()
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                beat(self.worker_id, self.started_at)
            except Exception:
                logger.exception("heartbeat failed")
            finally:
                close_old_connections()
            self.stopping.wait(self.every)
        connection.close()

    def stop(self) -> None:
        self.stopping.set()
        WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()


def requeue_orphaned_tasks() -> int:
    """A task left RUNNING by a worker that stopped beating goes back to the queue.

    Tasks are written to be idempotent (they check state before acting), so running one again
    after a crash is safe; not running it would lose work.
    """
    cutoff = timezone.now() - datetime.timedelta(seconds=settings.LITSO_WORKER_DEAD_AFTER)
    alive = set(
        WorkerHeartbeat.objects.filter(beat_at__gte=cutoff).values_list("worker_id", flat=True)
    )
    count = 0
    with transaction.atomic():
        running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).select_for_update(
            skip_locked=True
        )
        for result in running:
            owner = result.worker_ids[-1] if result.worker_ids else ""
            if owner in alive or owner == IN_PROCESS_WORKER_ID:
                continue
            # A worker that never beat may have just started; give it the grace period too.
            if result.started_at and result.started_at > cutoff:
                continue
            DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.READY, started_at=None
            )
            logger.warning(
                "re-queued task %s (%s) of dead worker %s", result.pk, result.task_path, owner
            )
            count += 1
    WorkerHeartbeat.objects.filter(beat_at__lt=cutoff).delete()
    return count
