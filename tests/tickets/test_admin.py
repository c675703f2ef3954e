"""Staff read the desk in the admin as the permission rules allow; changes go through actions."""

from __future__ import annotations

import pytest
from django.test import Client

from litso.audit.models import Event
from litso.staff.groups import desk_staff_group


@pytest.fixture
def agent_client(desk, client: Client) -> Client:
    desk.agent_a.is_staff = True
    desk.agent_a.save()
    desk.agent_a.groups.add(desk_staff_group())
    client.force_login(desk.agent_a)
    return client


def test_an_agent_sees_only_their_departments_tickets(desk, agent_client: Client) -> None:
    mine = desk.open(subject="Mine in Sales")
    theirs = desk.open(department=desk.dept_b, subject="Billing only")
    page = agent_client.get("/admin/tickets/ticket/")
    assert page.status_code == 200
    assert b"Mine in Sales" in page.content
    assert b"Billing only" not in page.content
    assert agent_client.get(f"/admin/tickets/ticket/{theirs.pk}/change/").status_code == 302
    assert agent_client.get(f"/admin/tickets/ticket/{mine.pk}/change/").status_code == 200
    messages = agent_client.get("/admin/tickets/message/")
    assert str(mine.number).encode() in messages.content
    assert f"#{theirs.number} ".encode() not in messages.content


def test_admin_actions_go_through_the_action_layer(desk, agent_client: Client) -> None:
    ticket = desk.open()
    response = agent_client.post(
        "/admin/tickets/ticket/",
        {"action": "assign_to_me", "_selected_action": [str(ticket.pk)]},
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == desk.agent_a
    assert Event.objects.filter(ticket=ticket, verb="assign", actor=desk.agent_a).exists()


def test_the_ticket_form_cannot_change_rows(desk, agent_client: Client) -> None:
    ticket = desk.open()
    agent_client.post(f"/admin/tickets/ticket/{ticket.pk}/change/", {"status": "closed"})
    ticket.refresh_from_db()
    assert ticket.status == "new"


def test_ticket_list_queries_do_not_grow(desk, agent_client: Client,
                                        django_assert_max_num_queries) -> None:
    desk.open()
    agent_client.get("/admin/tickets/ticket/")
    with django_assert_max_num_queries(20) as first:
        agent_client.get("/admin/tickets/ticket/")
    for _ in range(15):
        desk.open()
    with django_assert_max_num_queries(len(first.captured_queries)):
        agent_client.get("/admin/tickets/ticket/")
