from __future__ import annotations

import pytest

from litso.workspace import agents


def test_a_departments_agents_are_its_members_and_the_admins_in_name_order(desk) -> None:  # type: ignore[no-untyped-def]
    in_a = agents.agent_choices_in([desk.dept_a.pk])
    assert in_a == [
        (str(desk.admin.pk), "Admin"),
        (str(desk.agent_a.pk), "Anna"),
        (str(desk.supervisor.pk), "Super"),
    ]
    assert [name for _, name in agents.agent_choices_in([desk.dept_b.pk])] == ["Admin", "Boris"]
    assert [name for _, name in agents.agent_choices_in()] == ["Admin", "Anna", "Boris", "Super"]
    both = agents.agent_choices_in([desk.dept_a.pk, desk.dept_b.pk])
    assert [name for _, name in both] == ["Admin", "Anna", "Boris", "Super"]


# Committed: inside a transaction that changed agents the list is read afresh (ProcessCache).
@pytest.mark.django_db(transaction=True)
def test_the_list_is_read_once_and_follows_changes(desk, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    agents.agent_choices_in([desk.dept_a.pk])
    with django_assert_num_queries(0):
        agents.agent_choices_in([desk.dept_b.pk])
    desk.agent_b.agent.departments.add(desk.dept_a)
    assert "Boris" in [name for _, name in agents.agent_choices_in([desk.dept_a.pk])]
    desk.agent_a.is_active = False
    desk.agent_a.save()
    assert "Anna" not in [name for _, name in agents.agent_choices_in()]
    profile = desk.supervisor.agent
    profile.display_name = "Zofia"
    profile.save()
    assert agents.agent_choices_in()[-1] == (str(desk.supervisor.pk), "Zofia")


@pytest.mark.django_db(transaction=True)
def test_signing_in_keeps_the_list(desk, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    agents.agent_choices_in()
    desk.agent_a.save(update_fields=["last_login"])
    with django_assert_num_queries(0):
        agents.agent_choices_in()
