"""Time-driven workspace housekeeping, run by the scheduler loop."""

from __future__ import annotations

from litso.jobs.scheduler import periodic
from litso.workspace import presence


@periodic("workspace.forget_stale_presence", every_seconds=600)
def forget_stale_presence() -> int:
    """Presence rows of tabs that closed without saying so (a crash, a lost network)."""
    return presence.forget_stale()
