"""The scheduler loop: periodic jobs that claim due rows and act on them.

Each job is a function returning how many rows it handled. Jobs claim their rows with
``claim_due`` inside a transaction (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several
schedulers never take the same row; SQLite has one writer at a time, so the transaction alone
is enough) and change them in that same transaction, so a row never fires twice.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import TypeVar

from django.db import close_old_connections, models
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from litso.jobs.models import SchedulerRun

logger = logging.getLogger(__name__)
M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every_seconds: float
    run: Callable[[], int]


_JOBS: dict[str, PeriodicJob] = {}


def periodic(name: str, every_seconds: float) -> Callable[[Callable[[], int]], Callable[[], int]]:
    def register(fn: Callable[[], int]) -> Callable[[], int]:
        _JOBS[name] = PeriodicJob(name, every_seconds, fn)
        return fn

    return register


def jobs() -> dict[str, PeriodicJob]:
    # Each app keeps its periodic jobs in a `scheduled` module, found like admin modules.
    autodiscover_modules("scheduled")
    return dict(_JOBS)


def claim_due(queryset: models.QuerySet[M], limit: int) -> list[M]:
    """Lock up to ``limit`` rows that nobody else holds; call inside transaction.atomic()."""
    return list(queryset.select_for_update(skip_locked=True)[:limit])


class Scheduler:
    def __init__(self, tick: float = 1.0) -> None:
        self.tick = tick
        self.stopping = threading.Event()
        self.next_run: dict[str, float] = {}

    def stop(self, signum: int | None = None, frame: FrameType | None = None) -> None:
        logger.info("scheduler stopping")
        self.stopping.set()

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)

    def run_once(self) -> dict[str, int]:
        """Run every job whose time has come; the first call runs them all (catch-up)."""
        now = time.monotonic()
        done: dict[str, int] = {}
        for job in jobs().values():
            if self.stopping.is_set():
                break
            if self.next_run.get(job.name, 0.0) > now:
                continue
            self.next_run[job.name] = now + job.every_seconds
            done[job.name] = self._run_job(job)
        return done

    def _run_job(self, job: PeriodicJob) -> int:
        started = timezone.now()
        count, error = 0, ""
        try:
            count = job.run()
        except Exception as exc:
            # One broken job must not stop the others; the error is kept for admins.
            logger.exception("periodic job %s failed", job.name)
            error = f"{type(exc).__name__}: {exc}"
        SchedulerRun.objects.update_or_create(
            name=job.name,
            defaults={
                "last_started_at": started,
                "last_finished_at": timezone.now(),
                "last_error": error,
                "last_count": count,
            },
        )
        if count:
            logger.info("%s handled %d", job.name, count)
        return count

    def run_forever(self) -> None:
        logger.info("scheduler started with jobs: %s", ", ".join(sorted(jobs())))
        while not self.stopping.is_set():
            # Between rounds, like between requests: drop connections that broke or aged.
            close_old_connections()
            self.run_once()
            self.stopping.wait(self.tick)
