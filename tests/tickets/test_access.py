"""Who sees which tickets: one line per persona and case."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.http import Http404

from litso.audit.record import Actor
from litso.tickets.access import access_ticket, is_staff_member, tickets_visible_to
from litso.tickets.actions import do_escalate


@pytest.fixture
def tickets(desk):
    return {
        "a_x": desk.open(desk.customer_x, desk.dept_a),
        "b_x": desk.open(desk.customer_x, desk.dept_b),
        "b_y": desk.open(desk.customer_y, desk.dept_b),
        "b_y_escalated": do_escalate(
            desk.open(desk.customer_y, desk.dept_b), Actor.system(), "abusive"
        ),
    }


def visible(user, tickets) -> set[str]:
    numbers = set(tickets_visible_to(user).values_list("number", flat=True))
    return {name for name, t in tickets.items() if t.number in numbers}


def test_admin_sees_everything(desk, tickets):
    assert visible(desk.admin, tickets) == set(tickets)


def test_agent_sees_own_departments_only(desk, tickets):
    assert visible(desk.agent_a, tickets) == {"a_x"}
    assert visible(desk.agent_b, tickets) == {"b_x", "b_y", "b_y_escalated"}


def test_supervisor_sees_departments_plus_escalations(desk, tickets):
    assert visible(desk.supervisor, tickets) == {"a_x", "b_y_escalated"}


def test_customer_sees_only_their_own(desk, tickets):
    assert visible(desk.customer_x.user, tickets) == {"a_x", "b_x"}
    assert visible(desk.customer_y.user, tickets) == {"b_y", "b_y_escalated"}


def test_strangers_see_nothing(desk, tickets):
    assert visible(AnonymousUser(), tickets) == set()
    nobody = User.objects.create_user("nobody", "n@x.test", "pw")
    assert visible(nobody, tickets) == set()
    desk.agent_b.is_active = False
    desk.agent_b.save()
    assert visible(desk.agent_b, tickets) == set()


def test_no_duplicate_rows_for_supervisor(desk, tickets):
    # A second supervisor of the same department must not duplicate escalated rows.
    desk.agent_a.agent.departments.add(desk.dept_b)
    rows = list(tickets_visible_to(desk.supervisor).values_list("number", flat=True))
    assert len(rows) == len(set(rows))


def test_access_ticket_hides_what_one_may_not_see(desk, tickets):
    assert access_ticket(desk.agent_a, tickets["a_x"].number) == tickets["a_x"]
    with pytest.raises(Http404):
        access_ticket(desk.agent_a, tickets["b_x"].number)
    with pytest.raises(Http404):
        access_ticket(desk.customer_y.user, tickets["a_x"].number)


def test_visibility_is_one_query_after_the_department_ids(desk, tickets, django_assert_num_queries):
    agent = User.objects.select_related("agent").get(pk=desk.agent_b.pk)
    with django_assert_num_queries(2):  # the agent's department ids, then the tickets
        list(tickets_visible_to(agent))
    with django_assert_num_queries(1):  # the ids are kept on the profile for the request
        list(tickets_visible_to(agent))
    agent.agent.departments.add(desk.dept_a)
    assert {t.department_id for t in tickets_visible_to(agent)} == {desk.dept_a.pk, desk.dept_b.pk}


def test_staff_membership(desk):
    assert is_staff_member(desk.agent_a)
    assert not is_staff_member(desk.customer_x.user)
    assert not is_staff_member(AnonymousUser())


def _newest_of(tickets, customer_id: int):  # type: ignore[no-untyped-def]
    return tickets.filter(customer_id=customer_id).order_by("-created_at", "-pk")


@pytest.mark.parametrize(
    "who", ["admin", "supervisor", "agent_a", "agent_b", "customer_x", "anonymous", "inactive"]
)
def test_prepared_visible_finds_what_tickets_visible_to_finds(desk, tickets, who) -> None:
    from litso.tickets.access import PreparedVisible

    if who == "customer_x":
        user = desk.customer_x.user
    elif who == "anonymous":
        user = AnonymousUser()
    elif who == "inactive":
        user = desk.agent_a
        User.objects.filter(pk=user.pk).update(is_active=False)
        user.refresh_from_db()
    else:
        user = getattr(desk, who)
    newest = PreparedVisible(_newest_of)
    for customer in (desk.customer_x, desk.customer_y):
        expected = list(_newest_of(tickets_visible_to(user), customer.pk))
        assert newest(user, customer.pk) == expected
        assert newest(user, customer.pk) == expected  # from the plan kept
        if who in ("admin", "supervisor") and customer == desk.customer_y:
            assert expected  # the escalated one at least


def test_prepared_visible_keeps_a_plan_per_kind_and_number_of_departments(desk, tickets) -> None:
    from litso.tickets.access import PreparedVisible

    newest = PreparedVisible(_newest_of)
    newest(desk.agent_a, desk.customer_x.pk)
    newest(desk.supervisor, desk.customer_x.pk)
    desk.agent_a.agent.departments.add(desk.dept_b)
    agent = User.objects.get(pk=desk.agent_a.pk)  # a new request: the new memberships
    assert {t.pk for t in newest(agent, desk.customer_x.pk)} == {
        t.pk for t in tickets_visible_to(agent).filter(customer_id=desk.customer_x.pk)
    }
    assert set(newest._by_shape) == {("departments", 1), ("supervisor", 1), ("departments", 2)}
