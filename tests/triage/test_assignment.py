from __future__ import annotations

import pytest

from litso.audit.models import Event
from litso.audit.record import Actor
from litso.staff.models import AgentProfile, Role
from litso.tickets.models import Ticket
from litso.triage.assignment import assign_waiting, do_auto_assign, do_set_on_shift, pick_agent
from litso.triage.models import TicketTriage
from tests.conftest import Desk, make_agent

pytestmark = pytest.mark.django_db


def only_on_shift(*users: object) -> None:
    AgentProfile.objects.update(on_shift=False)
    AgentProfile.objects.filter(user__in=users).update(on_shift=True)


def test_least_loaded_agent_of_the_department_who_speaks_the_language(desk: Desk) -> None:
    carl = make_agent("carl", Role.AGENT, [desk.dept_a], languages=["ru", "en"])
    only_on_shift(desk.agent_a, carl)
    busy = desk.open()
    busy.assignee = carl
    busy.save()
    english = desk.open()
    choice = pick_agent(english)
    assert choice is not None
    assert choice.user_id == desk.agent_a.pk  # Anna has 0 open tickets, Carl 1
    assert "least loaded (0 of 25 open)" in choice.reason
    russian = desk.open(language="ru")
    Ticket.objects.filter(pk=russian.pk).update(language="ru")
    russian.refresh_from_db()
    # Anna does not speak Russian: Carl, though busier.
    assert pick_agent(russian).user_id == carl.pk  # type: ignore[union-attr]


def test_max_load_is_respected_and_off_shift_agents_are_skipped(desk: Desk) -> None:
    only_on_shift(desk.agent_a)
    AgentProfile.objects.filter(user=desk.agent_a).update(max_load=1)
    first = desk.open()
    do_auto_assign(first)
    first.refresh_from_db()
    assert first.assignee == desk.agent_a
    second = desk.open()
    assert pick_agent(second) is None


def test_round_robin_among_equally_loaded(desk: Desk) -> None:
    carl = make_agent("carl", Role.AGENT, [desk.dept_a])
    only_on_shift(desk.agent_a, carl)
    owners = []
    for _ in range(4):
        ticket = desk.open()
        do_auto_assign(ticket)
        ticket.refresh_from_db()
        # Solve it so loads stay equal and only the turn decides.
        Ticket.objects.filter(pk=ticket.pk).update(status="solved")
        owners.append(ticket.assignee_id)
    assert owners[0] != owners[1]
    assert owners[0::2] == [owners[0]] * 2
    assert owners[1::2] == [owners[1]] * 2
    assert set(owners) == {desk.agent_a.pk, carl.pk}


def test_nobody_on_shift_waits_visibly_until_someone_starts(desk: Desk) -> None:
    only_on_shift()
    ticket = desk.open()
    do_auto_assign(ticket)
    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert TicketTriage.objects.get(ticket=ticket).waiting_for_agent
    assert Event.objects.filter(ticket=ticket, verb="waiting_for_agent").count() == 1
    # Asking again does not repeat the event.
    do_auto_assign(ticket)
    assert Event.objects.filter(ticket=ticket, verb="waiting_for_agent").count() == 1

    assigned = do_set_on_shift(desk.agent_a.pk, True, Actor.agent(desk.agent_a))
    assert assigned == 1
    ticket.refresh_from_db()
    assert ticket.assignee == desk.agent_a
    assert not TicketTriage.objects.get(ticket=ticket).waiting_for_agent
    event = Event.objects.get(ticket=ticket, verb="assign")
    assert "least loaded" in event.reason


def test_waiting_tickets_wait_for_the_right_department(desk: Desk) -> None:
    only_on_shift()
    ticket = desk.open()  # Sales
    do_auto_assign(ticket)
    do_set_on_shift(desk.agent_b.pk, True, Actor.agent(desk.agent_b))  # Billing
    ticket.refresh_from_db()
    assert ticket.assignee is None
    AgentProfile.objects.filter(user=desk.agent_a).update(on_shift=True)
    assert assign_waiting() == 1
    ticket.refresh_from_db()
    assert ticket.assignee == desk.agent_a


def test_a_ticket_solved_while_waiting_stops_waiting(desk: Desk) -> None:
    only_on_shift()
    ticket = do_auto_assign(desk.open())
    Ticket.objects.filter(pk=ticket.pk).update(status="solved")
    assert assign_waiting() == 0
    assert not TicketTriage.objects.get(ticket=ticket).waiting_for_agent
