from __future__ import annotations

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from litso.core.sessions import SessionStore
from tests.conftest import Desk


@pytest.mark.django_db
def test_a_session_is_read_back(django_assert_num_queries) -> None:
    store = SessionStore()
    store["answer"] = 42
    store.save()
    again = SessionStore(store.session_key)
    with django_assert_num_queries(1):
        assert again["answer"] == 42


@pytest.mark.django_db
def test_an_expired_or_unknown_session_is_empty() -> None:
    store = SessionStore()
    store["answer"] = 42
    store.save()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    expired = SessionStore(store.session_key)
    assert "answer" not in expired
    assert expired.session_key is None
    assert "answer" not in SessionStore("x" * 32)


def test_signing_in_and_out_works_through_it(desk: Desk) -> None:
    client = Client()
    client.force_login(desk.agent_a)
    assert client.get("/").status_code == 200
    client.logout()
    assert client.get("/").status_code == 302
