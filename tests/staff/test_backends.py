from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client

from litso.staff.backends import StaffBackend
from tests.conftest import Desk


def test_the_user_comes_with_their_profile(desk: Desk, django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        user = StaffBackend().get_user(desk.agent_a.pk)
        assert user is not None
        assert user.agent.display_name == desk.agent_a.agent.display_name


def test_a_customer_account_has_no_profile_and_costs_no_second_query(
    desk: Desk, django_assert_num_queries
) -> None:
    with django_assert_num_queries(1):
        user = StaffBackend().get_user(desk.customer_x.user.pk)
        assert user is not None
        assert getattr(user, "agent", None) is None


def test_inactive_and_missing_users_are_signed_out(desk: Desk) -> None:
    User.objects.filter(pk=desk.agent_a.pk).update(is_active=False)
    assert StaffBackend().get_user(desk.agent_a.pk) is None
    assert StaffBackend().get_user(10**9) is None


def test_signing_in_uses_it(desk: Desk) -> None:
    desk.agent_a.set_password("correct horse battery")
    desk.agent_a.save()
    client = Client()
    assert client.login(username=desk.agent_a.username, password="correct horse battery")
    assert client.session["_auth_user_backend"] == "litso.staff.backends.StaffBackend"
    assert not Client().login(username=desk.agent_a.username, password="wrong")
