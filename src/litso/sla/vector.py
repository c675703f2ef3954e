"""Business-time arithmetic on numpy arrays of instants, for recomputing many clocks at once.

A `BusinessTable` lays a calendar's open intervals over a span of real time, taken from the
very blocks `litso.sla.calendar` computes with, with their running totals. Adding business
minutes is then two `searchsorted` calls for a whole array of starts, and the open time
between two instants a subtraction of two looked-up totals: the same arithmetic as
`add_business_minutes` and `business_minutes_between`, exact to the microsecond.

Instants are int64 microseconds since the epoch (`litso.sla.timeline`); a missing instant is
`NULL`. Every operation also returns where it could answer: an instant outside the table's
span, or a deadline beyond it, is left to the one-ticket path, which raises or answers as
the calendar says.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from litso.sla.blocks import BLOCK_US
from litso.sla.calendar import Calendar
from litso.sla.timeline import MINUTE_US

Array = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]
# Stands for "no instant" in int64 columns (no real instant is this far in the past).
NULL = np.iinfo(np.int64).min
# Within this span the calendar's own ten-year guard (no open time at all for ten years)
# cannot fire, so the table answers exactly what the calendar would.
MAX_SPAN_US = 5 * 365 * 24 * 60 * MINUTE_US


@dataclass(frozen=True)
class BusinessTable:
    """A calendar's open intervals over ``[low, high)``, with the open time before each."""

    low: int
    high: int
    starts: Array
    ends: Array
    before: Array  # open time in the table before interval i starts
    through: Array  # open time in the table up to the end of interval i

    @classmethod
    def build(cls, calendar: Calendar, low: int, high: int) -> BusinessTable:
        """The table over whole calendar blocks covering ``[low, high]`` (at most five years)."""
        first = low // BLOCK_US
        last = max(first, min(high, low + MAX_SPAN_US) // BLOCK_US)
        starts: list[int] = []
        ends: list[int] = []
        for index in range(first, last + 1):
            block = calendar._block(index)
            starts.extend(block.starts)
            ends.extend(block.ends)
        start_array = np.array(starts, dtype=np.int64)
        end_array = np.array(ends, dtype=np.int64)
        through = np.cumsum(end_array - start_array, dtype=np.int64)
        return cls(
            low=first * BLOCK_US,
            high=(last + 1) * BLOCK_US,
            starts=start_array,
            ends=end_array,
            before=through - (end_array - start_array),
            through=through,
        )

    def covers(self, instants: Array) -> Mask:
        return (instants >= self.low) & (instants <= self.high)

    def open_before(self, instants: Array) -> Array:
        """Open time in the table before each instant (instants inside the span)."""
        if not len(self.starts):
            return np.zeros_like(instants)
        index = np.searchsorted(self.ends, instants, side="right")
        inside = index < len(self.ends)
        safe = np.minimum(index, len(self.ends) - 1)
        partial = self.before[safe] + np.maximum(0, instants - self.starts[safe])
        return np.where(inside, partial, self.through[-1])

    def add(self, starts: Array, minutes: Array) -> tuple[Array, Mask]:
        """`add_business_minutes` for each (start, minutes ≥ 0); (deadlines, answered)."""
        valid = self.covers(starts)
        clipped = np.clip(starts, self.low, self.high)
        count = len(self.starts)
        if not count:
            return np.full_like(starts, NULL), np.zeros(len(starts), dtype=bool)
        # minutes == 0 is `next_open`: the start itself when open, else the next opening.
        opening = np.searchsorted(self.ends, clipped, side="right")
        has_opening = opening < count
        next_open = np.maximum(self.starts[np.minimum(opening, count - 1)], clipped)
        wanted = self.open_before(clipped) + minutes * MINUTE_US
        index = np.searchsorted(self.through, wanted, side="left")
        found = index < count
        safe = np.minimum(index, count - 1)
        deadline = self.starts[safe] + wanted - self.before[safe]
        zero = minutes == 0
        result = np.where(zero, next_open, deadline)
        answered = valid & np.where(zero, has_opening, found)
        return np.where(answered, result, NULL), answered

    def between(self, starts: Array, ends: Array) -> tuple[Array, Mask]:
        """`business_minutes_between` for each pair; (minutes, answered)."""
        valid = self.covers(starts) & self.covers(ends)
        low = np.clip(np.minimum(starts, ends), self.low, self.high)
        high = np.clip(np.maximum(starts, ends), self.low, self.high)
        minutes = (self.open_before(high) - self.open_before(low)) // MINUTE_US
        return np.where(ends < starts, -minutes, minutes), valid


def elapsed_between(starts: Array, ends: Array) -> Array:
    """Whole elapsed minutes from each start to its end, floored (negative when before)."""
    return (ends - starts) // MINUTE_US
