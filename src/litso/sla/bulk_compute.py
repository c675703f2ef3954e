"""`clock.recompute` for many clocks of one policy and one calendar at once, on numpy columns.

This is the bulk path of a recompute after a calendar or policy change; it must give exactly
what `clock.recompute` gives ticket by ticket (tests/sla/test_bulk_compute.py checks that on
random calendars and clocks). It covers the clocks a recompute normally meets: a clock whose
ticket has no event to take in (the counters it saw are the ticket's, its cycles started).
Everything else — a new clock, a customer message or a reply not yet seen, an instant the
table cannot answer, a negative remaining time — is marked `slow`, and the caller runs
`clock.recompute` on those tickets one by one.

Columns are int64 arrays (instants in microseconds since the epoch, `NULL` when missing, -1
for a missing number) or numpy string arrays (status); `fired` is the stored JSON text.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC

import numpy as np

from litso.sla.clock import BREACH, WARNING
from litso.sla.models import TARGETS, SlaPolicy
from litso.sla.timeline import MINUTE_US, from_us
from litso.sla.vector import NULL, Array, BusinessTable, Mask, elapsed_between
from litso.tickets.models import OPEN_STATUSES, Status

# What a recompute reads of each ticket and its clock, in this order.
TICKET_COLUMNS = ("created_at", "first_response_at", "customer_messages", "agent_replies")
CLOCK_COLUMNS = (
    "policy_id",
    "first_response_due",
    "next_response_due",
    "periodic_update_due",
    "resolution_due",
    "next_timer_at",
    "paused_since",
    "paused_minutes",
    "paused_business_minutes",
    "paused_calendar_minutes",
    "response_cycle_start",
    "response_cycle_pause",
    "update_cycle_start",
    "update_cycle_pause",
    "seen_customer_messages",
    "seen_agent_replies",
    "first_response_business_minutes",
    "first_response_calendar_minutes",
)
# The columns the bulk path may change (the others change only with an event: slow path).
WRITTEN = (
    "policy_id",
    "first_response_due",
    "next_response_due",
    "periodic_update_due",
    "resolution_due",
    "next_timer_at",
    "paused_since",
    "paused_minutes",
    "paused_business_minutes",
    "paused_calendar_minutes",
    "first_response_business_minutes",
    "first_response_calendar_minutes",
)
INSTANTS = frozenset(
    name for name in (*TICKET_COLUMNS, *CLOCK_COLUMNS) if name.endswith(("_at", "_due", "_since"))
) | {"response_cycle_start", "update_cycle_start"}
EMPTY_FIRED = "[]"


@dataclass
class Frame:
    """One chunk of open tickets with their clocks, column by column."""

    ids: Array
    status: np.ndarray  # numpy str array
    has_clock: Mask
    columns: dict[str, Array]
    fired: list[str]
    # Filled by `compute_group`: the new values of WRITTEN, and the fired JSON.
    out: dict[str, Array] = field(default_factory=dict)
    out_fired: list[str] = field(default_factory=list)
    slow: Mask = field(default_factory=lambda: np.zeros(0, dtype=bool))

    def __post_init__(self) -> None:
        self.out = {name: self.columns[name].copy() for name in WRITTEN}
        self.out_fired = list(self.fired)
        self.slow = np.zeros(len(self.ids), dtype=bool)

    def changed(self) -> Mask:
        """Rows the bulk path computed whose written values differ from the stored ones."""
        differs = np.zeros(len(self.ids), dtype=bool)
        for name in WRITTEN:
            differs |= self.out[name] != self.columns[name]
        pairs = zip(self.out_fired, self.fired, strict=True)
        differs |= np.array([new is not old and new != old for new, old in pairs], dtype=bool)
        return differs & ~self.slow


def warn_minutes(target: int, percent: int) -> int:
    return max(1, math.ceil(target * percent / 100))


class Measure:
    """The policy's minutes on arrays: business minutes of the table, or elapsed minutes."""

    def __init__(self, business: bool, table: BusinessTable) -> None:
        self.business = business
        self.table = table

    def add(self, starts: Array, minutes: Array) -> tuple[Array, Mask]:
        if self.business:
            return self.table.add(starts, minutes)
        return starts + minutes * MINUTE_US, np.ones(len(starts), dtype=bool)

    def between(self, starts: Array, ends: Array) -> tuple[Array, Mask]:
        if self.business:
            return self.table.between(starts, ends)
        return elapsed_between(starts, ends), np.ones(len(starts), dtype=bool)


def clear_group(frame: Frame, rows: Array) -> None:
    """No policy matches these tickets: `clock.clear` for the clocks that had one."""
    rows = rows[frame.has_clock[rows] & (frame.columns["policy_id"][rows] != -1)]
    for name in ("policy_id", *(f"{kind}_due" for kind in TARGETS), "next_timer_at"):
        frame.out[name][rows] = -1 if name == "policy_id" else NULL


