"""The array path of the bulk recompute gives what `clock.recompute` gives, clock by clock.

No database: tickets, clocks, policies and calendars are unsaved model instances, and random
calendars (time zones with clock changes, holidays, lunch breaks, closed and extra open
dates), policies (business or elapsed minutes, targets, paused statuses, warning shares) and
clocks (paused or not, pauses already counted, cycles, first responses, fired keys).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from litso.sla.bulk_compute import (
    CLOCK_COLUMNS,
    INSTANTS,
    TICKET_COLUMNS,
    WRITTEN,
    Frame,
    compute_group,
)
from litso.sla.calendar import Calendar, CalendarError
from litso.sla.clock import recompute
from litso.sla.models import TARGETS, BusinessCalendar, SlaPolicy, TicketSla
from litso.sla.timeline import from_us, to_us
from litso.sla.vector import NULL, BusinessTable
from litso.tickets.models import OPEN_STATUSES, Ticket

ZONES = ("UTC", "Europe/Warsaw", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
START = datetime(2026, 1, 1, tzinfo=UTC)
YEAR_US = 365 * 24 * 3600 * 1_000_000
HORIZON_US = 3 * YEAR_US


def _time(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@st.composite
def specs(draw: st.DrawFn) -> dict[str, Any]:
    week: dict[str, list[list[str]]] | str
    if draw(st.booleans()) and draw(st.booleans()):
        week = "24/7"
    else:
        week = {}
        for day in WEEKDAYS:
            cuts = sorted(draw(st.sets(st.integers(0, 48), max_size=4)))
            # Pairs of cuts are intervals: 09:00–13:00 then 14:00–18:00 is a lunch break.
            hours = [
                [_time(a * 30), _time(b * 30)] for a, b in zip(cuts[::2], cuts[1::2], strict=False)
            ]
            if hours:
                week[day] = hours
        if not week:
            week["mon"] = [["09:00", "17:00"]]
    days = st.integers(0, 400).map(lambda n: (START + timedelta(days=n)).date().isoformat())
    closed = sorted(draw(st.sets(days, max_size=5)))
    extra = sorted(set(draw(st.sets(days, max_size=3))) - set(closed))
    return {
        "timezone": draw(st.sampled_from(ZONES)),
        "week": week,
        "holidays": draw(st.sampled_from([None, "PL", "US"])),
        "closed": closed,
        "open": [{"date": day, "hours": [["10:00", "14:00"]]} for day in extra],
    }


@st.composite
def policies(draw: st.DrawFn) -> SlaPolicy:
    targets = {
        f"{kind}_minutes": draw(st.one_of(st.none(), st.integers(1, 6000))) for kind in TARGETS
    }
    return SlaPolicy(
        pk=7,
        name="P",
        business_time=draw(st.booleans()),
        warn_at_percent=draw(st.integers(1, 99)),
        paused_statuses=draw(st.lists(st.sampled_from(["pending_customer", "on_hold"]))),
        **targets,
    )


def moment(draw: st.DrawFn, low: datetime, days: int = 60) -> datetime:
    micro = draw(st.integers(0, days * 24 * 3600 * 1_000_000))
    # Whole minutes now and then: deadlines landing on an opening or a closing.
    if draw(st.booleans()):
        micro -= micro % 60_000_000
    return low + timedelta(microseconds=micro)


@st.composite
def clocks(draw: st.DrawFn, now: datetime) -> tuple[Ticket, TicketSla]:
    created = moment(draw, START, days=300)
    created = min(created, now)
    answered = draw(st.booleans())
    first_response = min(moment(draw, created, days=5), now) if answered else None
    messages = draw(st.integers(1, 3))
    replies = draw(st.integers(0, 2)) if answered else 0
    ticket = Ticket(
        pk=draw(st.integers(1, 10**6)),
        status=draw(st.sampled_from(list(OPEN_STATUSES))),
        created_at=created,
        first_response_at=first_response,
        customer_messages=messages,
        agent_replies=replies,
    )
    pause = draw(st.integers(0, 3000))
    sla = TicketSla(
        ticket_id=ticket.pk,
        policy_id=draw(st.sampled_from([None, 7, 8])),
        paused_since=min(moment(draw, created, days=5), now) if draw(st.booleans()) else None,
        paused_minutes=pause,
        paused_business_minutes=draw(st.integers(0, 3000)),
        paused_calendar_minutes=draw(st.integers(0, 3000)),
        response_cycle_start=min(moment(draw, created), now) if draw(st.booleans()) else None,
        response_cycle_pause=draw(st.integers(0, pause)),
        update_cycle_start=min(moment(draw, created), now),
        update_cycle_pause=draw(st.integers(0, pause)),
        seen_customer_messages=messages,
        seen_agent_replies=replies,
        first_response_business_minutes=None,
        first_response_calendar_minutes=None,
    )
    if answered and draw(st.booleans()):
        sla.first_response_business_minutes = draw(st.integers(0, 500))
        sla.first_response_calendar_minutes = draw(st.integers(0, 500))
    for kind in TARGETS:
        if draw(st.booleans()):
            setattr(sla, f"{kind}_due", moment(draw, created))
    return ticket, sla


def _us(value: datetime | None) -> int:
    return NULL if value is None else to_us(value)


def _frame(pairs: list[tuple[Ticket, TicketSla]]) -> Frame:
    columns: dict[str, Any] = {}
    for name in (*TICKET_COLUMNS, *CLOCK_COLUMNS):
        values = []
        for ticket, sla in pairs:
            value = getattr(ticket if name in TICKET_COLUMNS else sla, name)
            if name in INSTANTS:
                values.append(_us(value))
            else:
                values.append(-1 if value is None else value)
        columns[name] = np.array(values, dtype=np.int64)
    return Frame(
        ids=np.array([ticket.pk for ticket, _ in pairs], dtype=np.int64),
        status=np.array([ticket.status for ticket, _ in pairs], dtype=str),
        has_clock=np.ones(len(pairs), dtype=bool),
        columns=columns,
        fired=[json.dumps(sla.fired) for _, sla in pairs],
    )


def _stored(sla: TicketSla, name: str) -> int:
    value = getattr(sla, name)
    if name in INSTANTS:
        return _us(value)
    return -1 if value is None else int(value)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=specs(), policy=policies(), data=st.data())
def test_the_array_path_equals_the_one_ticket_path(
    spec: dict[str, Any], policy: SlaPolicy, data: st.DataObject
) -> None:
    calendar = Calendar.from_spec(spec)
    policy.calendar = BusinessCalendar(pk=3, name="C", spec=spec)
    now = moment(data.draw, START + timedelta(days=250), days=150)
    pairs = data.draw(st.lists(clocks(now), min_size=1, max_size=6, unique_by=lambda p: p[0].pk))
    for ticket, sla in pairs:
        if data.draw(st.booleans()):
            # Keys as the scheduler leaves them, some of cycles gone by.
            cycle = data.draw(st.sampled_from([ticket.created_at, sla.update_cycle_start, now]))
            kind = data.draw(st.sampled_from(TARGETS))
            stage = data.draw(st.sampled_from(["warning", "breach"]))
            sla.fired = [f"{kind}:{stage}:{cycle.isoformat()}"]
    frame = _frame(pairs)
    low = min(ticket.created_at for ticket, _ in pairs)
    table = BusinessTable.build(calendar, to_us(low), to_us(now) + HORIZON_US)
    compute_group(frame, np.arange(len(pairs)), policy, table, to_us(now))
    for row, (ticket, sla) in enumerate(pairs):
        try:
            recompute(ticket, sla, policy, now)
        except (CalendarError, ValueError):
            assert frame.slow[row], "the one-ticket path failed where the array path answered"
            continue
        if frame.slow[row]:
            continue
        for name in WRITTEN:
            assert frame.out[name][row] == _stored(sla, name), (name, row)
        assert json.loads(frame.out_fired[row]) == sla.fired


def test_most_clocks_take_the_array_path() -> None:
    """A desk of steady clocks is not handed to the slow path (that would be correct but slow)."""
    spec = {"timezone": "Europe/Warsaw", "week": {"mon": [["09:00", "17:00"]]}, "holidays": "PL"}
    calendar = Calendar.from_spec(spec)
    policy = SlaPolicy(pk=7, name="P", first_response_minutes=60, resolution_minutes=600)
    policy.calendar = BusinessCalendar(pk=3, name="C", spec=spec)
    now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    pairs = []
    for index in range(50):
        created = now - timedelta(hours=index * 7)
        ticket = Ticket(pk=index + 1, status="open", created_at=created, customer_messages=1)
        sla = TicketSla(ticket_id=index + 1, update_cycle_start=created, seen_customer_messages=1)
        pairs.append((ticket, sla))
    frame = _frame(pairs)
    table = BusinessTable.build(calendar, to_us(now) - YEAR_US, to_us(now) + HORIZON_US)
    compute_group(frame, np.arange(50), policy, table, to_us(now))
    assert not frame.slow.any()
    recompute(pairs[3][0], pairs[3][1], policy, now)
    assert from_us(int(frame.out["resolution_due"][3]), UTC) == pairs[3][1].resolution_due


def test_an_instant_outside_the_table_goes_one_by_one() -> None:
    calendar = Calendar.from_spec({"timezone": "UTC", "week": "24/7"})
    now = datetime(2026, 11, 20, tzinfo=UTC)
    policy = SlaPolicy(pk=7, name="P", resolution_minutes=60)
    old = now - timedelta(days=3000)
    ticket = Ticket(pk=1, status="open", created_at=old, customer_messages=1)
    sla = TicketSla(ticket_id=1, update_cycle_start=old, seen_customer_messages=1)
    frame = _frame([(ticket, sla)])
    table = BusinessTable.build(calendar, to_us(now) - YEAR_US, to_us(now) + HORIZON_US)
    compute_group(frame, np.arange(1), policy, table, to_us(now))
    assert frame.slow[0]


@pytest.mark.parametrize("minutes", [0, 1, 59, 60, 61, 600])
def test_table_matches_the_calendar_on_a_lunch_break(minutes: int) -> None:
    from litso.sla.calendar import add_business_minutes, business_minutes_between

    spec = {
        "timezone": "Europe/Warsaw",
        "week": {"fri": [["09:00", "13:00"], ["14:00", "18:00"]]},
        "holidays": "PL",
    }
    calendar = Calendar.from_spec(spec)
    start = datetime(2026, 10, 23, 10, 59, 30, tzinfo=UTC)  # Friday 12:59:30 in Warsaw
    table = BusinessTable.build(calendar, to_us(start), to_us(start) + YEAR_US)
    got, answered = table.add(np.array([to_us(start)]), np.array([minutes]))
    assert answered[0]
    expected = add_business_minutes(calendar, start, minutes)
    assert from_us(int(got[0]), UTC) == expected
    back, _ = table.between(np.array([to_us(start)]), got)
    assert back[0] == business_minutes_between(calendar, start, expected)


def test_an_answer_while_paused_counts_without_the_pause() -> None:
    spec = {"timezone": "Europe/Warsaw", "week": {"mon": [["09:00", "17:00"]]}}
    calendar = Calendar.from_spec(spec)
    policy = SlaPolicy(pk=7, name="P", resolution_minutes=600)
    policy.calendar = BusinessCalendar(pk=3, name="C", spec=spec)
    created = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)  # Monday 09:00 in Warsaw
    ticket = Ticket(
        pk=1,
        status="pending_customer",
        created_at=created,
        first_response_at=created + timedelta(hours=2),
        customer_messages=1,
    )
    sla = TicketSla(
        ticket_id=1,
        update_cycle_start=created,
        seen_customer_messages=1,
        paused_since=created + timedelta(hours=1),
        paused_business_minutes=15,
        paused_calendar_minutes=15,
    )
    frame = _frame([(ticket, sla)])
    now = created + timedelta(hours=3)
    table = BusinessTable.build(calendar, to_us(created), to_us(now) + HORIZON_US)
    compute_group(frame, np.arange(1), policy, table, to_us(now))
    recompute(ticket, sla, policy, now)
    # Two hours, less the 15 minutes paused before and the hour paused until the answer.
    assert (sla.first_response_business_minutes, sla.first_response_calendar_minutes) == (45, 45)
    assert frame.out["first_response_business_minutes"][0] == 45
    assert frame.out["first_response_calendar_minutes"][0] == 45
