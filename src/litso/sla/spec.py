"""The JSON form of a business-hours calendar: parsing, checking and writing it back.

Times of day are kept as minutes after local midnight (0..1440, 1440 being "24:00") so the
engine never re-parses strings; an interval is a half-open pair ``(start, end)``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from itertools import pairwise
from typing import Any

import holidays as holidays_lib

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALWAYS_OPEN = "24/7"
MINUTES_PER_DAY = 24 * 60

Interval = tuple[int, int]
Hours = tuple[Interval, ...]
Week = tuple[Hours, Hours, Hours, Hours, Hours, Hours, Hours]

FULL_DAY: Hours = ((0, MINUTES_PER_DAY),)
SPEC_KEYS = frozenset({"timezone", "week", "holidays", "closed", "open", "open_hours"})

_TIME = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d|24:00")
# date.fromisoformat also takes "20261231" and week dates; a stored calendar should have one
# spelling, so anything but YYYY-MM-DD is refused.
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class CalendarError(ValueError):
    """A calendar spec or a request against a calendar that cannot be honoured."""


def parse_time(label: str, value: object) -> int:
    if not isinstance(value, str) or not _TIME.fullmatch(value):
        raise CalendarError(f"{label}: bad time {value!r} (expected HH:MM, 00:00 to 24:00)")
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def format_time(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def format_interval(interval: Interval) -> str:
    return f"{format_time(interval[0])}–{format_time(interval[1])}"


def parse_date(label: str, value: object) -> date:
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise CalendarError(f"{label}: bad date {value!r} (expected YYYY-MM-DD)")


def parse_hours(label: str, value: object) -> Hours:
    """Parse ``[["09:00", "13:00"], ...]``; order and overlaps are checked by `check_hours`."""
    if not isinstance(value, list | tuple):
        raise CalendarError(f"{label}: expected a list of [start, end] pairs, got {value!r}")
    intervals = []
    for pair in value:
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise CalendarError(f"{label}: expected a [start, end] pair, got {pair!r}")
        intervals.append((parse_time(label, pair[0]), parse_time(label, pair[1])))
    return tuple(intervals)


def check_hours(label: str, hours: Hours) -> Hours:
    """Refuse empty or overlapping intervals; return them sorted.

    Touching intervals (13:00–14:00 then 14:00–18:00) are allowed: they are merged when the
    day is laid out in real time.
    """
    for start, end in hours:
        if not 0 <= start < end <= MINUTES_PER_DAY:
            raise CalendarError(
                f"{label}: interval {format_interval((start, end))} must start before it ends"
            )
    ordered = tuple(sorted(hours))
    for previous, current in pairwise(ordered):
        if current[0] < previous[1]:
            raise CalendarError(
                f"{label}: {format_interval(previous)} overlaps {format_interval(current)}"
            )
    return ordered


def hours_to_json(hours: Hours) -> list[list[str]]:
    return [[format_time(start), format_time(end)] for start, end in hours]


def parse_week(value: object) -> Week:
    if value == ALWAYS_OPEN:
        return (FULL_DAY,) * 7
    if not isinstance(value, Mapping):
        raise CalendarError(
            f"week: expected {ALWAYS_OPEN!r} or a mapping of weekdays, got {value!r}"
        )
    for key in value:
        if key not in WEEKDAYS:
            raise CalendarError(f"unknown weekday {key!r} (expected one of {', '.join(WEEKDAYS)})")
    days = [parse_hours(name, value.get(name, [])) for name in WEEKDAYS]
    return (days[0], days[1], days[2], days[3], days[4], days[5], days[6])


def week_to_json(week: Week) -> str | dict[str, list[list[str]]]:
    if all(day == FULL_DAY for day in week):
        return ALWAYS_OPEN
    return {name: hours_to_json(day) for name, day in zip(WEEKDAYS, week, strict=True) if day}


def parse_holiday_codes(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    codes = [value] if isinstance(value, str) else value
    if not isinstance(codes, list | tuple):
        raise CalendarError(f"holidays: expected a country code or a list of them, got {value!r}")
    for code in codes:
        if not isinstance(code, str):
            raise CalendarError(f"holidays: expected a country code, got {code!r}")
    return tuple(str(code) for code in codes)


def holiday_source(code: str, year: int | None = None) -> holidays_lib.HolidayBase:
    """The `holidays` calendar for "PL" or, with a subdivision, "DE-BY"; lazy unless `year`."""
    country, _, subdivision = code.partition("-")
    try:
        return holidays_lib.country_holidays(country, subdiv=subdivision or None, years=year)
    except NotImplementedError as error:
        if subdivision and country in holidays_lib.list_supported_countries():
            raise CalendarError(f"unknown holiday subdivision {code!r}") from error
        raise CalendarError(f"unknown holiday country {code!r}") from error


def holidays_to_json(codes: Sequence[str]) -> str | list[str] | None:
    if not codes:
        return None
    if len(codes) == 1:
        return codes[0]
    return list(codes)


def parse_dates(key: str, value: object) -> frozenset[date]:
    if value is None:
        return frozenset()
    if not isinstance(value, list | tuple):
        raise CalendarError(f"{key}: expected a list of dates, got {value!r}")
    return frozenset(parse_date(key, item) for item in value)


def parse_open_days(value: object, default_hours: Hours | None) -> tuple[tuple[date, Hours], ...]:
    """Parse "open": a plain date takes `default_hours`, ``{"date", "hours"}`` brings its own."""
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        raise CalendarError(f"open: expected a list of dates, got {value!r}")
    days: dict[date, Hours] = {}
    for item in value:
        if isinstance(item, Mapping):
            unknown = set(item) - {"date", "hours"}
            if unknown or "date" not in item or "hours" not in item:
                raise CalendarError(f"open: expected {{'date': ..., 'hours': [...]}}, got {item!r}")
            day = parse_date("open", item["date"])
            hours = parse_hours(f"open {day.isoformat()}", item["hours"])
        else:
            day = parse_date("open", item)
            if not default_hours:
                raise CalendarError(
                    f"open {day.isoformat()}: no hours to use "
                    "(give 'open_hours', Monday hours or {'date': ..., 'hours': [...]})"
                )
            hours = default_hours
        if day in days:
            raise CalendarError(f"open: {day.isoformat()} is listed twice")
        days[day] = hours
    return tuple(sorted(days.items()))


def open_days_to_json(days: Iterable[tuple[date, Hours]]) -> list[dict[str, Any]]:
    return [{"date": day.isoformat(), "hours": hours_to_json(hours)} for day, hours in days]
