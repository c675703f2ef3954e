"""Business time for SLA deadlines: which instants a desk is open, and minute arithmetic on them.

A `Calendar` is built from a JSON spec::

    Calendar.from_spec({
        "timezone": "Europe/Warsaw",
        "week": {"mon": [["09:00", "13:00"], ["14:00", "18:00"]], ...},  # or "24/7"
        "holidays": "PL",             # a `holidays` country code ("DE-BY" for a subdivision),
                                      # a list of them, or None/absent
        "closed": ["2026-12-31"],     # extra closed dates
        "open": ["2026-12-27",        # extra working dates, with "open_hours" ...
                 {"date": "2026-12-28", "hours": [["10:00", "14:00"]]}],  # ... or their own
        "open_hours": [["10:00", "14:00"]],  # optional; defaults to the Monday hours
    })

Semantics, all exact to the microsecond:

* An instant is open when its local wall-clock time in the calendar's zone falls inside an
  interval of that local date. Intervals are half-open (09:00 is open, 18:00 is not); "24:00"
  ends at the next midnight; a weekday missing from "week" is closed. "24/7" means 00:00–24:00
  on every weekday; holidays and "closed" still apply to it.
* A date's hours are, in order of precedence: its "open" entry (overriding weekends and
  holidays, replacing the weekday's hours); nothing if it is a holiday or in "closed"; its
  weekday's hours. A date may not be both "open" and "closed".
* Hours are wall-clock hours of each day, so business time is REAL elapsed time: on the day
  clocks spring forward, 00:00–24:00 holds 23 hours and an interval 02:30–03:30 holds the 30
  minutes from 03:00; on the day they fall back an interval containing 02:00–03:00 also holds
  the repeated hour.
* ``business_minutes_between(cal, start, end)`` is the open time inside ``[start, end)``,
  floored to whole minutes; with ``end < start`` it is ``-business_minutes_between(cal, end,
  start)``.
* ``add_business_minutes(cal, start, 0)`` is ``next_open(cal, start)``: ``start`` itself if open,
  else the next opening. For ``minutes > 0`` it is the earliest instant ``t`` with
  ``business_minutes_between(cal, start, t) == minutes`` — the moment the open time since
  ``start`` reaches exactly ``minutes`` minutes, which may be a closing time (18:00). Seconds of
  ``start`` are kept: 09:00:30 plus one minute is 09:01:30.
* Datetimes must be timezone-aware (naive ones raise `CalendarError`), in any zone; results
  are in UTC, as Django stores them. Local results would invite two Python traps: arithmetic
  between datetimes sharing a tzinfo runs on the wall clock, and a time in the repeated hour
  (fold=1) never compares equal to the same instant in another zone. Convert for display
  with ``.astimezone(calendar.zone)``.
* A calendar with no weekday hours and no "open" dates is refused at construction. When no
  open time is left (no weekly hours and the last "open" date is past) `add_business_minutes`
  and `next_open` raise `CalendarError`; any search meeting ten years without open time raises
  it too, so nothing loops for ever.

Speed: each local date is laid out once (wall-clock hours mapped to UTC through the day's
clock changes), and dates are gathered into 28-day UTC blocks with running totals (see
`litso.sla.blocks`), so a deadline costs two bisections plus one subtraction per block
crossed, never a loop over minutes or days. Both are cached per `Calendar`, which is
immutable: reuse instances; `Calendar.from_spec` returns a shared one for a spec it has
recently seen.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache, wraps
from typing import Any, ParamSpec, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from litso.sla import spec as specs
from litso.sla.blocks import BLOCK_US, Block
from litso.sla.spec import CalendarError, Hours, Week
from litso.sla.timeline import (
    DAY_US,
    MINUTE_US,
    ONE_MICROSECOND,
    Interval,
    day_intervals,
    from_us,
    merge,
    to_us,
)

__all__ = [
    "Calendar",
    "CalendarError",
    "add_business_minutes",
    "business_minutes_between",
    "is_open",
    "next_open",
]

_P = ParamSpec("_P")
_R = TypeVar("_R")

ONE_DAY = timedelta(days=1)
MAX_CLOSED_STRETCH = timedelta(days=3653)
_MAX_CLOSED_US = MAX_CLOSED_STRETCH // ONE_MICROSECOND


@lru_cache(maxsize=1024)
def _holiday_dates(code: str, year: int) -> frozenset[date]:
    """Holidays of one country for one year; shared by every calendar naming that country."""
    return frozenset(specs.holiday_source(code, year))


def _range_checked(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """Report arithmetic beyond year 1..9999 as a calendar problem rather than a crash."""

    @wraps(function)
    def checked(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return function(*args, **kwargs)
        except OverflowError as error:
            raise CalendarError("date out of range (years 1 to 9999)") from error

    return checked


@dataclass(frozen=True)
class Calendar:
    """Opening hours in one time zone; build it with `from_spec`, store it with `to_spec`."""

    timezone: str
    week: Week
    holiday_countries: tuple[str, ...] = ()
    closed_days: frozenset[date] = frozenset()
    open_days: tuple[tuple[date, Hours], ...] = ()
    zone: ZoneInfo = field(init=False, repr=False, compare=False)
    _open_hours: dict[date, Hours] = field(init=False, repr=False, compare=False)
    _day: Callable[[date], tuple[Interval, ...]] = field(init=False, repr=False, compare=False)
    _block: Callable[[int], Block] = field(init=False, repr=False, compare=False)
    _open_until: int | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            zone = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError, TypeError, OSError) as error:
            raise CalendarError(f"unknown time zone {self.timezone!r}") from error
        if len(self.week) != 7:
            raise CalendarError(f"week: expected 7 days, got {len(self.week)}")
        week = tuple(
            specs.check_hours(name, hours)
            for name, hours in zip(specs.WEEKDAYS, self.week, strict=True)
        )
        for code in self.holiday_countries:
            specs.holiday_source(code)
        open_hours: dict[date, Hours] = {}
        for day, hours in self.open_days:
            label = f"open {day.isoformat()}"
            if not hours:
                raise CalendarError(f"{label}: no hours given")
            if day in open_hours:
                raise CalendarError(f"open: {day.isoformat()} is listed twice")
            if day in self.closed_days:
                raise CalendarError(f"{day.isoformat()} is both open and closed")
            open_hours[day] = specs.check_hours(label, hours)
        if not any(week) and not open_hours:
            raise CalendarError("the calendar has no business hours at all")
        set_field = object.__setattr__  # the dataclass is frozen; these are derived fields
        set_field(self, "week", week)
        set_field(self, "open_days", tuple(sorted(open_hours.items())))
        set_field(self, "zone", zone)
        set_field(self, "_open_hours", open_hours)
        # Per instance, because a day depends on every field. Days are only read to build
        # blocks, and neighbouring blocks share a day or two, so a small cache does.
        set_field(self, "_day", lru_cache(maxsize=256)(self._intervals_of_day))
        set_field(self, "_block", lru_cache(maxsize=128)(self._build_block))  # ten years
        # With no weekly hours, everything after the last "open" date is closed for good.
        set_field(self, "_open_until", None if any(week) else self._last_open_instant())

    def __reduce__(self) -> tuple[type[Calendar], tuple[Any, ...]]:
        # The cache holds a bound method, which neither pickles nor deep-copies.
        return (
            Calendar,
            (self.timezone, self.week, self.holiday_countries, self.closed_days, self.open_days),
        )

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> Calendar:
        """Validate a JSON spec (see the module docstring) and build the calendar."""
        try:
            key = json.dumps(spec, sort_keys=True)
        except (TypeError, ValueError):
            return _build(spec)
        return _build_cached(key)

    def to_spec(self) -> dict[str, Any]:
        """The JSON form; ``Calendar.from_spec(c.to_spec()) == c``."""
        return {
            "timezone": self.timezone,
            "week": specs.week_to_json(self.week),
            "holidays": specs.holidays_to_json(self.holiday_countries),
            "closed": sorted(day.isoformat() for day in self.closed_days),
            "open": specs.open_days_to_json(self.open_days),
        }

    def hours_on(self, day: date) -> Hours:
        """The wall-clock intervals (minutes after midnight) the desk keeps on a local date."""
        if day in self._open_hours:
            return self._open_hours[day]
        if day in self.closed_days or self.is_holiday(day):
            return ()
        return self.week[day.weekday()]

    def is_holiday(self, day: date) -> bool:
        return any(day in _holiday_dates(code, day.year) for code in self.holiday_countries)

    def intervals_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The open stretches of a local date as aware UTC datetimes, in order."""
        return [(from_us(start, UTC), from_us(end, UTC)) for start, end in self._day(day)]

    def _intervals_of_day(self, day: date) -> tuple[Interval, ...]:
        return day_intervals(self.zone, day, self.hours_on(day))

    def _last_open_instant(self) -> int:
        return max((end for day, _ in self.open_days for _, end in self._day(day)), default=0)

    def _build_block(self, index: int) -> Block:
        low, high = index * BLOCK_US, (index + 1) * BLOCK_US
        if self._open_until is not None and low >= self._open_until:
            return Block.of(())
        # Wall clocks stay within a day of UTC, so one extra local date each side suffices.
        first = from_us(low, UTC).date() - ONE_DAY
        pieces = []
        for offset in range(BLOCK_US // DAY_US + 2):
            for start, end in self._day(first + timedelta(days=offset)):
                if start < high and end > low:
                    pieces.append((max(start, low), min(end, high)))
        return Block.of(merge(sorted(pieces)))

    def _blocks_from(self, instant: int, stop: int | None = None) -> Iterator[tuple[int, Block]]:
        """(index, block) from the one holding `instant` onwards, up to the one holding `stop`.

        Ends early once no open time can follow; raises after ten years without any.
        """
        index = instant // BLOCK_US
        last_open = instant
        while stop is None or index <= stop // BLOCK_US:
            low = index * BLOCK_US
            if self._open_until is not None and low >= self._open_until:
                return
            if low - last_open > _MAX_CLOSED_US:
                raise CalendarError(
                    f"no business time within {MAX_CLOSED_STRETCH.days} days after "
                    f"{from_us(last_open, self.zone).isoformat()}"
                )
            block = self._block(index)
            if block.total:
                last_open = block.ends[-1]
            yield index, block
            index += 1


def _build(spec: Mapping[str, Any]) -> Calendar:
    if not isinstance(spec, Mapping):
        raise CalendarError(f"a calendar spec must be a mapping, got {spec!r}")
    for key in spec:
        if key not in specs.SPEC_KEYS:
            raise CalendarError(
                f"unknown calendar key {key!r} (expected {', '.join(sorted(specs.SPEC_KEYS))})"
            )
    timezone = spec.get("timezone")
    if not isinstance(timezone, str):
        raise CalendarError(f"timezone: expected a name such as 'Europe/Warsaw', got {timezone!r}")
    if "week" not in spec:
        raise CalendarError("week: missing (give weekday hours or '24/7')")
    week = specs.parse_week(spec["week"])
    if spec.get("open_hours") is not None:
        default_hours = specs.check_hours(
            "open_hours", specs.parse_hours("open_hours", spec["open_hours"])
        )
    else:
        default_hours = specs.check_hours("mon", week[0])
    return Calendar(
        timezone=timezone,
        week=week,
        holiday_countries=specs.parse_holiday_codes(spec.get("holidays")),
        closed_days=specs.parse_dates("closed", spec.get("closed")),
        open_days=specs.parse_open_days(spec.get("open"), default_hours),
    )


@lru_cache(maxsize=128)
def _build_cached(spec_json: str) -> Calendar:
    return _build(json.loads(spec_json))


@_range_checked
def is_open(calendar: Calendar, at: datetime) -> bool:
    """Whether `at` falls inside business time."""
    instant = to_us(at)
    return calendar._block(instant // BLOCK_US).is_open(instant)


@_range_checked
def next_open(calendar: Calendar, at: datetime) -> datetime:
    """`at` itself if open, else the next opening moment; in UTC."""
    instant = to_us(at)
    for _, block in calendar._blocks_from(instant):
        opening = block.next_open(instant)
        if opening is not None:
            return from_us(opening, UTC)
    raise CalendarError(f"no business time after {at.isoformat()}")


@_range_checked
def add_business_minutes(calendar: Calendar, start: datetime, minutes: int) -> datetime:
    """The deadline `minutes` business minutes after `start`; see the module docstring."""
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise TypeError(f"minutes must be an int, got {minutes!r}")
    if minutes < 0:
        raise ValueError(f"minutes must not be negative, got {minutes}")
    if minutes == 0:
        return next_open(calendar, start)
    instant = to_us(start)
    # `wanted` counts open time from the start of the current block.
    wanted: int | None = None
    for _, block in calendar._blocks_from(instant):
        if wanted is None:
            wanted = block.open_before(instant) + minutes * MINUTE_US
        if wanted <= block.total:
            return from_us(block.instant_at(wanted), UTC)
        wanted -= block.total
    raise CalendarError(f"not enough business time after {start.isoformat()} for {minutes} minutes")


@_range_checked
def business_minutes_between(calendar: Calendar, start: datetime, end: datetime) -> int:
    """Whole business minutes inside ``[start, end)``; negative when `end` is before `start`."""
    low, high = to_us(start), to_us(end)
    if high < low:
        return -business_minutes_between(calendar, end, start)
    total = 0
    for index, block in calendar._blocks_from(low, stop=high):
        if index == low // BLOCK_US:
            total -= block.open_before(low)
        if index == high // BLOCK_US:
            total += block.open_before(high)
        else:
            total += block.total
    return total // MINUTE_US
