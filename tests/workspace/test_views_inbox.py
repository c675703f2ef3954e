from __future__ import annotations

import datetime
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from litso.audit.record import Actor
from litso.tickets.actions import do_assign
from litso.tickets.models import Status, Ticket
from litso.triage.models import TicketTriage
from tests.workspace.helpers import set_due, update

VIEWS = [
    "needs-first-response",
    "mine",
    "unassigned",
    "triage",
    "breaching-soon",
    "escalated",
    "pending-customer",
    "all",
]


def fill(desk, count: int) -> None:  # type: ignore[no-untyped-def]
    """Tickets that show up in every view of agent A, with all the row's relations set."""
    agent = Actor.agent(desk.agent_a)
    for i in range(count):
        ticket = desk.open(tags=["vip"], customer=desk.customer_y if i % 2 else None)
        set_due(ticket, 30)
        owner = (None, desk.agent_a, desk.supervisor)[i % 3]
        if owner is not None:
            do_assign(ticket, owner, agent)
        update(ticket, escalated=True, status=Status.PENDING_CUSTOMER if i % 2 else Status.OPEN)
        # Rows show triage marks too: they must come with the page's rows, not one by one.
        TicketTriage.objects.update_or_create(
            ticket=ticket,
            defaults={"needs_review": True, "chase_count": i % 3, "abusive": bool(i % 2)},
        )


@pytest.mark.parametrize("view", [*VIEWS, "department"])
def test_list_pages_cost_the_same_queries_at_any_size(
    desk, client: Client, django_assert_num_queries, view: str
) -> None:
    url = f"/inbox/{view}/" if view != "department" else f"/inbox/department-{desk.dept_a.pk}/"
    client.force_login(desk.agent_a)
    fill(desk, 2)
    cache.clear()
    response = client.get(url)
    assert response.status_code == 200
    with django_assert_num_queries(len(_queries(client, url))) as few:
        cache.clear()
        client.get(url)
    fill(desk, 20)
    cache.clear()
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    rows = response.content.decode().count("<tr data-href=")
    assert rows >= 5, "the page must list tickets for this comparison to mean anything"
    # With the sidebar counts cached, a page costs fewer queries still.
    with django_assert_num_queries(len(few.captured_queries) - len(VIEWS) - 1):
        client.get(url)