def compute_group(
    frame: Frame, rows: Array, policy: SlaPolicy, table: BusinessTable, now: int
) -> None:
    """`clock.recompute` of `policy` (on `table`'s calendar) for the given rows of `frame`."""
    col = {name: values[rows] for name, values in frame.columns.items()}
    status = frame.status[rows]
    measure = Measure(policy.business_time, table)
    count = len(rows)
    now_array = np.full(count, now, dtype=np.int64)
    ok = (
        frame.has_clock[rows]
        & (col["update_cycle_start"] != NULL)
        & (col["customer_messages"] == col["seen_customer_messages"])
        & (col["agent_replies"] == col["seen_agent_replies"])
    )

    # The pause: starts now in a paused status, ends now out of one.
    paused = np.isin(status, [*policy.paused_statuses, Status.SOLVED])
    since = col["paused_since"].copy()
    paused_minutes = col["paused_minutes"].copy()
    paused_business = col["paused_business_minutes"].copy()
    paused_calendar = col["paused_calendar_minutes"].copy()
    ending = ~paused & (since != NULL)
    if ending.any():
        minutes, answered = measure.between(since, now_array)
        business, business_answered = table.between(since, now_array)
        ok &= ~ending | (answered & business_answered)
        paused_minutes += np.where(ending, np.maximum(0, minutes), 0)
        paused_business += np.where(ending, np.maximum(0, business), 0)
        paused_calendar += np.where(ending, np.maximum(0, elapsed_between(since, now_array)), 0)
    since = np.where(paused & (since == NULL), now, np.where(ending, NULL, since))

    # The first response, recorded once, less the time paused by then.
    created, answered_at = col["created_at"], col["first_response_at"]
    record = (answered_at != NULL) & (col["first_response_calendar_minutes"] == -1)
    first_business = col["first_response_business_minutes"].copy()
    first_calendar = col["first_response_calendar_minutes"].copy()
    if record.any():
        still = record & (since != NULL)
        extra_business, extra_answered = table.between(since, answered_at)
        stopped_business = paused_business + np.where(still, np.maximum(0, extra_business), 0)
        stopped_calendar = paused_calendar + np.where(
            still, np.maximum(0, elapsed_between(since, answered_at)), 0
        )
        spent_business, spent_answered = table.between(created, answered_at)
        ok &= ~record | (spent_answered & (~still | extra_answered))
        first_business = np.where(
            record, np.maximum(0, spent_business - stopped_business), first_business
        )
        first_calendar = np.where(
            record,
            np.maximum(0, elapsed_between(created, answered_at) - stopped_calendar),
            first_calendar,
        )

    running = np.isin(status, list(OPEN_STATUSES)) & ~paused
    answered_first = answered_at != NULL
    cycle_start = col["response_cycle_start"]
    starts: dict[str, tuple[Mask, Array, Array]] = {
        "first_response": (~answered_first, created, paused_minutes),
        "next_response": (
            (cycle_start != NULL) & answered_first,
            cycle_start,
            paused_minutes - col["response_cycle_pause"],
        ),
        "periodic_update": (
            np.ones(count, dtype=bool),
            col["update_cycle_start"],
            paused_minutes - col["update_cycle_pause"],
        ),
        "resolution": (np.ones(count, dtype=bool), created, paused_minutes),
    }
    timers: dict[str, tuple[Mask, Array, Array, Array]] = {}
    for kind, (applies, begun, pause) in starts.items():
        target = policy.target(kind)
        due = np.full(count, NULL, dtype=np.int64)
        if target is not None:
            active = running & applies
            total = target + pause
            warn_total = warn_minutes(target, policy.warn_at_percent) + pause
            # A negative remaining time is an error of the one-ticket path: left to it.
            ok &= ~active | ((total >= 0) & (warn_total >= 0))
            due_at, due_answered = measure.add(begun, np.maximum(total, 0))
            warn_at, warn_answered = measure.add(begun, np.maximum(warn_total, 0))
            ok &= ~active | (due_answered & warn_answered)
            due = np.where(active, due_at, NULL)
            timers[kind] = (active, begun, warn_at, due_at)
        frame.out[f"{kind}_due"][rows] = due

    next_timer = np.full(count, NULL, dtype=np.int64)
    for active, _, warn_at, due_at in timers.values():
        soonest = np.minimum(warn_at, due_at)
        next_timer = np.where(
            active & ((next_timer == NULL) | (soonest < next_timer)), soonest, next_timer
        )
    for position, row in enumerate(rows.tolist()):
        if frame.fired[row] != EMPTY_FIRED and ok[position]:
            kept, soonest_left = _fired_and_next(frame, row, position, col, timers)
            frame.out_fired[row] = kept
            next_timer[position] = soonest_left

    frame.out["policy_id"][rows] = policy.pk
    frame.out["next_timer_at"][rows] = next_timer
    frame.out["paused_since"][rows] = since
    frame.out["paused_minutes"][rows] = paused_minutes
    frame.out["paused_business_minutes"][rows] = paused_business
    frame.out["paused_calendar_minutes"][rows] = paused_calendar
    frame.out["first_response_business_minutes"][rows] = first_business
    frame.out["first_response_calendar_minutes"][rows] = first_calendar
    frame.slow[rows] |= ~ok


def _iso(instant: int) -> str:
    return from_us(instant, UTC).isoformat()


def _fired_and_next(
    frame: Frame,
    row: int,
    position: int,
    col: dict[str, Array],
    timers: dict[str, tuple[Mask, Array, Array, Array]],
) -> tuple[str, int]:
    """`clock._still_relevant` and the next timer not yet fired, for a clock with fired keys."""
    stored: list[str] = json.loads(frame.fired[row])
    cycles = {
        "next_response": int(col["response_cycle_start"][position]),
        "periodic_update": int(col["update_cycle_start"][position]),
    }
    kept = []
    for key in stored:
        kind, _, cycle = key.split(":", 2)
        # Keys of the cycles still running stay; so do first response and resolution keys.
        if kind not in cycles or (cycles[kind] != NULL and cycle == _iso(cycles[kind])):
            kept.append(key)
    done = set(kept)
    pending = []
    for kind, (active, begun, warn_at, due_at) in timers.items():
        if not active[position]:
            continue
        cycle = _iso(int(begun[position]))
        if f"{kind}:{WARNING}:{cycle}" not in done:
            pending.append(int(warn_at[position]))
        if f"{kind}:{BREACH}:{cycle}" not in done:
            pending.append(int(due_at[position]))
    text = frame.fired[row] if kept == stored else json.dumps(kept)
    return text, min(pending) if pending else NULL
