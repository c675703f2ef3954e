"""The business-time engine against examples and a minute-by-minute oracle. No database."""

from __future__ import annotations

import copy
import functools
import pickle
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from litso.sla.calendar import (
    Calendar,
    CalendarError,
    add_business_minutes,
    business_minutes_between,
    is_open,
    next_open,
)

WARSAW = ZoneInfo("Europe/Warsaw")
NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTE = timedelta(minutes=1)
MINUTE_US = 60_000_000
TINY = timedelta(microseconds=1)


def office(**extra: Any) -> dict[str, Any]:
    """Mon–Fri 09:00–18:00 in Warsaw, plus whatever the test adds."""
    week = {day: [["09:00", "18:00"]] for day in WEEKDAYS[:5]}
    return {"timezone": "Europe/Warsaw", "week": week, **extra}


def at(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=WARSAW)


def utc(moment: datetime) -> datetime:
    """Python adds and subtracts within one tzinfo by wall clock; real time needs UTC."""
    return moment.astimezone(UTC)


SPECS: dict[str, dict[str, Any]] = {
    "warsaw_office": {
        "timezone": "Europe/Warsaw",
        "week": {day: [["09:00", "13:00"], ["14:00", "18:00"]] for day in WEEKDAYS[:5]},
        "holidays": "PL",
        "closed": ["2026-12-31"],
        "open": [{"date": "2026-12-27", "hours": [["10:00", "14:00"]]}],
    },
    "new_york": {
        "timezone": "America/New_York",
        "week": {
            **{day: [["08:00", "17:00"]] for day in WEEKDAYS[:5]},
            "sat": [["10:00", "14:00"]],
            # US clocks change at 02:00 on a Sunday: this interval straddles both changes.
            "sun": [["00:30", "03:30"]],
        },
        "holidays": ["US"],
    },
    "always_warsaw": {"timezone": "Europe/Warsaw", "week": "24/7"},
    # Warsaw clocks change on Sundays: 02:00→03:00 in March, 03:00→02:00 in October.
    "night_warsaw": {
        "timezone": "Europe/Warsaw",
        "week": {
            "sat": [["22:00", "24:00"]],
            "sun": [["00:00", "01:30"], ["01:30", "02:30"], ["02:45", "03:15"], ["23:00", "24:00"]],
            "mon": [["00:00", "02:00"]],
            "wed": [["02:00", "03:00"]],
        },
        "holidays": "PL",
    },
}
CALENDARS = {name: Calendar.from_spec(spec) for name, spec in SPECS.items()}
# The largest target per calendar that keeps the oracle's range within about ten days.
MAX_MINUTES = {"warsaw_office": 1500, "new_york": 2500, "always_warsaw": 9000, "night_warsaw": 400}