def _queries(client: Client, url: str) -> list[object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return list(captured.captured_queries)


def test_a_row_shows_what_the_agent_needs(desk, client: Client) -> None:
    ticket = desk.open(subject="Broken zipper", priority="high")
    update(ticket, language="pl")
    do_assign(ticket, desk.agent_a, Actor.agent(desk.agent_a))
    set_due(ticket, -90)
    update(ticket, updated_at=datetime.datetime(2026, 1, 15, 12, 0, tzinfo=datetime.UTC))
    desk.agent_a.agent.time_zone = "Europe/Warsaw"
    desk.agent_a.agent.save()
    client.force_login(desk.agent_a)
    html = client.get("/inbox/all/").content.decode()
    row = re.search(rf'<tr data-href="/t/{ticket.number}/".*?</tr>', html, re.S)
    assert row is not None
    text = row.group(0)
    for expected in ("Broken zipper", "Xena X", "New", "High", "Anna", "Sales", "PL"):
        assert expected in text, expected
    assert 'class="sla breached"' in text
    assert "1 h 30 min overdue" in text
    # 12:00 UTC is 13:00 in Warsaw in January.
    assert 'datetime="2026-01-15T13:00:00+01:00"' in text


def test_sla_countdown_in_the_future_is_not_red(desk, client: Client) -> None:
    ticket = desk.open()
    set_due(ticket, 125)
    client.force_login(desk.agent_a)
    html = client.get("/inbox/all/").content.decode()
    countdown = r'<span class="sla" title="First response: [^"]*">in 2 h [45] min</span>'
    assert re.search(countdown, html)


def test_the_sidebar_lists_views_with_counts(desk, client: Client) -> None:
    desk.open()
    desk.open(department=desk.dept_b)
    client.force_login(desk.agent_a)
    html = client.get("/").content.decode()
    assert re.search(r"Needs first response</span>\s*<span class=\"count\">1</span>", html)
    assert re.search(r"Sales</span>\s*<span class=\"count\">1</span>", html)
    assert "Billing</span>" not in html


def test_an_unknown_view_is_a_404_page(desk, client: Client) -> None:
    client.force_login(desk.agent_a)
    response = client.get(f"/inbox/department-{desk.dept_b.pk}/")
    assert response.status_code == 404
    assert "Not found" in response.content.decode()


def test_bad_filter_values_are_ignored(desk, client: Client) -> None:
    ticket = desk.open()
    client.force_login(desk.agent_a)
    response = client.get("/inbox/all/?status=bogus&assignee=x&sort=sideways&page=-3")
    assert response.status_code == 200
    assert f'data-href="/t/{ticket.number}/"' in response.content.decode()


def test_filters_and_sort_are_kept_across_pages(desk, client: Client, monkeypatch) -> None:
    from litso.workspace import inbox_page

    monkeypatch.setattr(inbox_page, "PAGE_SIZE", 2)
    for ticket in [desk.open() for _ in range(3)]:
        update(ticket, priority="high")
    client.force_login(desk.agent_a)
    html = client.get("/inbox/all/?priority=high&sort=oldest").content.decode()
    assert 'href="?priority=high&amp;sort=oldest&amp;page=2"' in html
    second = client.get("/inbox/all/?priority=high&sort=oldest&page=2").content.decode()
    assert second.count("<tr data-href=") == 1
    assert 'rel="prev"' in second


def test_bulk_changes_report_each_ticket(desk, client: Client) -> None:
    one, two = desk.open(), desk.open()
    closed = desk.open()
    update(closed, status=Status.CLOSED)
    hidden = desk.open(department=desk.dept_b)
    client.force_login(desk.agent_a)
    numbers = [one.number, two.number, closed.number, hidden.number]
    response = client.post(
        "/inbox/bulk/",
        {"tickets": numbers, "status": "pending_customer", "assignee": "me", "add_tag": "late",
         "next": "/inbox/all/?sort=oldest"},
        follow=True,
    )
    assert response.redirect_chain[0] == ("/inbox/all/?sort=oldest", 302)
    html = response.content.decode()
    assert "2 tickets changed." in html
    assert f"#{closed.number} not changed:" in html
    assert f"#{hidden.number} not changed: not found" in html
    for ticket in (one, two):
        ticket.refresh_from_db()
        assert ticket.status == Status.PENDING_CUSTOMER
        assert ticket.assignee == desk.agent_a
        assert list(ticket.tags.values_list("name", flat=True)) == ["late"]
    assert Ticket.objects.get(pk=hidden.pk).assignee is None


def test_bulk_department_change_and_unassign(desk, client: Client) -> None:
    ticket = desk.open()
    do_assign(ticket, desk.agent_a, Actor.agent(desk.agent_a))
    client.force_login(desk.admin)
    client.post("/inbox/bulk/", {"tickets": [ticket.number], "department": desk.dept_b.pk})
    ticket.refresh_from_db()
    assert ticket.department == desk.dept_b
    # Anna does not work in Billing: the move unassigned her.
    assert ticket.assignee is None


def test_bulk_with_nothing_to_change_says_so(desk, client: Client) -> None:
    ticket = desk.open()
    client.force_login(desk.agent_a)
    response = client.post("/inbox/bulk/", {"tickets": [ticket.number]}, follow=True)
    assert "Choose what to change." in response.content.decode()
    response = client.post("/inbox/bulk/", {"status": "solved"}, follow=True)
    assert "This field is required." in response.content.decode()


def test_bulk_refuses_an_outside_next_address(desk, client: Client) -> None:
    ticket = desk.open()
    client.force_login(desk.agent_a)
    response = client.post(
        "/inbox/bulk/",
        {"tickets": [ticket.number], "status": "open", "next": "https://evil.test/"},
    )
    assert response["Location"] == "/"


def test_times_are_shown_in_the_agents_time_zone(desk, client: Client) -> None:
    ticket = desk.open()
    moment = timezone.make_aware(datetime.datetime(2026, 7, 1, 23, 30), datetime.UTC)
    update(ticket, updated_at=moment)
    desk.agent_a.agent.time_zone = "Asia/Tokyo"
    desk.agent_a.agent.save()
    client.force_login(desk.agent_a)
    html = client.get("/inbox/all/").content.decode()
    assert 'datetime="2026-07-02T08:30:00+09:00"' in html
