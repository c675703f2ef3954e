from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from litso.audit.record import Actor
from litso.search import engine, postgres, sqlite, vocabulary
from litso.search.engine import search
from litso.tickets.actions import do_add_note, do_merge
from litso.tickets.models import Message, Ticket
from tests.conftest import Desk


@pytest.fixture(params=["small", "walk", "index"])
def strategy(request: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every case runs each way a scope is searched: from its own tickets' messages (a small
    scope, e.g. a customer), and for big scopes from the newest matches walked one by one or
    (PostgreSQL, when matches are sparse) from the GIN index."""
    monkeypatch.setattr(sqlite, "SMALL", 10**9 if request.param == "small" else -1)
    monkeypatch.setattr(postgres, "SMALL", 10**9 if request.param == "small" else -1)
    # What fetching a match from the index costs, in rows walked: walk always, or never.
    monkeypatch.setattr(postgres, "FETCH_COST", 10**9 if request.param == "walk" else 0)
    monkeypatch.setattr(postgres, "RECENT", 10**9)
    return str(request.param)


def numbers(result: engine.SearchResult) -> set[int]:
    return {hit.number for hit in result.hits}


def first_message(ticket: Ticket) -> Message:
    return ticket.messages.order_by("pk").first()  # type: ignore[return-value]


@pytest.mark.usefixtures("strategy")
def test_agents_find_only_their_departments(desk: Desk) -> None:
    mine = desk.open(subject="Faktura korygująca", body="Proszę o fakturę korygującą.")
    other = desk.open(department=desk.dept_b, subject="Faktura VAT", body="Brak faktury za marzec.")
    assert numbers(search(desk.agent_a, "faktura")) == {mine.number}
    assert numbers(search(desk.agent_b, "faktura")) == {other.number}
    assert numbers(search(desk.admin, "faktura")) == {mine.number, other.number}


@pytest.mark.usefixtures("strategy")
def test_supervisors_also_find_escalated_tickets(desk: Desk) -> None:
    hidden = desk.open(department=desk.dept_b, subject="Reklamacja", body="Reklamacja towaru.")
    assert numbers(search(desk.supervisor, "reklamacja")) == set()
    Ticket.objects.filter(pk=hidden.pk).update(escalated=True)
    assert numbers(search(desk.supervisor, "reklamacja")) == {hidden.number}


@pytest.mark.usefixtures("strategy")
def test_customers_find_their_conversation_but_no_internal_note(desk: Desk) -> None:
    own = desk.open(subject="Parcel", body="My parcel is lost, tracking says delivered.")
    desk.open(customer=desk.customer_y, subject="Parcel", body="Parcel lost as well.")
    do_add_note(own, Actor.agent(desk.agent_a), body_text="Courier blamed: quokka depot.")

    assert numbers(search(desk.customer_x.user, "parcel")) == {own.number}
    assert numbers(search(desk.customer_x.user, "quokka")) == set()
    assert numbers(search(desk.agent_a, "quokka")) == {own.number}


def test_nobody_signed_in_finds_nothing(desk: Desk) -> None:
    from django.contrib.auth.models import AnonymousUser

    desk.open(subject="Parcel", body="Lost parcel.")
    assert search(AnonymousUser(), "parcel").hits == []


@pytest.mark.usefixtures("strategy")
@pytest.mark.parametrize(
    ("body", "typed"),
    [
        ("Где мой заказа номер 5?", "заказ"),
        ("Где мой заказ?", "заказа"),
        ("Status zamówienia 77", "zamówienie"),
        ("Status zamówienia 77", "zamowienie"),
        ("Status ZAMÓWIENIA 77", "Zamowienia"),
        ("Nowe łóżko przyjechało", "lozko"),
        ("Ёлка не доставлена", "елка"),
        ("Refunds are slow", "refund"),
        ("I was refunded twice", "refunds"),
    ],
)
def test_inflections_and_diacritics_match(desk: Desk, body: str, typed: str) -> None:
    ticket = desk.open(subject="Question", body=body)
    assert numbers(search(desk.admin, typed)) == {ticket.number}


def test_words_are_anded(desk: Desk) -> None:
    both = desk.open(subject="Question", body="Zwrot pieniędzy za tkaninę")
    desk.open(subject="Question", body="Zwrot towaru")
    assert numbers(search(desk.admin, "zwrot tkanina")) == {both.number}


def test_a_phrase_matches_the_words_in_order(desk: Desk) -> None:
    in_order = desk.open(subject="Hello", body="Dzień dobry, mam pytanie.")
    desk.open(subject="Hello", body="Dobry wieczór. Ten dzień był długi.")
    assert numbers(search(desk.admin, '"dzien dobry"')) == {in_order.number}


def test_a_word_in_the_subject_ranks_first(desk: Desk) -> None:
    in_body = desk.open(subject="Question", body="Something about the wombat and more text.")
    in_subject = desk.open(subject="Wombat", body="Something else entirely, more text.")
    hits = search(desk.admin, "wombat").hits
    assert [h.number for h in hits] == [in_subject.number, in_body.number]
    assert hits[0].rank > hits[1].rank


def test_hit_has_ticket_fields_message_and_escaped_snippet(desk: Desk) -> None:
    ticket = desk.open(subject="Zamówienie <b>pilne</b>", body="<script>x</script> zamówienia")
    (hit,) = search(desk.admin, "zamowienie").hits
    assert (hit.ticket_id, hit.number, hit.status) == (ticket.pk, ticket.number, ticket.status)
    assert hit.message_id == first_message(ticket).pk
    assert hit.snippet == "&lt;script&gt;x&lt;/script&gt; <mark>zamówienia</mark>"
    assert hit.subject_html == "<mark>Zamówienie</mark> &lt;b&gt;pilne&lt;/b&gt;"


def test_snippet_is_cut_around_the_first_match(desk: Desk) -> None:
    body = " ".join(["lorem"] * 200) + " capybara " + " ".join(["ipsum"] * 200)
    desk.open(subject="Long", body=body)
    (hit,) = search(desk.admin, "capybara").hits
    assert hit.snippet.startswith("…lorem")
    assert hit.snippet.endswith("…")
    assert "<mark>capybara</mark>" in hit.snippet
    assert len(hit.snippet) < 260


@pytest.mark.usefixtures("strategy")
def test_ticket_number_jumps_to_a_visible_ticket_only(desk: Desk) -> None:
    mine = desk.open(subject="Anything", body="Text.")
    other = desk.open(department=desk.dept_b, subject="Anything", body="Text.")
    result = search(desk.agent_a, f"#{mine.number}")
    assert result.jump_to == mine.number
    assert result.hits[0].number == mine.number
    assert result.hits[0].message_id is None
    assert search(desk.agent_a, str(mine.number)).jump_to == mine.number
    hidden = search(desk.agent_a, f"#{other.number}")
    assert hidden.jump_to is None
    assert other.number not in numbers(hidden)


def test_a_number_in_the_text_is_found_too(desk: Desk) -> None:
    ticket = desk.open(subject="Order", body="My order 987654 did not arrive.")
    assert numbers(search(desk.admin, "987654")) == {ticket.number}


@pytest.mark.usefixtures("strategy")
def test_an_email_address_finds_the_customers_tickets(desk: Desk) -> None:
    xena = desk.open(subject="Curtains", body="Curtain fabric question.")
    xena_b = desk.open(department=desk.dept_b, subject="Invoice", body="Invoice question.")
    desk.open(customer=desk.customer_y, subject="Curtains", body="Curtain fabric too.")

    assert numbers(search(desk.admin, "XENA@example.test")) == {xena.number, xena_b.number}
    assert numbers(search(desk.agent_a, "xena@example.test")) == {xena.number}
    assert numbers(search(desk.admin, "xena@example.test curtain")) == {xena.number}


def test_an_unknown_email_address_is_searched_as_text(desk: Desk) -> None:
    ticket = desk.open(subject="Other address", body="Please write to me at z.k@firma.pl")
    assert numbers(search(desk.admin, "z.k@firma.pl")) == {ticket.number}


@pytest.mark.parametrize(
    "text",
    ['"', "*", "AND (", "", "   ", "NEAR(a b)", "'; DROP TABLE tickets_ticket; --",
     '"unbalanced', "a*b", "#", "@", "x@", "\\", "\x00", "😀", "OR", "-", "'", "~", "<1>",
     "a & b | !c", "!!", "foo:*", "'a':*", "ʼquote", "½", "#99999999999999999999"],
)  # fmt: skip
def test_hostile_input_never_fails(desk: Desk, text: str) -> None:
    desk.open(subject="Question", body='Some text with a * and " and ( in it.')
    result = search(desk.admin, text)
    assert result.count == len(result.hits) or not result.complete


@pytest.mark.usefixtures("strategy")
def test_a_phrase_nothing_matches_finds_nothing(desk: Desk) -> None:
    desk.open(subject="Question", body="Номеру заказа DP-1 нет.")
    for text in ('"номеру платежа"', '"zzz yyy"', '"номеру DP" quokka'):
        result = search(desk.admin, text)
        assert (result.hits, result.count, result.complete) == ([], 0, True)


def test_the_index_follows_updates_and_deletes(desk: Desk) -> None:
    ticket = desk.open(subject="Question", body="The platypus arrived.")
    message = first_message(ticket)
    message.body_text = "The echidna arrived."
    message.save()
    assert numbers(search(desk.admin, "platypus")) == set()
    assert numbers(search(desk.admin, "echidna")) == {ticket.number}

    message.delete()
    assert numbers(search(desk.admin, "echidna")) == set()


def test_an_unrelated_update_keeps_the_message_found(desk: Desk) -> None:
    ticket = desk.open(subject="Question", body="The platypus arrived.")
    Message.objects.filter(ticket=ticket).update(delivery="sent", delivery_attempts=1)
    assert numbers(search(desk.admin, "platypus")) == {ticket.number}


def test_bulk_created_messages_are_found(desk: Desk) -> None:
    ticket = desk.open(subject="Question", body="Text.")
    Message.objects.bulk_create(
        [Message(ticket=ticket, kind="inbound", author_kind="customer", body_text="kangaroo")]
    )
    assert numbers(search(desk.admin, "kangaroo")) == {ticket.number}


def test_merged_messages_are_found_on_the_target(desk: Desk) -> None:
    source = desk.open(subject="First", body="About the wallaby.")
    target = desk.open(subject="Second", body="Another question.")
    do_merge(source, target, Actor.agent(desk.admin))
    (hit,) = search(desk.admin, "wallaby").hits
    assert hit.number == target.number


def test_more_matches_than_the_window(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "WINDOW", 2)
    tickets = [desk.open(subject="Question", body=f"Numbat {i}.") for i in range(3)]
    result = search(desk.admin, "numbat")
    assert not result.complete
    # The newest matches are the ones ranked.
    assert numbers(result) == {tickets[1].number, tickets[2].number}


def test_walking_the_newest_messages_only_is_not_complete(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL walks a window of the newest messages for common words")
    monkeypatch.setattr(postgres, "SMALL", -1)
    monkeypatch.setattr(postgres, "FETCH_COST", 10**9)
    old = desk.open(subject="Question", body="Quokka one.")
    new = desk.open(subject="Question", body="Quokka two.")
    newest = Message.objects.order_by("-pk").values_list("pk", flat=True)[0]
    monkeypatch.setattr(postgres, "RECENT", newest - first_message(new).pk + 1)
    result = search(desk.admin, "quokka")
    assert numbers(result) == {new.number}
    assert not result.complete
    monkeypatch.setattr(postgres, "RECENT", newest)
    result = search(desk.admin, "quokka")
    assert numbers(result) == {old.number, new.number}
    assert result.complete


def test_pages(desk: Desk) -> None:
    tickets = [desk.open(subject="Question", body=f"Dingo number {i}.") for i in range(5)]
    first = search(desk.admin, "dingo", limit=2)
    second = search(desk.admin, "dingo", limit=2, offset=2)
    last = search(desk.admin, "dingo", limit=2, offset=4)
    assert (first.count, first.complete, first.has_next) == (5, True, True)
    assert len(first.hits) == len(second.hits) == 2
    assert (len(last.hits), last.has_next) == (1, False)
    seen = numbers(first) | numbers(second) | numbers(last)
    assert seen == {t.number for t in tickets}


@pytest.mark.parametrize(
    ("who", "profile_queries"),
    # tickets_visible_to reads the user's agent profile (and an agent's department ids), and
    # for a customer the customer.
    [("admin", 1), ("agent_a", 2), ("supervisor", 2), ("customer", 2)],
)
def test_a_search_costs_a_fixed_number_of_queries(
    desk: Desk, who: str, profile_queries: int, django_assert_num_queries: Any
) -> None:
    from django.contrib.auth.models import User

    for i in range(12):
        desk.open(subject=f"Koala {i}", body=f"Koala question {i}.")
        desk.open(department=desk.dept_b, subject=f"Koala {i}", body="Koala.")
    signed_in = desk.customer_x.user if who == "customer" else getattr(desk, who)
    # Scope size (with settings and a sample on PostgreSQL), matches with their tickets, the
    # page's messages; on SQLite the words "koal" (a shortened word) stands for (and, while
    # messages wait for the vocabulary, their text: one more, tests/search/test_vocabulary.py).
    vocabulary.absorb_all()
    base = profile_queries + 3 + (connection.vendor == "sqlite")
    # As in a request: a user object fresh from the session, nothing cached on it.
    user = User.objects.get(pk=signed_in.pk)
    with django_assert_num_queries(base):
        result = search(user, "koala")
    assert len(result.hits) >= 12
    # A ticket number adds one, an e-mail address one.
    user = User.objects.get(pk=signed_in.pk)
    with django_assert_num_queries(base + 1):
        search(user, "koala #1001")
    user = User.objects.get(pk=signed_in.pk)
    with django_assert_num_queries(base + 1):
        search(user, "koala xena@example.test")


SUBJECTS = [
    "Zamówienie 17", "Re: zamówienia i faktura", "", "Faktura\u0000VAT", "ZAMÓWIENIE",
    "dzień dobry, zamówienie", "Dzień  dobry", "İstanbul zamówienie", "x" * 50, "zamówieniami",
    "kot", "Kotka", "Заказ №5", "заказы", "a\u0301zamówienie",
]  # fmt: skip


@pytest.mark.parametrize(
    "text", ["zamówienie", "zamówienia faktura", '"dzień dobry"', "kot", "заказ", "istanbul"]
)
# All of them (rare letters and a NUL: one at a time), and the usual kind (as one text).
@pytest.mark.parametrize(
    "subjects", [SUBJECTS, [s for s in SUBJECTS if not {"\u0130", "\u0301", "\x00"} & set(s)]]
)
def test_terms_in_subjects_counts_as_one_subject_at_a_time(text: str, subjects) -> None:
    from litso.search.folding import fold
    from litso.search.query import parse
    from litso.search.snippets import term_matchers

    query = parse(text)
    expected = [
        sum(pattern.search(fold(subject)) is not None for pattern in term_matchers(query))
        for subject in subjects
    ]
    assert engine._terms_in_subjects(subjects, query) == expected
    if text != "istanbul" or "\u0130" in "".join(subjects):
        assert any(expected)


@pytest.mark.usefixtures("strategy")
def test_the_tsquery_is_worked_out_once_a_statement_not_once_a_row(
    desk: Desk, strategy: str
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's plans")
    from django.test.utils import CaptureQueriesContext

    desk.open(subject="Faktura", body="Proszę o fakturę.")
    with CaptureQueriesContext(connection) as captured:
        search(desk.agent_a, "faktura")
    filters = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            if "ts_match_vq" not in query["sql"]:
                continue
            cursor.execute("EXPLAIN (VERBOSE) " + query["sql"])
            filters += [line for (line,) in cursor.fetchall() if "ts_match_vq" in line]
    # Rows tested one by one (a Filter, or the sample's Output): the tsquery there is a
    # parameter worked out once, not to_tsquery(...) parsed again for each row.
    assert filters
    assert not [line for line in filters if "to_tsquery" in line]


def test_the_walk_is_chosen_by_what_each_way_costs() -> None:
    # A million messages, the newest thousand sampled: what they showed decides.
    million = 1_000_000
    # Nothing matched: the index answers a rare word at once.
    assert not postgres._walk_is_cheaper(million, matched=0, visible=0, window=1000)
    # Common words, some in scope: walking stops after the window.
    assert postgres._walk_is_cheaper(million, matched=300, visible=100, window=1000)
    # Matches, none in scope (a one-department agent, two words): fetching every match from
    # the index costs far more than walking the newest RECENT messages.
    assert postgres._walk_is_cheaper(million, matched=3, visible=0, window=1000)
    # A small desk: the walk would cover the whole table, the index holds a handful.
    assert not postgres._walk_is_cheaper(2_000, matched=1, visible=0, window=1000)