class Oracle:
    """Reads a spec naively: a real UTC minute is open if its local wall time is in that
    local date's hours. Every boundary in these zones falls on a whole UTC minute, so a minute
    is open or closed as a whole."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.zone = ZoneInfo(spec["timezone"])
        week = spec["week"]
        if week == "24/7":
            week = {day: [["00:00", "24:00"]] for day in WEEKDAYS}
        self.week = [self.minutes(week.get(day, [])) for day in WEEKDAYS]
        codes = spec.get("holidays") or []
        codes = [codes] if isinstance(codes, str) else codes
        self.holidays = [holidays.country_holidays(code) for code in codes]
        self.closed = {date.fromisoformat(day) for day in spec.get("closed", [])}
        self.open = {
            date.fromisoformat(entry["date"]): self.minutes(entry["hours"])
            for entry in spec.get("open", [])
        }

    @staticmethod
    def minutes(hours: list[list[str]]) -> list[tuple[int, int]]:
        def parse(text: str) -> int:
            return int(text[:2]) * 60 + int(text[3:])

        return [(parse(start), parse(end)) for start, end in hours]

    @functools.cache  # noqa: B019 - a handful of oracles live for the whole session
    def hours(self, day: date) -> list[tuple[int, int]]:
        if day in self.open:
            return self.open[day]
        if day in self.closed or any(day in source for source in self.holidays):
            return []
        return self.week[day.weekday()]

    def open_at(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone)
        minute = local.hour * 60 + local.minute
        return any(start <= minute < end for start, end in self.hours(local.date()))

    def business_us(self, start: datetime, end: datetime) -> int:
        """Open microseconds in [start, end), walking every UTC minute."""
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        minute = start.replace(second=0, microsecond=0)
        total = 0
        while minute < end:
            if self.open_at(minute):
                overlap = min(minute + MINUTE, end) - max(minute, start)
                total += overlap // TINY
            minute += MINUTE
        return total


ORACLES = {name: Oracle(spec) for name, spec in SPECS.items()}

ANCHORS = [
    datetime(2026, 3, 8, 7, tzinfo=UTC),  # New York springs forward
    datetime(2026, 3, 29, 1, tzinfo=UTC),  # Warsaw springs forward
    datetime(2026, 10, 25, 1, tzinfo=UTC),  # Warsaw falls back
    datetime(2026, 11, 1, 6, tzinfo=UTC),  # New York falls back
    datetime(2026, 11, 11, 12, tzinfo=UTC),  # Polish Independence Day
    datetime(2026, 12, 24, 12, tzinfo=UTC),  # Christmas
    datetime(2026, 12, 31, 12, tzinfo=UTC),  # New Year
    datetime(2026, 12, 17, tzinfo=UTC),  # where two of the engine's 28-day blocks meet
]
INPUT_ZONES = [UTC, WARSAW, NEW_YORK, ZoneInfo("Asia/Tokyo")]


@st.composite
def instants(draw: st.DrawFn) -> datetime:
    """Mostly near a clock change or a holiday; sometimes anywhere in 2026; odd seconds."""
    if draw(st.integers(0, 3)):
        base = draw(st.sampled_from(ANCHORS))
        base += timedelta(minutes=draw(st.integers(-4 * 1440, 4 * 1440)))
    else:
        naive = draw(st.datetimes(datetime(2026, 1, 1), datetime(2026, 12, 31)))
        base = naive.replace(second=0, microsecond=0, tzinfo=UTC)
    base += timedelta(
        seconds=draw(st.sampled_from([0, 0, 0, 1, 30, 59])),
        microseconds=draw(st.sampled_from([0, 0, 0, 1, 999_999])),
    )
    return base.astimezone(draw(st.sampled_from(INPUT_ZONES)))


ORACLE_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@ORACLE_SETTINGS
@given(name=st.sampled_from(sorted(SPECS)), start=instants(), span=st.integers(-2880, 7 * 1440))
def test_between_matches_oracle(name: str, start: datetime, span: int) -> None:
    calendar, oracle = CALENDARS[name], ORACLES[name]
    end = utc(start) + timedelta(minutes=span, seconds=span % 7)
    low, high = min(start, end), max(start, end)
    expected = oracle.business_us(low, high) // MINUTE_US
    assert business_minutes_between(calendar, low, high) == expected
    assert business_minutes_between(calendar, high, low) == -expected


@ORACLE_SETTINGS
@given(name=st.sampled_from(sorted(SPECS)), start=instants(), data=st.data())
def test_add_matches_oracle(name: str, start: datetime, data: st.DataObject) -> None:
    calendar, oracle = CALENDARS[name], ORACLES[name]
    minutes = data.draw(st.integers(0, MAX_MINUTES[name]), label="minutes")
    result = add_business_minutes(calendar, start, minutes)
    assert result.tzinfo is UTC
    assert result >= start
    assert utc(result) - utc(start) <= timedelta(days=14), "keep the oracle range bounded"
    assert oracle.business_us(start, result) == minutes * MINUTE_US
    assert business_minutes_between(calendar, start, result) == minutes
    if minutes:
        assert oracle.business_us(start, utc(result) - TINY) < minutes * MINUTE_US, "not earliest"
    else:
        assert oracle.open_at(result)
        assert utc(result) == utc(start) or not oracle.open_at(start)


@settings(max_examples=80, deadline=None)
@given(name=st.sampled_from(sorted(SPECS)), moment=instants())
def test_is_open_and_next_open_match_oracle(name: str, moment: datetime) -> None:
    calendar, oracle = CALENDARS[name], ORACLES[name]
    assert is_open(calendar, moment) == oracle.open_at(moment)
    opening = next_open(calendar, moment)
    assert opening >= moment
    assert oracle.open_at(opening)
    assert oracle.business_us(moment, opening) == 0
    assert utc(opening) == utc(moment) or not oracle.open_at(utc(opening) - TINY)


def test_friday_evening_message_is_answered_monday_morning() -> None:
    calendar = Calendar.from_spec(office())
    assert add_business_minutes(calendar, at(2026, 3, 6, 22), 60) == at(2026, 3, 9, 10)


def test_polish_holidays_are_skipped() -> None:
    calendar = Calendar.from_spec(office(holidays="PL"))
    # Wednesday 11 November is Independence Day.
    assert add_business_minutes(calendar, at(2026, 11, 10, 17, 30), 60) == at(2026, 11, 12, 9, 30)
    # Christmas Eve (a holiday since 2025), Christmas, Boxing Day, then Sunday.
    assert add_business_minutes(calendar, at(2026, 12, 23, 17), 120) == at(2026, 12, 28, 10)
    assert business_minutes_between(calendar, at(2026, 12, 23, 9), at(2026, 12, 29, 9)) == 18 * 60
    assert not is_open(calendar, at(2026, 12, 25, 12))


def test_several_holiday_countries_add_up() -> None:
    calendar = Calendar.from_spec(office(holidays=["PL", "US"]))
    assert not is_open(calendar, at(2026, 7, 3, 12))  # US Independence Day, observed
    assert not is_open(calendar, at(2026, 11, 11, 12))


def test_extra_closed_date() -> None:
    calendar = Calendar.from_spec(office(holidays="PL", closed=["2026-12-31"]))
    # 31 December closed, 1 January a holiday, then the weekend.
    assert add_business_minutes(calendar, at(2026, 12, 30, 17), 120) == at(2027, 1, 4, 10)


def test_extra_open_date_with_its_own_hours() -> None:
    calendar = Calendar.from_spec(
        office(holidays="PL", open=[{"date": "2026-12-27", "hours": [["10:00", "14:00"]]}])
    )
    assert add_business_minutes(calendar, at(2026, 12, 23, 17), 120) == at(2026, 12, 27, 11)
    assert calendar.hours_on(date(2026, 12, 27)) == ((600, 840),)


def test_extra_open_date_takes_open_hours_or_monday_hours() -> None:
    monday_hours = Calendar.from_spec(office(holidays="PL", open=["2026-12-25"]))
    assert add_business_minutes(monday_hours, at(2026, 12, 23, 17), 120) == at(2026, 12, 25, 10)
    own = Calendar.from_spec(
        office(holidays="PL", open=["2026-12-25"], open_hours=[["12:00", "13:00"]])
    )
    assert add_business_minutes(own, at(2026, 12, 23, 17), 120) == at(2026, 12, 25, 13)
    assert add_business_minutes(own, at(2026, 12, 23, 17), 121) == at(2026, 12, 28, 9, 1)


def test_real_minutes_across_clock_changes() -> None:
    always = CALENDARS["always_warsaw"]
    assert business_minutes_between(always, at(2026, 3, 29), at(2026, 3, 30)) == 23 * 60
    assert business_minutes_between(always, at(2026, 10, 25), at(2026, 10, 26)) == 25 * 60
    night = CALENDARS["night_warsaw"]
    # Spring: 00:00–02:30 loses 02:00–03:00, 02:45–03:15 keeps only 03:00–03:15.
    assert business_minutes_between(night, at(2026, 3, 29), at(2026, 3, 29, 12)) == 120 + 15
    # Autumn: 02:00–02:30 happens twice (150 + 30), and so does 02:45–03:00 (15 + 30).
    assert business_minutes_between(night, at(2026, 10, 25), at(2026, 10, 25, 12)) == 180 + 45
    first_0250 = datetime(2026, 10, 25, 0, 50, tzinfo=UTC)  # 02:50 summer time
    assert is_open(night, first_0250)
    assert not is_open(night, first_0250 + timedelta(minutes=40))  # 02:30 winter time
    assert is_open(night, first_0250 + timedelta(hours=1))  # 02:50 winter time
    utc = [
        (start.strftime("%H:%M"), end.strftime("%H:%M"))
        for start, end in night.intervals_on(date(2026, 10, 25))
    ]
    # 02:45–03:00 summer time runs straight into the repeated 02:00–02:30, so they merge.
    assert utc == [("22:00", "00:30"), ("00:45", "01:30"), ("01:45", "02:15"), ("22:00", "23:00")]


def test_a_whole_year_of_always_open_time() -> None:
    always = CALENDARS["always_warsaw"]
    # The hour lost in March comes back in October.
    assert business_minutes_between(always, at(2026, 1, 1), at(2027, 1, 1)) == 365 * 24 * 60
    assert add_business_minutes(always, at(2026, 1, 1), 365 * 24 * 60) == at(2027, 1, 1)


def test_seconds_are_kept_and_partial_minutes_floored() -> None:
    calendar = Calendar.from_spec(office())
    start = at(2026, 3, 9, 9, 0, 30)
    assert add_business_minutes(calendar, start, 1) == at(2026, 3, 9, 9, 1, 30)
    assert business_minutes_between(calendar, start, at(2026, 3, 9, 9, 2)) == 1
    assert business_minutes_between(calendar, start, at(2026, 3, 9, 9, 2, 30)) == 2


def test_zero_minutes_waits_for_opening() -> None:
    calendar = Calendar.from_spec(office())
    inside = at(2026, 3, 9, 12, 15, 7)
    assert add_business_minutes(calendar, inside, 0) == inside
    assert add_business_minutes(calendar, at(2026, 3, 6, 18), 0) == at(2026, 3, 9, 9)
    assert next_open(calendar, at(2026, 3, 7, 12)) == at(2026, 3, 9, 9)


def test_deadline_at_closing_time_in_utc() -> None:
    calendar = Calendar.from_spec(office())
    start = datetime(2026, 3, 9, 8, tzinfo=UTC)  # 09:00 in Warsaw
    deadline = add_business_minutes(calendar, start, 9 * 60)
    assert deadline == at(2026, 3, 9, 18)
    assert deadline.tzinfo is UTC
    assert not is_open(calendar, deadline)


def test_large_targets_are_fast_and_exact() -> None:
    calendar = CALENDARS["warsaw_office"]
    start = at(2026, 1, 5, 9)
    deadline = add_business_minutes(calendar, start, 500_000)  # about four years of office time
    assert business_minutes_between(calendar, start, deadline) == 500_000
    assert deadline.year == 2030


def test_spec_round_trip_and_equality() -> None:
    for spec in [*SPECS.values(), office(open=["2026-12-27"], open_hours=[["10:00", "12:00"]])]:
        calendar = Calendar.from_spec(spec)
        assert Calendar.from_spec(calendar.to_spec()) == calendar
    assert CALENDARS["always_warsaw"].to_spec()["week"] == "24/7"
    assert CALENDARS["warsaw_office"].to_spec() == {
        **SPECS["warsaw_office"],
        "week": {day: [["09:00", "13:00"], ["14:00", "18:00"]] for day in WEEKDAYS[:5]},
    }


def test_calendars_pickle_and_copy() -> None:
    calendar = CALENDARS["warsaw_office"]
    for clone in (pickle.loads(pickle.dumps(calendar)), copy.deepcopy(calendar)):  # noqa: S301
        assert clone == calendar
        assert add_business_minutes(clone, at(2026, 3, 6, 22), 60) == at(2026, 3, 9, 10)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"week": {"mon": [["09:00", "13:00"], ["12:00", "18:00"]]}},
            "mon: 09:00–13:00 overlaps 12:00–18:00",
        ),
        ({"week": {"tue": [["18:00", "09:00"]]}}, "tue: interval 18:00–09:00 must start before"),
        ({"week": {"wed": [["12:00", "12:00"]]}}, "wed: interval 12:00–12:00 must start before"),
        ({"week": {"mon": [["9:00", "18:00"]]}}, "mon: bad time '9:00'"),
        ({"week": {"mon": [["09:00", "24:01"]]}}, "mon: bad time '24:01'"),
        ({"week": {"mon": [["09:00", 1800]]}}, "mon: bad time 1800"),
        ({"week": {"mon": [["09:00"]]}}, r"mon: expected a \[start, end\] pair"),
        ({"week": {"monday": [["09:00", "18:00"]]}}, "unknown weekday 'monday'"),
        ({"week": "always"}, "week: expected '24/7'"),
        ({"week": {}}, "no business hours at all"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone 'Mars/Olympus'"),
        ({"timezone": "../etc/passwd"}, "unknown time zone"),
        ({"holidays": "XX"}, "unknown holiday country 'XX'"),
        ({"holidays": ["PL", "pl"]}, "unknown holiday country 'pl'"),
        ({"holidays": "DE-XX"}, "unknown holiday subdivision 'DE-XX'"),
        ({"closed": ["2026-13-01"]}, "closed: bad date '2026-13-01'"),
        ({"closed": ["31.12.2026"]}, "closed: bad date '31.12.2026'"),
        ({"closed": "2026-12-31"}, "closed: expected a list of dates"),
        ({"open": ["20261227"]}, "open: bad date '20261227'"),
        ({"open": [{"date": "2026-12-27"}]}, "open: expected"),
        ({"open": ["2026-12-27", "2026-12-27"]}, "2026-12-27 is listed twice"),
        ({"open": ["2026-12-31"], "closed": ["2026-12-31"]}, "2026-12-31 is both open and closed"),
        ({"open": [{"date": "2026-12-27", "hours": []}]}, "open 2026-12-27: no hours given"),
        ({"open_hours": [["14:00", "10:00"]]}, "open_hours: interval 14:00–10:00"),
        ({"weeks": "24/7"}, "unknown calendar key 'weeks'"),
    ],
)
def test_invalid_calendars_are_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(CalendarError, match=message):
        Calendar.from_spec({**office(), **changes})


def test_calendar_error_is_a_value_error_and_needs_hours_for_plain_open_dates() -> None:
    assert issubclass(CalendarError, ValueError)
    spec = {"timezone": "UTC", "week": {"sat": [["10:00", "12:00"]]}, "open": ["2026-12-27"]}
    with pytest.raises(CalendarError, match="open 2026-12-27: no hours to use"):
        Calendar.from_spec(spec)
    with pytest.raises(CalendarError, match="timezone: expected a name"):
        Calendar.from_spec({"week": "24/7"})


def test_naive_datetimes_are_refused() -> None:
    calendar = CALENDARS["warsaw_office"]
    naive, aware = datetime(2026, 3, 9, 10), at(2026, 3, 9, 10)
    with pytest.raises(CalendarError, match="naive datetime 2026-03-09T10:00:00 refused"):
        add_business_minutes(calendar, naive, 10)
    with pytest.raises(CalendarError, match="naive"):
        business_minutes_between(calendar, aware, naive)
    with pytest.raises(CalendarError, match="naive"):
        is_open(calendar, naive)
    with pytest.raises(CalendarError, match="naive"):
        next_open(calendar, naive)


def test_bad_minute_counts_are_refused() -> None:
    calendar = CALENDARS["warsaw_office"]
    with pytest.raises(ValueError, match="must not be negative"):
        add_business_minutes(calendar, at(2026, 3, 9, 10), -1)
    with pytest.raises(TypeError, match="must be an int"):
        add_business_minutes(calendar, at(2026, 3, 9, 10), 1.5)  # type: ignore[arg-type]


def test_running_out_of_open_time_raises_instead_of_looping() -> None:
    only_one_day = Calendar.from_spec(
        {
            "timezone": "Europe/Warsaw",
            "week": {},
            "open": [{"date": "2026-05-04", "hours": [["09:00", "10:00"]]}],
        }
    )
    assert add_business_minutes(only_one_day, at(2026, 1, 1), 60) == at(2026, 5, 4, 10)
    with pytest.raises(CalendarError, match="not enough business time after"):
        add_business_minutes(only_one_day, at(2026, 1, 1), 61)
    with pytest.raises(CalendarError, match="no business time after"):
        next_open(only_one_day, at(2026, 6, 1))
    assert business_minutes_between(only_one_day, at(2026, 1, 1), at(2090, 1, 1)) == 60
    # Weekly hours on Mondays only, and every Monday for eleven years closed.
    mondays = [date(2026, 1, 5) + timedelta(weeks=week) for week in range(52 * 11)]
    never = Calendar.from_spec(
        office(week={"mon": [["09:00", "10:00"]]}, closed=[day.isoformat() for day in mondays])
    )
    with pytest.raises(CalendarError, match="no business time within 3653 days"):
        add_business_minutes(never, at(2026, 1, 1), 1)


def test_from_spec_shares_instances_for_equal_specs() -> None:
    assert Calendar.from_spec(office()) is Calendar.from_spec(office())
