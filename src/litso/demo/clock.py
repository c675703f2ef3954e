"""A hand-set clock for the demo, so the desk's history spreads over the last three months.

While the demo runs, ``django.utils.timezone.now`` reads this clock. Every timestamp the action
layer writes — created_at of tickets, messages and events, solved_at, closed_at,
auto_close_at, first_response_at — then agrees with the story being told, without the demo
knowing which action sets which column, and without rewriting rows afterwards.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock


class Clock:
    def __init__(self, start: datetime.datetime) -> None:
        self.current = start

    def now(self) -> datetime.datetime:
        return self.current

    def set(self, moment: datetime.datetime) -> None:
        self.current = moment


@contextmanager
def clock_in_charge(clock: Clock) -> Iterator[Clock]:
    # Model fields and actions call timezone.now() through the module, so one patch reaches
    # them all; it is undone even when the demo fails half-way.
    with mock.patch("django.utils.timezone.now", clock.now):
        yield clock
