"""The search page: permission rules (through litso.search), safe highlighting, jumping to a
ticket number, pages, and a fixed number of queries."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from litso.audit.record import Actor
from litso.tickets.actions import do_add_note
from litso.workspace import views_search


def found(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr data-href="/t/(\d+)/', html)]


def search(client: Client, q: str, **params: str) -> str:
    response = client.get("/search/", {"q": q, **params})
    assert response.status_code == 200
    return response.content.decode()


def test_agents_find_only_what_they_may_see(desk, client: Client) -> None:
    mine = desk.open(subject="Faktura korygująca", body="Proszę o fakturę korygującą.")
    theirs = desk.open(
        department=desk.dept_b, subject="Faktura VAT", body="Brak faktury za marzec."
    )
    client.force_login(desk.agent_a)
    assert found(search(client, "faktura")) == [mine.number]
    client.force_login(desk.agent_b)
    assert found(search(client, "faktura")) == [theirs.number]
    client.force_login(desk.admin)
    assert sorted(found(search(client, "faktura"))) == sorted([mine.number, theirs.number])


def test_a_hit_shows_number_subject_status_and_a_highlighted_snippet(desk, client: Client) -> None:
    ticket = desk.open(
        subject="Refund <b>please</b>",
        body="Hello <script>alert(1)</script> I want a refund for order 77.",
    )
    client.force_login(desk.agent_a)
    html = search(client, "refund")
    row = re.search(rf'<tr data-href="/t/{ticket.number}/#m\d+">.*?</tr>', html, re.S)
    assert row is not None
    text = row.group(0)
    assert f">{ticket.number}</a>" in text
    assert "<mark>Refund</mark> &lt;b&gt;please&lt;/b&gt;" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<mark>refund</mark> for order 77." in text
    assert '<span class="badge status-new">New</span>' in text
    assert "<script>alert" not in html
    assert "1 ticket found." in html


def test_internal_notes_are_searched_for_agents(desk, client: Client) -> None:
    ticket = desk.open()
    do_add_note(ticket, Actor.agent(desk.agent_a), body_text="Courier blamed the quokka depot.")
    client.force_login(desk.agent_a)
    assert found(search(client, "quokka")) == [ticket.number]


def test_a_ticket_number_opens_the_ticket(desk, client: Client) -> None:
    ticket = desk.open()
    hidden = desk.open(department=desk.dept_b)
    client.force_login(desk.agent_a)
    for q in (f"#{ticket.number}", str(ticket.number), f" #{ticket.number} "):
        response = client.get("/search/", {"q": q})
        assert response.status_code == 302, q
        assert response["Location"] == f"/t/{ticket.number}/"
    html = search(client, f"#{hidden.number}")
    assert f"There is no ticket #{hidden.number} that you can see." in html
    assert found(html) == []


def test_a_number_among_words_lists_that_ticket_first(desk, client: Client) -> None:
    other = desk.open(subject="Where is my parcel", body="Parcel lost")
    ticket = desk.open(subject="Broken zipper", body="The zipper broke")
    client.force_login(desk.agent_a)
    html = search(client, f"#{ticket.number} parcel")
    assert found(html)[0] == ticket.number
    assert other.number in found(html)


def test_pages(desk, client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views_search, "PAGE_SIZE", 2)
    tickets = [
        desk.open(subject=f"Invoice question {i}", body=f"Invoice number {i} is wrong")
        for i in range(5)
    ]
    client.force_login(desk.agent_a)
    first = search(client, "invoice")
    assert len(found(first)) == 2
    assert 'href="?q=invoice&amp;page=2"' in first
    assert 'rel="prev"' not in first
    last = search(client, "invoice", page="3")
    assert len(found(last)) == 1
    assert 'rel="next"' not in last
    assert 'href="?q=invoice&amp;page=2"' in last
    every = found(first) + found(search(client, "invoice", page="2")) + found(last)
    assert sorted(every) == sorted(t.number for t in tickets)
    # A page number that is not one is the first page.
    assert found(search(client, "invoice", page="-1")) == found(first)


def test_nothing_found_and_an_empty_query(desk, client: Client) -> None:
    desk.open()
    client.force_login(desk.agent_a)
    assert "Nothing found." in search(client, "xylophone")
    assert "Nothing found." in search(client, '"" *** OR')
    html = search(client, "")
    assert "Press / on any page to search." in html
    assert "Nothing found." not in html


def test_the_header_box_searches(desk, client: Client) -> None:
    client.force_login(desk.agent_a)
    html = client.get("/").content.decode()
    assert re.search(r'<form class="jump" method="get" action="/search/"', html)
    assert 'id="search" name="q"' in html


def test_customers_and_strangers_are_kept_out(desk, client: Client) -> None:
    assert client.get("/search/?q=x")["Location"].startswith("/login/")
    client.force_login(desk.customer_x.user)
    assert client.get("/search/?q=x").status_code == 403


def test_only_mark_tags_are_trusted() -> None:
    assert views_search.marked("a &lt;b&gt; <mark>c</mark>") == "a &lt;b&gt; <mark>c</mark>"
    assert views_search.marked("<img src=x onerror=y><mark>c</mark>") == (
        "&lt;img src=x onerror=y&gt;&lt;mark&gt;c&lt;/mark&gt;"
    )


def test_a_search_costs_the_same_queries_at_any_size(
    desk, client: Client, django_assert_num_queries
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def fill(count: int) -> None:
        for i in range(count):
            desk.open(subject=f"Delivery {i}", body=f"Delivery number {i} is late")

    client.force_login(desk.agent_a)
    fill(2)
    with CaptureQueriesContext(connection) as few:
        assert len(found(search(client, "delivery"))) == 2
    fill(20)
    with django_assert_num_queries(len(few.captured_queries)):
        html = search(client, "delivery")
    assert len(found(html)) == 22
