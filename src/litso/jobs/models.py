from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """A task worker's last sign of life; the scheduler re-queues the task of a dead one."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255)
    pid = models.IntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} on {self.hostname} (pid {self.pid})"


class SchedulerRun(models.Model):
    """When each periodic job last ran, so a restarted scheduler picks up where it was."""

    name = models.CharField(max_length=100, primary_key=True)
    last_started_at = models.DateTimeField(null=True)
    last_finished_at = models.DateTimeField(null=True)
    last_error = models.TextField(blank=True)
    last_count = models.IntegerField(default=0)

    def __str__(self) -> str:
        return self.name
