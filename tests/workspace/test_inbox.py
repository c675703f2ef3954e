from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from litso.audit.record import Actor
from litso.tickets.actions import do_assign, do_change_status, do_escalate, do_reply
from litso.tickets.models import Status
from litso.workspace import inbox, inbox_page
from tests.workspace.helpers import plan_of, set_due, update


def numbers(view: str, desk, user, sort: str | None = None, **filters) -> list[int]:  # type: ignore[no-untyped-def]
    views = inbox.views_for(user)
    chosen = inbox.find_view(views, view)
    assert chosen is not None, [v.slug for v in views]
    tickets = inbox.view_tickets(chosen, user, timezone.now())
    tickets = inbox.apply_filters(tickets, filters, user)
    tickets = inbox.sort_tickets(tickets, sort or chosen.default_sort)
    return [t.number for t in tickets]


def test_each_agent_gets_a_view_per_own_department(desk) -> None:
    slugs = [v.slug for v in inbox.views_for(desk.agent_a)]
    assert slugs == [
        "needs-first-response",
        "mine",
        "unassigned",
        "triage",
        f"department-{desk.dept_a.pk}",
        "breaching-soon",
        "escalated",
        "pending-customer",
        "all",
    ]
    admin_views = [v.slug for v in inbox.views_for(desk.admin)]
    assert f"department-{desk.dept_a.pk}" in admin_views
    assert f"department-{desk.dept_b.pk}" in admin_views


def test_needs_first_response_is_ordered_by_the_promised_time(desk) -> None:
    late, early, no_sla = desk.open(), desk.open(), desk.open()
    answered, solved = desk.open(), desk.open()
    set_due(late, 90)
    set_due(early, 10)
    do_reply(answered, Actor.agent(desk.agent_a), body_text="On it.")
    do_change_status(solved, Status.SOLVED, Actor.agent(desk.agent_a))
    update(no_sla, created_at=timezone.now() - datetime.timedelta(days=1))
    assert numbers("needs-first-response", desk, desk.agent_a) == [
        early.number,
        late.number,
        no_sla.number,
    ]


def test_mine_unassigned_escalated_and_pending(desk) -> None:
    mine, free, escalated, pending = desk.open(), desk.open(), desk.open(), desk.open()
    agent = Actor.agent(desk.agent_a)
    do_assign(mine, desk.agent_a, agent)
    do_assign(escalated, desk.supervisor, agent)
    do_assign(pending, desk.supervisor, agent)
    do_escalate(escalated, agent, reason="angry")
    do_change_status(pending, Status.PENDING_CUSTOMER, agent)
    assert numbers("mine", desk, desk.agent_a) == [mine.number]
    assert numbers("unassigned", desk, desk.agent_a) == [free.number]
    assert numbers("escalated", desk, desk.agent_a) == [escalated.number]
    assert numbers("pending-customer", desk, desk.agent_a) == [pending.number]


def test_breaching_soon_means_a_deadline_within_the_hour_or_past(desk) -> None:
    soon, later, overdue, periodic, solved = (desk.open() for _ in range(5))
    set_due(soon, 30)
    set_due(later, 120)
    set_due(overdue, -300, kind="resolution_due")
    set_due(periodic, 59, kind="periodic_update_due")
    set_due(solved, -5)
    update(solved, status=Status.SOLVED)
    assert numbers("breaching-soon", desk, desk.agent_a) == [
        overdue.number,
        soon.number,
        periodic.number,
    ]


