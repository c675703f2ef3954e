from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core import mail
from django.utils import timezone

from litso.audit.models import Event
from litso.audit.record import Actor
from litso.jobs.runner import run_pending_tasks
from litso.jobs.scheduler import Scheduler
from litso.sla.models import SlaBreach, TicketSla
from litso.sla.scheduled import fire_due_timers
from litso.tickets.actions import do_assign, do_change_status
from litso.tickets.models import Message, MessageKind, Status
from tests.conftest import Desk
from tests.sla.helpers import age, make_policy


def _policy(**fields: Any) -> None:
    make_policy("Standard", business_time=False, **fields)


def test_breach_fires_once_and_its_warning_is_moot(desk: Desk) -> None:
    _policy(first_response_minutes=60)
    ticket = age(desk.open(), 120)
    assert fire_due_timers() == 1
    assert fire_due_timers() == 0
    scheduler = Scheduler()
    assert scheduler.run_once()["sla.fire_due_timers"] == 0
    assert Scheduler().run_once()["sla.fire_due_timers"] == 0
    breach = SlaBreach.objects.get(ticket=ticket)
    assert breach.kind == "first_response"
    assert breach.due_at == ticket.created_at + timedelta(minutes=60)
    verbs = list(Event.objects.filter(ticket=ticket, verb__startswith="sla_").values_list("verb"))
    assert verbs == [("sla_breach",)]
    sla = TicketSla.objects.get(ticket=ticket)
    assert sla.next_timer_at is None


def test_warning_first_then_breach(desk: Desk) -> None:
    _policy(first_response_minutes=60, notify_assignee=True)
    ticket = desk.open()
    do_assign(ticket, desk.agent_a, Actor.agent(desk.admin))
    ticket = age(ticket, 50)
    assert fire_due_timers() == 1
    assert fire_due_timers() == 0
    event = Event.objects.get(ticket=ticket, verb="sla_warning")
    assert event.field == "first_response"
    assert event.rule_name == "Standard"
    assert not SlaBreach.objects.exists()
    sla = TicketSla.objects.get(ticket=ticket)
    assert sla.next_timer_at == ticket.created_at + timedelta(minutes=60)
    mail.outbox.clear()
    run_pending_tasks()
    assert [m.to for m in mail.outbox if "close to its first response" in m.subject] == [
        ["anna@staff.test"]
    ]
    # The desk was down past the deadline: the breach fires when it comes back.
    TicketSla.objects.filter(pk=sla.pk).update(next_timer_at=timezone.now())
    age(ticket, 70)
    assert fire_due_timers() == 1
    assert SlaBreach.objects.filter(ticket=ticket).count() == 1
    assert fire_due_timers() == 0


def test_breach_raises_priority_hands_over_and_tells_the_supervisor(desk: Desk) -> None:
    _policy(
        resolution_minutes=30,
        raise_priority=True,
        reassign_on_shift=True,
        notify_supervisor=True,
        notify_assignee=False,
    )
    ticket = age(desk.open(), 45)
    assert fire_due_timers() == 1
    ticket.refresh_from_db()
    assert ticket.priority == "high"
    assert ticket.assignee in (desk.agent_a, desk.supervisor)
    assert Event.objects.get(ticket=ticket, verb="priority").rule_name == "Standard"
    mail.outbox.clear()
    run_pending_tasks()
    assert ["super@staff.test"] in [m.to for m in mail.outbox if "missed" in m.subject]
    assert fire_due_timers() == 0
    ticket.refresh_from_db()
    assert ticket.priority == "high"


def test_silence_gets_a_still_working_update_to_the_customer(desk: Desk) -> None:
    _policy(periodic_update_minutes=240, send_customer_update=True, remind_agent=True)
    ticket = age(desk.open(language="pl", body="Dzień dobry, gdzie jest moje zamówienie?"), 250)
    assert fire_due_timers() == 1
    update = Message.objects.get(ticket=ticket, kind=MessageKind.OUTBOUND)
    assert "Nadal nad nim pracujemy" in update.body_text
    assert Message.objects.filter(ticket=ticket, kind=MessageKind.NOTE).count() == 1
    sla = TicketSla.objects.get(ticket=ticket)
    assert sla.silence_gaps == 1
    assert sla.periodic_update_due is not None
    assert sla.periodic_update_due > timezone.now() + timedelta(minutes=235)
    assert fire_due_timers() == 0
    assert Message.objects.filter(ticket=ticket, kind=MessageKind.OUTBOUND).count() == 1


