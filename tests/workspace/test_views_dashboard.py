from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from litso.audit.record import Actor
from litso.tickets.actions import do_assign, do_escalate
from litso.triage.models import MessageFlag, TicketTriage
from tests.workspace.helpers import set_due

QUESTIONS = [
    ("Refund", "I want my money back for order {i}."),
    ("Invoice", "Please send the invoice for order {i}."),
    ("Colours", "Which colours does fabric {i} come in?"),
    ("Delivery", "Can parcel {i} go to a pick-up point?"),
]


def fill(desk, rounds: int) -> None:
    """Tickets for every section of the dashboard, `rounds` of each."""
    actor = Actor.agent(desk.supervisor)
    for i in range(rounds):
        for j, (subject, body) in enumerate(QUESTIONS):
            ticket = desk.open(subject=f"{subject} {i}", body=body.format(i=f"{i}-{j}"))
            set_due(ticket, -5 if j % 2 else 20)
            if j == 0:
                do_escalate(ticket, actor, reason="angry")
            if j == 1:
                TicketTriage.objects.update_or_create(
                    ticket=ticket, defaults={"chase_count": 2, "waiting_for_agent": True}
                )
            if j == 2:
                MessageFlag.objects.create(
                    message=ticket.messages.get(), ticket=ticket, score=0.9, reasons=["insult"]
                )
            if j == 3:
                do_assign(ticket, desk.agent_a, actor)


def test_the_dashboard_is_for_supervisors_and_admins(desk, client: Client) -> None:
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    client.force_login(desk.agent_a)
    response = client.get("/dashboard/")
    assert response.status_code == 403
    assert "Traceback" not in response.content.decode()
    assert 'href="/dashboard/"' not in client.get("/").content.decode(), "no link for agents"
    for user in (desk.supervisor, desk.admin):
        client.force_login(user)
        response = client.get("/dashboard/")
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"
        assert 'href="/dashboard/"' in client.get("/").content.decode()


def test_the_dashboard_shows_every_section(desk, client: Client) -> None:
    fill(desk, 1)
    client.force_login(desk.supervisor)
    html = client.get("/dashboard/").content.decode()
    for heading in (
        "No human reaction yet",
        "SLA breached or due within the hour",
        "Escalated",
        "Customers chasing",
        "Waiting for an agent on shift",
        "Abusive messages",
        "Load per agent",
    ):
        assert f"<h2>{heading}</h2>" in html
    assert "Refund 0" in html
    assert "chased 2×" in html
    assert "already breached: 2" in html
    assert 'data-count="silent">4<' in html
    assert 'data-count="abusive">1<' in html
    assert "1 of 25" in html, "Anna has one open ticket of her 25"
    assert "data-live-refresh" in html, "the live stream refreshes it"


def test_the_dashboard_costs_the_same_queries_however_full_the_desk(
    desk, client: Client, django_assert_num_queries
) -> None:
    client.force_login(desk.supervisor)
    fill(desk, 1)
    with CaptureQueriesContext(connection) as few:
        client.get("/dashboard/")
    fill(desk, 12)
    with django_assert_num_queries(len(few.captured_queries)):
        html = client.get("/dashboard/").content.decode()
    assert html.count('<td class="number"><a href="/t/') >= 40, "the lists must be full"
    # Session, user with profile, the supervisor's department ids; five ticket sections ×
    # (count + rows), the breached count, the first clocks by each of the four deadlines and
    # the chased tickets' keys; abusive messages (rows, their tickets, count); the load per
    # agent.
    assert len(few.captured_queries) == 3 + 5 * 2 + 1 + 4 + 1 + 3 + 1
