from __future__ import annotations

import pytest
from django.db import connection, transaction

from litso.departments.models import Department
from litso.staff.memberships import department_ids_of, memberships
from litso.staff.models import AgentProfile
from tests.conftest import Desk


def test_an_agent_has_their_departments_in_name_order(desk: Desk) -> None:
    profile = desk.agent_a.agent
    extra = Department.objects.create(name="Aardvarks")
    profile.departments.add(extra)
    assert department_ids_of(profile.pk) == [extra.pk, desk.dept_a.pk]


@pytest.mark.django_db(transaction=True)
def test_a_change_here_is_seen_at_once_and_one_elsewhere_within_seconds(
    django_assert_num_queries, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.contrib.auth.models import User

    sales = Department.objects.create(name="Sales")
    support = Department.objects.create(name="Support")
    user = User.objects.create_user("anna")
    profile = AgentProfile.objects.create(user=user, display_name="Anna")
    profile.departments.add(sales)
    assert department_ids_of(profile.pk) == [sales.pk]
    with django_assert_num_queries(0):
        assert department_ids_of(profile.pk) == [sales.pk]
    # Through the relation (a signal): dropped at once.
    profile.departments.add(support)
    assert department_ids_of(profile.pk) == [sales.pk, support.pk]
    # Raw SQL, as another process's change looks from here: seen once the value is old.
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM staff_agentprofile_departments WHERE department_id = %s", [support.pk]
        )
    assert department_ids_of(profile.pk) == [sales.pk, support.pk]
    monkeypatch.setattr(memberships, "seconds", 0.0)
    assert department_ids_of(profile.pk) == [sales.pk]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_is_never_kept() -> None:
    from django.contrib.auth.models import User

    sales = Department.objects.create(name="Sales")
    profile = AgentProfile.objects.create(user=User.objects.create_user("anna"))
    assert department_ids_of(profile.pk) == []
    seen = []

    def change_and_roll_back() -> None:
        with transaction.atomic():
            profile.departments.add(sales)
            # Inside the transaction that made it, the change is read from the database.
            seen.append(department_ids_of(profile.pk))
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        change_and_roll_back()
    assert seen == [[sales.pk]]
    assert department_ids_of(profile.pk) == []
