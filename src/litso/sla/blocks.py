"""Open time cut into fixed 28-day UTC blocks with running totals, so deadline arithmetic
bisects inside a block and skips a whole block in one subtraction.

Blocks are cut in real time, not by local date: a block holds exactly the open time inside its
window, whatever the clocks did, and the blocks never overlap.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from litso.sla.timeline import DAY_US, Interval

BLOCK_US = 28 * DAY_US


@dataclass(frozen=True, slots=True)
class Block:
    """Open intervals of one window, as parallel sequences.

    ``before[i]`` is the open time in the window before interval ``i`` starts, ``through[i]``
    the open time up to its end; ``total`` is the window's open time.
    """

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    before: tuple[int, ...]
    through: tuple[int, ...]
    total: int

    @classmethod
    def of(cls, intervals: tuple[Interval, ...]) -> Block:
        """`intervals`: sorted, disjoint, already clipped to the window."""
        before, through, total = [], [], 0
        for start, end in intervals:
            before.append(total)
            total += end - start
            through.append(total)
        return cls(
            starts=tuple(start for start, _ in intervals),
            ends=tuple(end for _, end in intervals),
            before=tuple(before),
            through=tuple(through),
            total=total,
        )

    def open_before(self, instant: int) -> int:
        """Open time from the window's start up to `instant` (inside the window)."""
        index = bisect_right(self.ends, instant)
        if index == len(self.ends):
            return self.total
        return self.before[index] + max(0, instant - self.starts[index])

    def instant_at(self, amount: int) -> int:
        """The earliest instant by which the window has been open `amount` (≤ total) in all."""
        index = bisect_left(self.through, amount)
        return self.starts[index] + amount - self.before[index]

    def next_open(self, instant: int) -> int | None:
        """`instant` if open, else the next opening in this window, else None."""
        index = bisect_right(self.ends, instant)
        if index == len(self.ends):
            return None
        return max(self.starts[index], instant)

    def is_open(self, instant: int) -> bool:
        index = bisect_right(self.ends, instant)
        return index < len(self.ends) and self.starts[index] <= instant
