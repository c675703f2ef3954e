"""Background tasks that are retried with backoff and, in the end, shown as failed.

``durable_task`` wraps django-tasks' ``task``: a failed attempt enqueues the next one with a
growing delay and finishes with a note saying so; only the last attempt's failure marks the
task result FAILED, which is what admins see under "Task results" (status: failed).

Enqueue inside the transaction that causes the work: with the database backend the task row
commits or rolls back with the change itself, so nothing is lost and nothing is sent for a
change that did not happen.
"""

from __future__ import annotations

import datetime
import functools
import logging
import random
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task

logger = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")

ATTEMPT_KWARG = "_attempt"


def backoff_seconds(attempt: int) -> float:
    """10 s, 20 s, 40 s … capped at an hour, with jitter so retries do not stampede."""
    base: float = min(10 * 2 ** (attempt - 1), 3600)
    return base * random.uniform(0.8, 1.2)


def durable_task(
    *, queue_name: str = "default", priority: int = 0, max_attempts: int | None = None
) -> Callable[[Callable[P, R]], Task[Any, Any]]:
    def decorate(fn: Callable[P, R]) -> Task[Any, Any]:
        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            attempt = int(kwargs.pop(ATTEMPT_KWARG, 1))
            try:
                return fn(*args, **kwargs)
            except Exception as exc:
                limit = max_attempts or settings.LITSO_TASK_MAX_ATTEMPTS
                if attempt >= limit:
                    logger.error("%s failed for good after %d attempts", fn.__qualname__, attempt)
                    raise
                delay = backoff_seconds(attempt)
                run_after = timezone.now() + datetime.timedelta(seconds=delay)
                the_task.using(run_after=run_after).enqueue(
                    *args, **{**kwargs, ATTEMPT_KWARG: attempt + 1}
                )
                logger.warning(
                    "%s attempt %d failed (%s); retrying in %.0f s",
                    fn.__qualname__,
                    attempt,
                    exc,
                    delay,
                )
                return {
                    "retried": True,
                    "attempt": attempt,
                    "error": f"{type(exc).__name__}: {exc}",
                    "next_attempt_at": run_after.isoformat(),
                }

        the_task: Task[Any, Any] = task(queue_name=queue_name, priority=priority)(run)
        return the_task

    return decorate