def test_department_views_and_all_include_only_what_the_agent_may_see(desk) -> None:
    sales = desk.open()
    billing = desk.open(department=desk.dept_b)
    closed = desk.open()
    update(closed, status=Status.CLOSED)
    assert numbers(f"department-{desk.dept_a.pk}", desk, desk.agent_a) == [sales.number]
    assert set(numbers("all", desk, desk.agent_a)) == {sales.number, closed.number}
    assert numbers("all", desk, desk.agent_b) == [billing.number]
    views = inbox.views_for(desk.agent_b)
    assert inbox.find_view(views, f"department-{desk.dept_a.pk}") is None
    for view in views:
        found = numbers(view.slug, desk, desk.agent_b)
        assert sales.number not in found, view.slug
        assert closed.number not in found, view.slug


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"status": "open"}, "b"),
        ({"priority": "urgent"}, "b"),
        ({"channel": "web"}, "b"),
        ({"language": "pl"}, "b"),
        ({"tag": "vip"}, "b"),
        ({"assignee": "me"}, "b"),
        ({"assignee": "none"}, "a"),
    ],
)
def test_filters(desk, filters, expected) -> None:  # type: ignore[no-untyped-def]
    a = desk.open()
    b = desk.open(channel="web", priority="urgent", language="pl", tags=["vip"])
    do_assign(b, desk.agent_a, Actor.agent(desk.agent_a))
    # Set directly: triage may detect another language from the text.
    update(a, language="en")
    update(b, status=Status.OPEN, language="pl")
    tickets = {"a": a.number, "b": b.number}
    assert numbers("all", desk, desk.agent_a, **filters) == [tickets[expected]]


def test_filter_by_a_named_assignee(desk) -> None:
    a, b = desk.open(), desk.open()
    do_assign(b, desk.supervisor, Actor.agent(desk.agent_a))
    assert numbers("all", desk, desk.agent_a, assignee=str(desk.supervisor.pk)) == [b.number]
    assert a.number in numbers("all", desk, desk.agent_a)


def test_sorting(desk) -> None:
    # Priorities set directly once all are open: triage raises the priority of a request the
    # customer repeats.
    low, urgent, normal = desk.open(), desk.open(), desk.open()
    for ticket, priority in ((low, "low"), (urgent, "urgent"), (normal, "normal")):
        update(ticket, priority=priority)
    set_due(normal, 5)
    set_due(low, 50, kind="next_response_due")
    update(low, updated_at=timezone.now() + datetime.timedelta(minutes=1))
    agent = desk.agent_a
    assert numbers("all", desk, agent, "priority") == [urgent.number, normal.number, low.number]
    assert numbers("all", desk, agent, "due") == [normal.number, low.number, urgent.number]
    assert numbers("all", desk, agent, "newest") == [normal.number, urgent.number, low.number]
    assert numbers("all", desk, agent, "oldest") == [low.number, urgent.number, normal.number]
    assert numbers("all", desk, agent, "updated")[0] == low.number


def test_a_page_knows_whether_more_follow_without_counting(desk, django_assert_num_queries) -> None:
    for _ in range(5):
        desk.open()
    tickets = inbox.sort_tickets(
        inbox.view_tickets(inbox.InboxView("all", "All", "newest"), desk.admin, timezone.now()),
        "newest",
    )
    with django_assert_num_queries(2) as captured:
        first = inbox_page.page_of(tickets, 1, size=2)
    # "COUNT(", not "COUNT": the rows' triage has a chase_count column.
    assert not any("COUNT(" in query["sql"].upper() for query in captured.captured_queries)
    assert (len(first.rows), first.has_next, first.first_index, first.last_index) == (2, True, 1, 2)
    last = inbox_page.page_of(tickets, 3, size=2)
    assert (len(last.rows), last.has_next, last.has_previous) == (1, False, True)


def test_sidebar_counts_stop_at_the_cap_and_are_kept_briefly(
    desk, monkeypatch, django_assert_num_queries
) -> None:
    monkeypatch.setattr(inbox, "COUNT_CAP", 3)
    for _ in range(4):
        desk.open()
    views = inbox.views_for(desk.agent_a)
    counts = inbox.sidebar_counts(views, desk.agent_a)
    assert counts["all"] == 3
    assert counts["needs-first-response"] == 3
    assert counts["mine"] == 0
    with django_assert_num_queries(0):
        assert inbox.sidebar_counts(views, desk.agent_a) == counts
    inbox.forget_counts(desk.agent_a)
    with django_assert_num_queries(len(views)):
        inbox.sidebar_counts(views, desk.agent_a)


