"""What triage keeps per process (rules, departments, SLA policies) and when it reads again."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from litso.audit.models import Event
from litso.audit.record import Actor
from litso.staff.models import AgentProfile
from litso.tickets.models import Ticket
from litso.triage.assignment import assign_waiting, do_set_on_shift
from litso.triage.models import TicketTriage, TriageRule
from tests.conftest import Desk

CACHED_TABLES = ("triage_triagerule", "departments_department", "sla_slapolicy")


def tables_read_while(action: object) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        action()  # type: ignore[operator]
    return [
        table
        for query in captured.captured_queries
        for table in CACHED_TABLES
        if table in query["sql"] and query["sql"].lstrip().upper().startswith("SELECT")
    ]


@pytest.mark.django_db(transaction=True)
def test_a_new_ticket_reads_rules_departments_and_policies_once_per_process(desk: Desk) -> None:
    TriageRule.objects.create(
        name="Refunds urgent", subject_contains="refund", set_priority="urgent"
    )
    assert tables_read_while(lambda: desk.open(subject="Where is my order?"))
    assert tables_read_while(lambda: desk.open(subject="My order again")) == []
    # A rule saved in this process applies to the very next ticket.
    TriageRule.objects.create(name="Orders high", subject_contains="order", set_priority="high")
    ticket = desk.open(subject="Order 12 is late")
    assert ticket.priority == "high"
    assert Event.objects.filter(ticket=ticket, rule_name="Orders high", verb="priority").exists()
    TriageRule.objects.filter(name="Orders high").delete()
    assert desk.open(subject="Order 13 is late").priority == "normal"


@pytest.mark.django_db
def test_a_rule_made_in_the_open_transaction_applies_at_once(desk: Desk) -> None:
    desk.open(subject="Where is my order?")
    TriageRule.objects.create(name="Orders high", subject_contains="order", set_priority="high")
    assert desk.open(subject="Order 12 is late").priority == "high"


def triage_statements_while(action: object) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        action()  # type: ignore[operator]
    return [
        " ".join(query["sql"].split()[:3])
        for query in captured.captured_queries
        if "triage_tickettriage" in query["sql"] or "staff_agentprofile" in query["sql"]
    ]


@pytest.mark.django_db(transaction=True)
def test_a_new_ticket_nobody_can_take_waits_with_one_insert_and_no_load_count(desk: Desk) -> None:
    desk.dept_a.auto_assign = True
    desk.dept_a.save()
    AgentProfile.objects.update(on_shift=False)
    opened: list[Ticket] = []
    assert len(triage_statements_while(lambda: opened.append(desk.open()))) >= 2
    # Now the empty shift is known: the next ticket writes its triage row once, as it ends.
    statements = triage_statements_while(
        lambda: opened.append(desk.open(customer=desk.customer_y, body="Invoice 7, please"))
    )
    assert statements == ['INSERT INTO "triage_tickettriage"']
    for ticket in opened:
        assert TicketTriage.objects.get(ticket=ticket).waiting_for_agent
        assert Event.objects.filter(ticket=ticket, verb="waiting_for_agent").count() == 1
    # An agent starting a shift here is seen by the very next ticket.
    do_set_on_shift(desk.agent_a.pk, True, Actor.agent(desk.agent_a))
    ticket = desk.open(subject="Anyone there?")
    ticket.refresh_from_db()
    assert ticket.assignee == desk.agent_a
    assert not TicketTriage.objects.get(ticket=ticket).waiting_for_agent


@pytest.mark.django_db(transaction=True)
def test_a_shift_started_without_signals_is_seen_by_assign_waiting(desk: Desk) -> None:
    desk.dept_a.auto_assign = True
    desk.dept_a.save()
    AgentProfile.objects.update(on_shift=False)
    ticket = desk.open()
    desk.open()
    # Another process (or a bare UPDATE) starts the shift: the periodic hand-out asks the
    # database, not this process's cache.
    AgentProfile.objects.filter(user=desk.agent_a).update(on_shift=True)
    assert assign_waiting() == 2
    ticket.refresh_from_db()
    assert ticket.assignee == desk.agent_a
