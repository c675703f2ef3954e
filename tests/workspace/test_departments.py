from __future__ import annotations

import pytest
from django.db import connection

from litso.departments.models import Department
from litso.workspace.departments import active, active_departments, department_choices
from litso.workspace.forms import DepartmentForm
from tests.conftest import Desk


@pytest.mark.django_db(transaction=True)
def test_the_choices_are_kept_and_a_change_elsewhere_is_seen_within_seconds(
    django_assert_num_queries, monkeypatch: pytest.MonkeyPatch
) -> None:
    sales = Department.objects.create(name="Sales")
    Department.objects.create(name="Old", active=False)
    assert department_choices() == [(str(sales.pk), "Sales")]
    with django_assert_num_queries(0):
        assert department_choices() == [(str(sales.pk), "Sales")]
    support = Department.objects.create(name="Support")  # a save here: seen at once
    assert department_choices() == [(str(sales.pk), "Sales"), (str(support.pk), "Support")]
    with connection.cursor() as cursor:  # as another process's change looks from here
        cursor.execute("UPDATE departments_department SET active = %s WHERE id = %s",
                       [False, support.pk])  # fmt: skip
    assert len(department_choices()) == 2
    monkeypatch.setattr(active, "seconds", 0.0)
    assert department_choices() == [(str(sales.pk), "Sales")]


def test_the_form_shows_them_and_checks_a_posted_one_against_the_database(desk: Desk) -> None:
    ticket = desk.open(subject="Hello", body="Hi")
    html = str(DepartmentForm(ticket=ticket, initial={"department": ticket.department_id}))
    assert f'<option value="{desk.dept_b.pk}">{desk.dept_b.name}</option>' in html
    assert f'<option value="{ticket.department_id}" selected>' in html
    closed = Department.objects.create(name="Closed", active=False)
    form = DepartmentForm({"department": str(closed.pk)}, ticket=ticket)
    assert not form.is_valid()
    assert "department" in form.errors
    form = DepartmentForm({"department": str(desk.dept_b.pk)}, ticket=ticket)
    assert form.is_valid(), form.errors


def test_active_departments_by_name_and_among_ids(desk: Desk) -> None:
    Department.objects.create(name="Closed", active=False)
    names = [d.name for d in active_departments()]
    assert names == sorted(names)
    assert "Closed" not in names
    assert [d.pk for d in active_departments(among=[desk.dept_b.pk])] == [desk.dept_b.pk]


def test_the_inbox_lists_an_agents_own_active_queues(desk: Desk, client) -> None:
    client.force_login(desk.agent_a)
    html = client.get("/").content.decode()
    assert f"department-{desk.dept_a.pk}" in html
    assert f"department-{desk.dept_b.pk}" not in html
    desk.dept_a.active = False
    desk.dept_a.save()
    assert f"department-{desk.dept_a.pk}" not in client.get("/").content.decode()
