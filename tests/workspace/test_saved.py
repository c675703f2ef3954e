"""Saved views: an agent keeps an inbox queue with its filters and sort under a name."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.test import Client

from litso.workspace import saved
from litso.workspace.models import SavedView
from tests.workspace.helpers import update


def sidebar(html: str) -> str:
    found = re.search(r'<ul class="saved-views">.*?</ul>', html, re.S)
    return found.group(0) if found else ""


def test_only_the_inbox_filters_are_kept_in_a_fixed_order() -> None:
    params = QueryDict("page=3&sort=oldest&evil=1&status=open&tag=&priority=high&next=//x")
    assert saved.query_of(params) == "status=open&priority=high&sort=oldest"


def test_names_are_checked(desk) -> None:
    saved.do_save_view(desk.agent_a, "  My   urgent ", "mine", QueryDict("priority=urgent"))
    assert SavedView.objects.get().name == "My urgent"
    with pytest.raises(ValidationError) as caught:
        saved.do_save_view(desk.agent_a, "My urgent", "all", QueryDict())
    assert "already have a view called" in caught.value.message_dict["name"][0]
    # Another agent may use the same name.
    saved.do_save_view(desk.agent_b, "My urgent", "all", QueryDict())
    with pytest.raises(ValidationError) as caught:
        saved.do_save_view(desk.agent_a, "   ", "all", QueryDict())
    assert caught.value.message_dict["name"] == ["Give the view a name."]


def test_there_is_a_limit_per_agent(desk, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(saved, "MAX_PER_AGENT", 2)
    saved.do_save_view(desk.agent_a, "One", "all", QueryDict())
    saved.do_save_view(desk.agent_a, "Two", "all", QueryDict())
    with pytest.raises(ValidationError) as caught:
        saved.do_save_view(desk.agent_a, "Three", "all", QueryDict())
    assert "delete one first" in caught.value.message_dict["name"][0]


def test_save_the_current_filters_and_find_them_in_the_sidebar(desk, client: Client) -> None:
    urgent = update(desk.open(subject="Urgent one"), priority="urgent")
    desk.open(subject="Normal one")
    client.force_login(desk.agent_a)
    response = client.post(
        "/inbox/all/save/?priority=urgent&sort=oldest&page=2", {"name": "Urgent, oldest"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/inbox/all/?priority=urgent&sort=oldest"
    html = client.get(response["Location"]).content.decode()
    assert "View “Urgent, oldest” saved." in html
    links = sidebar(html)
    assert (
        '<li class="current">\n        <a href="/inbox/all/?priority=urgent&amp;sort=oldest" '
        'aria-current="page">Urgent, oldest</a>'
    ) in links
    assert [int(n) for n in re.findall(r'<tr data-href="/t/(\d+)/"', html)] == [urgent.number]
    # Shown on every inbox page, not marked current elsewhere.
    other = sidebar(client.get("/inbox/mine/").content.decode())
    assert "Urgent, oldest" in other
    assert 'class="current"' not in other


def test_saved_views_keep_their_order(desk, client: Client) -> None:
    client.force_login(desk.agent_a)
    for name in ("Zeta", "Alpha", "Mid"):
        client.post("/inbox/mine/save/", {"name": name})
    html = client.get("/").content.decode()
    names = re.findall(r'aria-label="Delete the saved view “([^”]+)”', html)
    assert names == ["Zeta", "Alpha", "Mid"]
    assert list(SavedView.objects.values_list("position", flat=True)) == [0, 1, 2]


def test_an_error_is_shown_next_to_the_name_and_the_page_stays(desk, client: Client) -> None:
    client.force_login(desk.agent_a)
    client.post("/inbox/mine/save/", {"name": "Mine"})
    response = client.post("/inbox/mine/save/?status=open", {"name": "Mine"})
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(
        r'<details class="save-view" open>.*?id="id_name".*?'
        r'<p class="error" id="id_name-error">You already have a view called “Mine”.</p>',
        html,
        re.S,
    )
    assert 'action="/inbox/mine/save/?status=open"' in html
    response = client.post("/inbox/mine/save/", {"name": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert SavedView.objects.count() == 1


def test_the_view_must_be_one_of_the_agents(desk, client: Client) -> None:
    client.force_login(desk.agent_a)
    response = client.post(f"/inbox/department-{desk.dept_b.pk}/save/", {"name": "Billing"})
    assert response.status_code == 404
    assert client.get("/inbox/mine/save/").status_code == 405
    assert not SavedView.objects.exists()


def test_a_view_whose_queue_is_gone_is_listed_without_a_link(desk, client: Client) -> None:
    SavedView.objects.create(user=desk.agent_a, name="Old billing", view="department-999")
    client.force_login(desk.agent_a)
    links = sidebar(client.get("/").content.decode())
    assert "Old billing</span>" in links
    assert "department-999" not in links


def test_delete_own_views_only(desk, client: Client) -> None:
    mine = SavedView.objects.create(user=desk.agent_a, name="Mine", view="mine")
    theirs = SavedView.objects.create(user=desk.agent_b, name="Theirs", view="mine")
    client.force_login(desk.agent_a)
    assert client.post(f"/saved/{theirs.pk}/delete/").status_code == 404
    response = client.post(f"/saved/{mine.pk}/delete/", {"next": "/inbox/all/"}, follow=True)
    assert response.redirect_chain == [("/inbox/all/", 302)]
    assert "Saved view deleted." in response.content.decode()
    assert list(SavedView.objects.all()) == [theirs]
    assert client.get(f"/saved/{theirs.pk}/delete/").status_code == 405
    response = client.post(f"/saved/{theirs.pk}/delete/", {"next": "https://evil.test/"})
    assert response.status_code == 404
    client.force_login(desk.agent_b)
    response = client.post(f"/saved/{theirs.pk}/delete/", {"next": "https://evil.test/"})
    assert response["Location"] == "/"


def test_customers_cannot_save_views(desk, client: Client) -> None:
    client.force_login(desk.customer_x.user)
    assert client.post("/inbox/mine/save/", {"name": "x"}).status_code == 403


def test_the_saved_views_cost_one_query_however_many(
    desk, client: Client, django_assert_num_queries
) -> None:
    from django.core.cache import cache

    from tests.workspace.test_views_inbox import _queries

    client.force_login(desk.agent_a)
    desk.open()
    SavedView.objects.create(user=desk.agent_a, name="First", view="mine")
    expected = len(_queries(client, "/inbox/all/"))
    for i in range(15):
        SavedView.objects.create(user=desk.agent_a, name=f"View {i}", view="all", position=i)
    with django_assert_num_queries(expected):
        cache.clear()
        html = client.get("/inbox/all/").content.decode()
    assert sidebar(html).count("<li") == 16
