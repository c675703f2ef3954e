from __future__ import annotations

import pytest

from litso.audit.record import Actor
from litso.jobs.runner import run_pending_tasks
from litso.sla.models import SlaBreach, TicketSla
from litso.sla.scheduled import fire_due_timers
from litso.tickets.actions import do_change_status
from litso.tickets.models import Status
from tests.conftest import Desk
from tests.sla.helpers import age, make_calendar, make_policy


def test_a_new_policy_recomputes_the_open_tickets(desk: Desk) -> None:
    open_ticket = desk.open()
    solved = desk.open()
    do_change_status(solved, Status.SOLVED, Actor.agent(desk.agent_a))
    assert not TicketSla.objects.exists()
    make_policy("Standard", business_time=False, resolution_minutes=600)
    run_pending_tasks()
    sla = TicketSla.objects.get()
    assert sla.ticket_id == open_ticket.pk
    assert sla.resolution_due is not None


def test_deactivating_a_policy_clears_the_clocks(desk: Desk) -> None:
    policy = make_policy("Standard", business_time=False, resolution_minutes=600)
    ticket = desk.open()
    assert TicketSla.objects.get(ticket=ticket).next_timer_at is not None
    policy.active = False
    policy.save()
    run_pending_tasks()
    sla = TicketSla.objects.get(ticket=ticket)
    assert (sla.policy, sla.resolution_due, sla.next_timer_at) == (None, None, None)


def test_calendar_change_moves_deadlines_and_nothing_fires_twice(desk: Desk) -> None:
    calendar = make_calendar(spec={"timezone": "UTC", "week": "24/7"})
    policy = make_policy("Standard", calendar=calendar, first_response_minutes=60)
    ticket = age(desk.open(), 120)
    assert fire_due_timers() == 1
    calendar.spec = {"timezone": "UTC", "week": "24/7", "closed": ["2020-01-01"]}
    calendar.save()
    policy.warn_at_percent = 50
    policy.save()
    run_pending_tasks()
    assert fire_due_timers() == 0
    assert SlaBreach.objects.filter(ticket=ticket).count() == 1


def test_a_big_desk_is_recomputed_in_parts_on_postgresql(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import connection

    from litso.sla import tasks

    policy = make_policy("Standard", business_time=False, resolution_minutes=600)
    tickets = [desk.open() for _ in range(5)]
    TicketSla.objects.update(resolution_due=None, next_timer_at=None)
    monkeypatch.setattr(tasks, "PART_TICKETS", 2)
    assert tasks._parts() == [
        (0, tickets[1].pk),
        (tickets[1].pk, tickets[3].pk),
        (tickets[3].pk, None),
    ]
    result = tasks.recompute_open_tickets.call()
    if connection.vendor == "postgresql":
        assert result.endswith("; 2 parts queued")
        assert TicketSla.objects.filter(resolution_due=None).count() == 3
        run_pending_tasks()
    else:
        assert "parts" not in result
    assert not TicketSla.objects.filter(resolution_due=None).exists()
    assert set(TicketSla.objects.values_list("policy", flat=True)) == {policy.pk}
