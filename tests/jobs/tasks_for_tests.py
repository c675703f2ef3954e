"""Tasks used only by the job tests (task paths must be importable by the worker)."""

from __future__ import annotations

from litso.jobs.durable import durable_task

CALLS: list[int] = []


@durable_task(max_attempts=3)
def flaky(fail_times: int) -> str:
    CALLS.append(fail_times)
    if len(CALLS) <= fail_times:
        raise ConnectionError(f"SMTP down (call {len(CALLS)})")
    return "done"
