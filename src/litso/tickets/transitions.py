"""Which status may follow which. Anything not listed here is refused, naming both states."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from litso.tickets.models import Status

S = Status
TRANSITIONS: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.OPEN, S.PENDING_CUSTOMER, S.ON_HOLD, S.SOLVED, S.CLOSED}),
    S.OPEN: frozenset({S.PENDING_CUSTOMER, S.ON_HOLD, S.SOLVED, S.CLOSED}),
    S.PENDING_CUSTOMER: frozenset({S.OPEN, S.ON_HOLD, S.SOLVED, S.CLOSED}),
    S.ON_HOLD: frozenset({S.OPEN, S.PENDING_CUSTOMER, S.SOLVED, S.CLOSED}),
    # Reopening a solved ticket is allowed and counted; a closed ticket is final and a new
    # message opens a linked follow-up instead.
    S.SOLVED: frozenset({S.OPEN, S.CLOSED}),
    S.CLOSED: frozenset(),
}


def check_transition(old: str, new: str) -> None:
    old, new = str(old), str(new)
    if new not in Status.values:
        raise ValidationError({"status": f"unknown status {new!r}; use one of {Status.values}"})
    if new == old:
        return
    if new not in TRANSITIONS[old]:
        allowed = ", ".join(sorted(TRANSITIONS[old])) or "none: the ticket is closed"
        raise ValidationError(
            {
                "status": f"a ticket cannot go from {old!r} to {new!r} "
                f"(allowed from {old!r}: {allowed})"
            }
        )