def test_paused_ticket_fires_nothing(desk: Desk) -> None:
    _policy(resolution_minutes=30)
    ticket = desk.open()
    do_change_status(ticket, Status.PENDING_CUSTOMER, Actor.agent(desk.agent_a))
    age(ticket, 45)
    assert fire_due_timers() == 0
    assert not SlaBreach.objects.exists()


def test_ticket_no_longer_matching_is_cleared(desk: Desk) -> None:
    make_policy("Urgent only", priorities=["urgent"], business_time=False, resolution_minutes=30)
    ticket = age(desk.open(priority="urgent"), 45)
    from litso.tickets.models import Ticket

    Ticket.objects.filter(pk=ticket.pk).update(priority="low")
    assert fire_due_timers() == 0
    sla = TicketSla.objects.get(ticket=ticket)
    assert (sla.policy, sla.next_timer_at) == (None, None)


def _notified(stage_words: str) -> list[list[str]]:
    mail.outbox.clear()
    run_pending_tasks()
    return sorted(m.to for m in mail.outbox if stage_words in m.subject)


def test_a_warning_goes_to_whom_the_policy_names(desk: Desk) -> None:
    _policy(first_response_minutes=60, notify_assignee=True, notify_supervisor=True)
    ticket = desk.open()
    do_assign(ticket, desk.agent_a, Actor.agent(desk.admin))
    age(ticket, 50)
    assert fire_due_timers() == 1
    assert _notified("close to its") == [["anna@staff.test"], ["super@staff.test"]]


def test_a_warning_without_an_assignee_goes_to_the_supervisors(desk: Desk) -> None:
    _policy(first_response_minutes=60, notify_assignee=True)
    age(desk.open(), 50)
    assert fire_due_timers() == 1
    assert _notified("close to its") == [["super@staff.test"]]


def test_supervisors_only_policy_leaves_the_assignee_alone(desk: Desk) -> None:
    _policy(first_response_minutes=60, notify_assignee=False, notify_supervisor=True)
    ticket = desk.open()
    do_assign(ticket, desk.agent_a, Actor.agent(desk.admin))
    age(ticket, 50)
    assert fire_due_timers() == 1
    assert _notified("close to its") == [["super@staff.test"]]


def _fire_counting_queries(desk: Desk, tickets: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(tickets):
        age(desk.open(), 120)
    with CaptureQueriesContext(connection) as queries:
        assert fire_due_timers() == tickets
    return len(queries)


def test_a_round_writes_its_rows_together(desk: Desk) -> None:
    """Record-and-notify timers: the queries of a round do not grow with its tickets."""
    _policy(first_response_minutes=60, notify_assignee=False)
    few = _fire_counting_queries(desk, 2)
    assert _fire_counting_queries(desk, 8) == few
    assert Event.objects.filter(verb="sla_breach").count() == SlaBreach.objects.count() == 10
    assert not TicketSla.objects.filter(next_timer_at__lte=timezone.now()).exists()


def test_a_breach_hands_over_only_to_someone_who_speaks_the_language(desk: Desk) -> None:
    from litso.staff.models import AgentProfile, Role
    from tests.conftest import make_agent

    AgentProfile.objects.filter(user=desk.supervisor).update(on_shift=False)
    olga = make_agent("olga", Role.AGENT, [desk.dept_a], languages=["ru"])
    _policy(resolution_minutes=30, reassign_on_shift=True, notify_assignee=False)
    ticket = desk.open(body="Здравствуйте, мой заказ до сих пор не пришёл")
    do_assign(ticket, desk.agent_a, Actor.agent(desk.admin))
    age(ticket, 45)
    assert fire_due_timers() == 1
    ticket.refresh_from_db()
    # Anna held it and speaks only English; Olga speaks Russian and is on shift.
    assert ticket.assignee == olga
    assert "speaks ru" in Event.objects.filter(ticket=ticket, verb="assign").last().reason  # type: ignore[union-attr]


def test_an_agent_gets_one_mail_for_the_timers_of_a_round(desk: Desk) -> None:
    _policy(first_response_minutes=60, resolution_minutes=90, notify_assignee=True)
    numbers = []
    for _ in range(3):
        ticket = desk.open()
        do_assign(ticket, desk.agent_a, Actor.agent(desk.admin))
        numbers.append(age(ticket, 120).number)
    run_pending_tasks()  # the assignment mails
    assert fire_due_timers() == 6
    mail.outbox.clear()
    run_pending_tasks()
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["anna@staff.test"], "6 SLA targets missed or close")
    ]
    body = mail.outbox[0].body
    assert all(f"Ticket #{number} " in body for number in numbers)
    assert body.count("missed its resolution target") == 3