@pytest.mark.parametrize(
    ("view", "index"),
    [
        ("needs-first-response", "ticket_unanswered"),
        ("escalated", "ticket_escalated"),
        ("escalated", "triage_abusive"),
        ("triage", "triage_needs_review"),
        ("breaching-soon", "sla_ticketsla_first_response_due"),
        ("breaching-soon", "sla_ticketsla_resolution_due"),
    ],
)
def test_small_views_are_read_from_their_partial_indexes(desk, view, index) -> None:  # type: ignore[no-untyped-def]
    # At a million tickets these views read a few index entries instead of every open ticket
    # of the agent's departments; a change of the query that loses the index fails here.
    chosen = inbox.find_view(inbox.views_for(desk.agent_a), view)
    assert chosen is not None
    tickets = inbox.sort_tickets(
        inbox.view_tickets(chosen, desk.agent_a, timezone.now()), chosen.default_sort
    )
    plan = plan_of(tickets.values_list("pk", flat=True)[:51])
    assert index in plan, plan



@pytest.mark.parametrize("size", [1, 2, 3, 10])
def test_the_first_response_queue_pages_by_deadline_then_age(desk, size) -> None:  # type: ignore[no-untyped-def]
    tickets = [desk.open() for _ in range(6)]
    for ticket, minutes in zip(tickets, (40, -20, 5, 90), strict=False):
        set_due(ticket, minutes)
    undated_old, undated_new = tickets[4], tickets[5]
    update(undated_new, created_at=timezone.now() + datetime.timedelta(minutes=1))
    answered = desk.open()
    set_due(answered, 1)
    do_reply(answered, Actor.agent(desk.agent_a), body_text="On it.")
    expected = [t.number for t in (tickets[1], tickets[2], tickets[0], tickets[3])]
    expected += [undated_old.number, undated_new.number]
    view = inbox.find_view(inbox.views_for(desk.agent_a), "needs-first-response")
    assert view is not None
    queue = inbox.view_tickets(view, desk.agent_a, timezone.now())
    assert [t.number for t in inbox.sort_tickets(queue, "first-response")] == expected
    shown: list[int] = []
    for number in range(1, 10):
        page = inbox_page.page_sorted(queue, "first-response", number, size=size)
        shown += [t.number for t in page.rows]
        assert page.has_next == (len(shown) < len(expected)), (number, shown)
        if not page.has_next:
            break
    assert shown == expected
    assert inbox_page.page_sorted(queue, "first-response", 99, size=size).rows == []


def test_the_first_response_queue_is_read_along_its_deadline_index(desk) -> None:  # type: ignore[no-untyped-def]
    # The first page stops after a page of index entries at a million tickets; a query that
    # sorts every unanswered ticket instead (or that PostgreSQL turns into a join) fails here.
    view = inbox.find_view(inbox.views_for(desk.agent_a), "needs-first-response")
    assert view is not None
    queue = inbox.view_tickets(view, desk.agent_a, timezone.now())
    plan = plan_of(inbox_page.first_response_order(queue)[:51])
    assert "sla_ticketsla_first_response_due" in plan, plan
    assert "Hash" not in plan, plan
    assert "JOIN" not in plan.upper(), plan


def test_the_breaching_soon_count_is_the_views_length(desk, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    soon, twice, later, solved, other_department = (desk.open() for _ in range(5))
    set_due(soon, 30)
    set_due(twice, -10)
    set_due(twice, 20, kind="resolution_due")  # two deadlines, one ticket
    set_due(later, 120)
    set_due(solved, -5)
    update(solved, status=Status.SOLVED)
    set_due(other_department, 5)
    update(other_department, department=desk.dept_b)
    shown = numbers("breaching-soon", desk, desk.agent_a)
    assert sorted(shown) == sorted([soon.number, twice.number])
    views = inbox.views_for(desk.agent_a)
    assert inbox.sidebar_counts(views, desk.agent_a)["breaching-soon"] == 2
    monkeypatch.setattr(inbox, "COUNT_CAP", 1)
    inbox.forget_counts(desk.agent_a)
    assert inbox.sidebar_counts(views, desk.agent_a)["breaching-soon"] == 1
