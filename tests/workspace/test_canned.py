"""Canned answers: the text in the ticket's language with its placeholders filled, which
answers a ticket offers, the admin's checks, and the picker on the ticket page."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from litso.tickets.models import MessageKind, Ticket
from litso.workspace import canned
from litso.workspace.models import CannedAnswer
from tests.workspace.helpers import update

GREETING = {
    "text_en": "Dear {customer_name}, about request {ticket_number}: {agent_name}",
    "text_ru": "Здравствуйте, {customer_name}! Обращение {ticket_number}. {agent_name}",
    "text_pl": "",
}


def answer(name: str = "Greeting", **fields: object) -> CannedAnswer:
    values = {**GREETING, **fields}
    return CannedAnswer.objects.create(name=name, **values)


def templates(page: str) -> dict[str, str]:
    """The picker's texts, as the browser reads them: id → unescaped text."""
    return {
        number: html_lib.unescape(text)
        for number, text in re.findall(r'<template id="canned-(\d+)">(.*?)</template>', page, re.S)
    }


def test_the_text_is_in_the_tickets_language_with_placeholders_filled(desk) -> None:
    greeting = answer()
    desk.customer_x.address_as = "Pani Xeno"
    desk.customer_x.save()
    ticket = update(desk.open(), language="ru")
    filled = canned.answers_for(ticket, desk.agent_a)
    assert [a.text for a in filled] == [
        f"Здравствуйте, Pani Xeno! Обращение {ticket.number}. Anna"
    ]
    # Polish has no text of its own: English is the fallback.
    ticket = update(ticket, language="pl")
    assert canned.answers_for(ticket, desk.agent_a)[0].text == (
        f"Dear Pani Xeno, about request {ticket.number}: Anna"
    )
    assert canned.text_for(greeting, "de") == GREETING["text_en"]


def test_other_braces_are_left_alone(desk) -> None:
    ticket = desk.open()
    text = "Use {0} or {customer_name.__class__} or {{x}} or {unknown} — {customer_name}"
    assert canned.fill(text, ticket, desk.agent_a) == (
        "Use {0} or {customer_name.__class__} or {{x}} or {unknown} — Xena X"
    )


def test_offered_by_department_and_only_when_active(desk) -> None:
    everywhere = answer("Everywhere")
    sales = answer("Sales only")
    sales.departments.set([desk.dept_a])
    billing = answer("Billing only")
    billing.departments.set([desk.dept_b])
    both = answer("Both")
    both.departments.set([desk.dept_a, desk.dept_b])
    answer("Retired", active=False)
    ticket = desk.open()
    names = [a.name for a in canned.offered(ticket)]
    assert names == ["Both", "Everywhere", "Sales only"]
    assert everywhere.pk in {a.pk for a in canned.offered(desk.open(department=desk.dept_b))}


def test_unknown_placeholders_are_refused_next_to_their_text(db: None) -> None:
    bad = CannedAnswer(name="Bad", text_en="Hi {customer}", text_ru="Привет {name} {agent_name}")
    with pytest.raises(ValidationError) as caught:
        bad.full_clean()
    errors = caught.value.message_dict
    assert "{customer}" in errors["text_en"][0]
    assert "{name}" in errors["text_ru"][0]
    assert "text_pl" not in errors
    CannedAnswer(name="Good", text_en="Hi {customer_name}, see {0}").full_clean()


def test_english_is_required(db) -> None:
    with pytest.raises(ValidationError) as caught:
        CannedAnswer(name="Only Russian", text_ru="Привет").full_clean()
    assert "text_en" in caught.value.message_dict


def test_the_admin_lists_and_checks_canned_answers(desk, client: Client) -> None:
    from django.contrib.auth.models import User

    User.objects.create_superuser("root", "root@staff.test", "pw")
    client.login(username="root", password="pw")
    answer()
    assert "Greeting" in client.get("/admin/workspace/cannedanswer/").content.decode()
    response = client.post(
        "/admin/workspace/cannedanswer/add/",
        {"name": "Typo", "text_en": "Hi {custmer_name}", "text_ru": "", "text_pl": "",
         "active": "on"},
    )
    assert response.status_code == 200
    assert "Unknown placeholder {custmer_name}" in response.content.decode()
    assert not CannedAnswer.objects.filter(name="Typo").exists()


def test_the_picker_offers_filled_texts_on_the_ticket_page(desk, client: Client) -> None:
    greeting = answer()
    answer("Hidden", active=False)
    ticket = update(desk.open(), language="ru")
    client.force_login(desk.agent_a)
    page = client.get(f"/t/{ticket.number}/").content.decode()
    assert f'<option value="{greeting.pk}">Greeting</option>' in page
    assert "Hidden" not in page
    assert templates(page) == {
        str(greeting.pk): f"Здравствуйте, Xena X! Обращение {ticket.number}. Anna"
    }
    assert f'formaction="/t/{ticket.number}/canned/"' in page


def test_canned_text_is_escaped_in_the_page(desk, client: Client) -> None:
    answer("Risky", text_en="<script>alert(1)</script> {customer_name}")
    desk.customer_x.address_as = "<b>X</b>"
    desk.customer_x.save()
    ticket = desk.open()
    client.force_login(desk.agent_a)
    page = client.get(f"/t/{ticket.number}/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;X&lt;/b&gt;" in page


def test_without_javascript_insert_keeps_the_typed_text_and_sends_nothing(
    desk, client: Client
) -> None:
    greeting = answer()
    ticket = desk.open()
    client.force_login(desk.agent_a)
    response = client.post(
        f"/t/{ticket.number}/canned/",
        {"body": "Thanks for waiting.\r\n", "canned": greeting.pk, "then_status": "solved"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    box = re.search(r'<textarea name="body" id="reply-body"[^>]*>(.*?)</textarea>', page, re.S)
    assert box is not None
    assert html_lib.unescape(box.group(1)) == (
        f"Thanks for waiting.\n\nDear Xena X, about request {ticket.number}: Anna"
    )
    assert re.search(r'<option value="solved" selected>', page)
    assert not Ticket.objects.get(pk=ticket.pk).messages.filter(kind=MessageKind.OUTBOUND).exists()


def test_without_a_choice_insert_says_so(desk, client: Client) -> None:
    answer()
    ticket = desk.open()
    client.force_login(desk.agent_a)
    response = client.post(f"/t/{ticket.number}/canned/", {"body": "Draft", "canned": ""})
    page = response.content.decode()
    assert "Choose a canned answer to insert." in page
    assert re.search(r'id="reply-body"[^>]*>Draft</textarea>', page)


def test_an_answer_of_another_department_cannot_be_inserted(desk, client: Client) -> None:
    billing = answer("Billing only")
    billing.departments.set([desk.dept_b])
    ticket = desk.open()
    client.force_login(desk.agent_a)
    page = client.post(f"/t/{ticket.number}/canned/", {"body": "", "canned": billing.pk})
    assert "Choose a canned answer to insert." in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_each_process_keeps_the_answers_and_sees_changes(desk, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    ticket = desk.open()
    first = answer("First")
    assert [a.name for a in canned.offered(ticket)] == ["First"]
    with django_assert_num_queries(0):
        assert [a.name for a in canned.offered(ticket)] == ["First"]
    answer("Billing only").departments.add(desk.dept_b)
    assert [a.name for a in canned.offered(ticket)] == ["First"]
    first.active = False
    first.save()
    assert canned.offered(ticket) == []
    assert [a.name for a in canned.offered(desk.open(department=desk.dept_b))] == ["Billing only"]
