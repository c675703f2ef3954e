"""Time-driven search housekeeping, run by the scheduler loop."""

from __future__ import annotations

import time

from litso.jobs.scheduler import periodic
from litso.search import vocabulary

# One run stops after this long, so the loop's other jobs are not kept waiting.
BUDGET_SECONDS = 2.0


@periodic("search.absorb_vocabulary", every_seconds=5)
def absorb_vocabulary() -> int:
    """Words of newly indexed messages into the SQLite index's vocabulary (vocabulary.py)."""
    started = time.monotonic()
    total = done = vocabulary.absorb()
    while done and time.monotonic() - started < BUDGET_SECONDS:
        done = vocabulary.absorb()
        total += done
    return total
