from __future__ import annotations

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
