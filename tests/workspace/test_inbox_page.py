from __future__ import annotations

import datetime

from django.utils import timezone

from litso.audit.record import Actor
from litso.tickets.actions import do_assign, do_escalate
from litso.triage.models import TicketTriage
from litso.workspace import inbox_page
from tests.workspace.helpers import set_due, update


def test_a_listed_row_holds_what_the_inbox_shows(desk) -> None:  # type: ignore[no-untyped-def]
    ticket = desk.open(subject="Where is my parcel?")
    do_assign(ticket, desk.agent_a, Actor.agent(desk.agent_a))
    do_escalate(ticket, Actor.agent(desk.agent_a), reason="angry")
    TicketTriage.objects.update_or_create(
        ticket=ticket, defaults={"abusive": True, "chase_count": 2, "needs_review": False}
    )
    set_due(ticket, 30)
    set_due(ticket, -5, kind="resolution_due")
    plain = desk.open(customer=desk.customer_y)
    update(plain, language="pl")
    desk.customer_y.full_name = ""
    desk.customer_y.save()

    rows = inbox_page.read_rows([ticket.pk, plain.pk])
    listed = rows[ticket.pk]
    assert (listed.number, listed.subject, listed.status) == (ticket.number, ticket.subject, "new")
    assert (listed.customer, listed.department, listed.assignee) == ("Xena X", "Sales", "Anna")
    assert (listed.escalated, listed.abusive, listed.chase_count) == (True, True, 2)
    now = timezone.now()
    deadline = listed.next_deadline(now)
    assert deadline is not None
    assert deadline.kind == "resolution"
    assert deadline.breached
    assert {kind for kind, _ in listed.dues} == {"first_response", "resolution"}

    other = rows[plain.pk]
    assert other.customer == f"customer #{desk.customer_y.pk}"
    assert (other.assignee, other.language, other.dues) == ("", "pl", ())
    assert other.next_deadline(now) is None
    assert (other.abusive, other.needs_review, other.chase_count) == (False, False, 0)
    assert other.updated_at <= now + datetime.timedelta(seconds=1)
    # The query is kept compiled (its names are subqueries, not joins, and still kept).
    assert list(inbox_page._rows._plans.values()) != []
    assert None not in inbox_page._rows._plans.values()


def test_rows_of_missing_tickets_are_left_out(desk) -> None:  # type: ignore[no-untyped-def]
    ticket = desk.open()
    assert set(inbox_page.read_rows([ticket.pk, 987654])) == {ticket.pk}
