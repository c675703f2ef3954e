from __future__ import annotations

import re

import pytest
from django.test import Client

from litso.audit.models import Event
from litso.audit.record import Actor
from litso.customers.models import Organisation
from litso.sla.models import SlaBreach
from litso.tickets.actions import (
    NewAttachment,
    do_add_inbound_message,
    do_add_note,
    do_assign,
    do_change_status,
    do_reply,
)
from litso.tickets.models import Delivery, Message, MessageKind, Status, Ticket
from litso.triage.models import TicketTriage
from litso.workspace import agents, canned
from tests.workspace.helpers import set_due, update

QUOTED_REPLY = """Thanks, the parcel came today.

On Mon, 3 Mar 2025 at 10:15, Litso Support <support@shop.test> wrote:
> We are checking where it is.
> Best regards
"""


def page(client: Client, ticket: Ticket) -> str:
    response = client.get(f"/t/{ticket.number}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_conversation_is_one_timeline(desk, client: Client) -> None:
    ticket = desk.open(body="My order 123 has not arrived.")
    agent = Actor.agent(desk.agent_a)
    do_assign(ticket, desk.agent_a, agent)
    do_reply(ticket, agent, body_text="We are checking where it is.")
    do_add_note(ticket, agent, body_text="Called the courier.")
    do_add_inbound_message(ticket, body_text=QUOTED_REPLY)
    client.force_login(desk.agent_a)
    html = page(client, ticket)
    order = [
        html.index("My order 123 has not arrived."),
        html.index("Assigned to anna"),
        html.index("We are checking where it is."),
        html.index("Called the courier."),
        html.index("Thanks, the parcel came today."),
    ]
    assert order == sorted(order)
    assert re.search(r'class="entry note"[^>]*>.*?Called the courier', html, re.S)
    assert re.search(r'class="entry outbound"[^>]*>.*?We are checking', html, re.S)
    assert '<span class="delivery delivery-queued">Queued</span>' in html
    # The quoted history is folded away under the new text.
    folded = re.search(r"<summary>Show quoted text</summary>(.*?)</details>", html, re.S)
    assert folded is not None
    assert "We are checking where it is." in folded.group(1)


def test_customer_html_is_never_rendered_raw(desk, client: Client) -> None:
    ticket = desk.open(body="<b>plain</b> text with <script>alert(1)</script>")
    message = ticket.messages.get()
    # As if an import wrote an unsanitised row: the page sanitises again when it shows it.
    Message.objects.filter(pk=message.pk).update(
        body_html='<p onclick="x()">Hi <b>there</b></p><script>alert(2)</script>'
        '<img src="https://tracker.test/p.gif">'
    )
    client.force_login(desk.agent_a)
    response = client.get(f"/t/{ticket.number}/")
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "onclick" not in html
    assert "&lt;b&gt;plain&lt;/b&gt;" in html
    assert "<b>there</b>" in html
    assert "img-src 'self' data:" in response["Content-Security-Policy"]


def test_attachments_are_listed_and_downloaded_with_permission(desk, client: Client) -> None:
    ticket = desk.open(
        attachments=[
            NewAttachment("invoice.pdf", "application/pdf", b"%PDF-1.4 fake"),
            NewAttachment("page.html", "text/html", b"<script>alert(1)</script>"),
        ]
    )
    pdf, html_file = ticket.messages.get().attachments.order_by("filename")
    assert pdf.filename == "invoice.pdf"
    client.force_login(desk.agent_a)
    assert f'href="/t/{ticket.number}/files/{pdf.pk}/"' in page(client, ticket)
    response = client.get(f"/t/{ticket.number}/files/{pdf.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 fake"
    assert response["Content-Type"] == "application/pdf"
    risky = client.get(f"/t/{ticket.number}/files/{html_file.pk}/")
    assert risky["Content-Type"] == "application/octet-stream"
    assert risky["Content-Disposition"].startswith("attachment;")
    # Another ticket's number with this attachment id: not found.
    other = desk.open()
    assert client.get(f"/t/{other.number}/files/{pdf.pk}/").status_code == 404
    client.force_login(desk.agent_b)
    assert client.get(f"/t/{ticket.number}/files/{pdf.pk}/").status_code == 404
    client.force_login(desk.customer_x.user)
    assert client.get(f"/t/{ticket.number}/files/{pdf.pk}/").status_code == 403


def test_missing_and_forbidden_tickets_get_proper_pages(desk, client: Client) -> None:
    ticket = desk.open()
    client.force_login(desk.agent_b)
    for url in (f"/t/{ticket.number}/", "/t/999999/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "Not found" in response.content.decode()
        assert "Traceback" not in response.content.decode()
    assert client.post(f"/t/{ticket.number}/note/", {"body": "x"}).status_code == 404
    client.force_login(desk.customer_x.user)
    response = client.get(f"/t/{ticket.number}/")
    assert response.status_code == 403
    assert "Not allowed" in response.content.decode()


def test_a_reply_goes_to_the_outbox(desk, client: Client) -> None:
    from django_tasks_db.models import DBTaskResult

    ticket = desk.open()
    client.force_login(desk.agent_a)
    response = client.post(
        f"/t/{ticket.number}/reply/", {"body": "Hello,\r\nit ships today.", "then_status": ""}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/t/{ticket.number}/"
    reply = ticket.messages.get(kind=MessageKind.OUTBOUND)
    assert reply.body_text == "Hello,\nit ships today."
    assert reply.author_agent == desk.agent_a
    assert reply.delivery == Delivery.QUEUED
    assert DBTaskResult.objects.filter(args_kwargs__args=[reply.pk]).exists()
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert "Reply sent to the outbox." in page(client, ticket)


def test_reply_and_solve(desk, client: Client) -> None:
    ticket = desk.open()
    client.force_login(desk.agent_a)
    client.post(f"/t/{ticket.number}/reply/", {"body": "Done.", "then_status": "solved"})
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED


def test_an_empty_reply_is_refused_next_to_the_field(desk, client: Client) -> None:
    ticket = desk.open()
    client.force_login(desk.agent_a)
    response = client.post(f"/t/{ticket.number}/reply/", {"body": "   "})
    assert response.status_code == 400
    assert re.search(
        r'<textarea name="body" id="reply-body".*?</textarea>\s*'
        r'<p class="error">Write something first.</p>',
        response.content.decode(),
        re.S,
    )
    assert not ticket.messages.filter(kind=MessageKind.OUTBOUND).exists()


def test_the_typed_text_survives_a_refused_reply(desk, client: Client) -> None:
    ticket = desk.open()
    do_change_status(ticket, Status.SOLVED, Actor.agent(desk.agent_a))
    client.force_login(desk.agent_a)
    text = "A long answer <with> details\nthat took a while to write."
    response = client.post(
        f"/t/{ticket.number}/reply/", {"body": text, "then_status": "pending_customer"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "A long answer &lt;with&gt; details\nthat took a while to write.</textarea>" in html
    assert "“Solved” cannot become “Waiting for customer”" in html
    update(ticket, status=Status.CLOSED)
    response = client.post(f"/t/{ticket.number}/reply/", {"body": text})
    assert response.status_code == 400
    assert "This ticket is closed" in response.content.decode()
    assert "that took a while to write.</textarea>" in response.content.decode()


def test_errors_are_in_the_agents_language(desk, client: Client) -> None:
    ticket = desk.open()
    desk.agent_a.agent.ui_language = "ru"
    desk.agent_a.agent.save()
    client.force_login(desk.agent_a)
    response = client.post(f"/t/{ticket.number}/merge/", {"target": ""})
    assert response.status_code == 400
    assert "Обязательное поле." in response.content.decode()


def test_note_is_internal(desk, client: Client) -> None:
    ticket = desk.open()
    client.force_login(desk.agent_a)
    client.post(f"/t/{ticket.number}/note/", {"body": "Check the warehouse."})
    note = ticket.messages.get(kind=MessageKind.NOTE)
    assert note.delivery == Delivery.NOT_APPLICABLE
    assert "Note added." in page(client, ticket)


def test_assign_to_me_and_to_a_colleague(desk, client: Client) -> None:
    ticket = desk.open()
    client.force_login(desk.agent_a)
    assert "assign-me-form" in page(client, ticket)
    client.post(f"/t/{ticket.number}/assign-me/")
    ticket.refresh_from_db()
    assert ticket.assignee == desk.agent_a
    assert "assign-me-form" not in page(client, ticket)
    client.post(f"/t/{ticket.number}/assign/", {"assignee": desk.supervisor.pk})
    ticket.refresh_from_db()
    assert ticket.assignee == desk.supervisor
    # Boris works in Billing only: he is not even offered.
    response = client.post(f"/t/{ticket.number}/assign/", {"assignee": desk.agent_b.pk})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    client.post(f"/t/{ticket.number}/assign/", {"assignee": ""})
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_a_refusal_by_the_action_is_shown_on_its_form(desk, client: Client) -> None:
    # A supervisor sees escalated tickets of other departments but may not own them.
    ticket = desk.open(department=desk.dept_b)
    update(ticket, escalated=True)
    client.force_login(desk.supervisor)
    response = client.post(f"/t/{ticket.number}/assign-me/")
    assert response.status_code == 400
    assert "does not work in Billing" in response.content.decode()


def test_status_priority_and_solve(desk, client: Client) -> None:
    ticket = desk.open()
    client.force_login(desk.agent_a)
    client.post(f"/t/{ticket.number}/status/", {"status": "pending_customer"})
    client.post(f"/t/{ticket.number}/priority/", {"priority": "urgent"})
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority) == (Status.PENDING_CUSTOMER, "urgent")
    client.post(f"/t/{ticket.number}/solve/")
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED
    response = client.post(f"/t/{ticket.number}/status/", {"status": "pending_customer"})
    assert response.status_code == 400
    assert "cannot become" in response.content.decode()


def test_move_and_forward(desk, client: Client) -> None:
    ticket = desk.open()
    client.force_login(desk.supervisor)
    response = client.post(f"/t/{ticket.number}/department/", {"department": desk.dept_a.pk})
    assert "already in this department" in response.content.decode()
    client.force_login(desk.agent_a)
    response = client.post(
        f"/t/{ticket.number}/department/",
        {"department": desk.dept_b.pk, "note": "Billing question"},
    )
    # Anna does not work in Billing: the ticket left her desk, she goes back to the inbox.
    assert response["Location"] == "/"
    ticket.refresh_from_db()
    assert ticket.department == desk.dept_b
    note = ticket.messages.get(kind=MessageKind.NOTE)
    assert "Billing question" in note.body_text
    assert Event.objects.filter(ticket=ticket, verb="forward").exists()


def test_merge(desk, client: Client) -> None:
    source, target = desk.open(), desk.open()
    client.force_login(desk.agent_a)
    missing = client.post(f"/t/{source.number}/merge/", {"target": 999999})
    assert "There is no ticket #999999 that you can see." in missing.content.decode()
    itself = client.post(f"/t/{source.number}/merge/", {"target": source.number})
    assert "cannot be merged into itself" in itself.content.decode()
    hidden = desk.open(department=desk.dept_b)
    response = client.post(f"/t/{source.number}/merge/", {"target": hidden.number})
    assert "that you can see" in response.content.decode()
    response = client.post(f"/t/{source.number}/merge/", {"target": target.number})
    assert response["Location"] == f"/t/{target.number}/"
    source.refresh_from_db()
    assert (source.status, source.merged_into) == (Status.CLOSED, target)
    html = page(client, source)
    assert f"This ticket was merged into #{target.number}." in html


def test_tags_are_set_as_a_list(desk, client: Client) -> None:
    ticket = desk.open(tags=["old"])
    client.force_login(desk.agent_a)
    client.post(f"/t/{ticket.number}/tags/", {"tags": "vip, Late-Delivery"})
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["late-delivery", "vip"]
    response = client.post(f"/t/{ticket.number}/tags/", {"tags": "no!"})
    assert response.status_code == 400
    assert "Tags are words of letters" in response.content.decode()


def test_unknown_action_is_404_and_get_is_refused(desk, client: Client) -> None:
    ticket = desk.open()
    client.force_login(desk.agent_a)
    assert client.post(f"/t/{ticket.number}/explode/").status_code == 404
    assert client.get(f"/t/{ticket.number}/reply/").status_code == 405


def _failed_reply(desk, ticket: Ticket, delivery: str = Delivery.FAILED) -> Message:  # type: ignore[no-untyped-def]
    reply = do_reply(ticket, Actor.agent(desk.agent_a), body_text="Your refund is on its way.")
    Message.objects.filter(pk=reply.pk).update(
        delivery=delivery, delivery_error="SMTPRecipientsRefused: mailbox full"
    )
    return reply


def test_a_failed_reply_shows_and_can_be_retried(desk, client: Client) -> None:
    from django_tasks_db.models import DBTaskResult

    ticket = desk.open()
    reply = _failed_reply(desk, ticket)
    DBTaskResult.objects.all().delete()
    client.force_login(desk.agent_a)
    html = page(client, ticket)
    assert "The customer did not get this reply." in html
    assert "mailbox full" in html
    assert f'action="/t/{ticket.number}/messages/{reply.pk}/retry/"' in html
    response = client.post(f"/t/{ticket.number}/messages/{reply.pk}/retry/")
    assert response["Location"] == f"/t/{ticket.number}/#m{reply.pk}"
    reply.refresh_from_db()
    assert reply.delivery == Delivery.QUEUED
    assert DBTaskResult.objects.filter(args_kwargs__args=[reply.pk]).count() == 1
    assert Event.objects.filter(ticket=ticket, verb="retry_delivery").exists()
    assert "Delivery retried" in page(client, ticket)


def test_a_sent_reply_is_not_retried(desk, client: Client) -> None:
    ticket = desk.open()
    reply = _failed_reply(desk, ticket, delivery=Delivery.SENT)
    client.force_login(desk.agent_a)
    assert "Retry sending" not in page(client, ticket)
    response = client.post(f"/t/{ticket.number}/messages/{reply.pk}/retry/", follow=True)
    assert "already sent" in response.content.decode()


def test_an_undeliverable_address_is_shown_before_replying(desk, client: Client) -> None:
    ticket = desk.open()
    desk.customer_x.contacts.update(undeliverable_reason="bounced 2026-01-02: 550 no such user")
    client.force_login(desk.agent_a)
    html = page(client, ticket)
    warning = html.index("Mail to xena@example.test could not be delivered")
    assert "550 no such user" in html
    assert warning < html.index('id="reply-body"')


def test_the_customer_sidebar(desk, client: Client) -> None:
    customer = desk.customer_x
    customer.address_as = "Pani Xeno"
    customer.language = "pl"
    customer.organisation = Organisation.objects.create(name="Xena & Co")
    customer.save()
    customer.contacts.create(kind="phone", value="+48123456789")
    older = [desk.open(subject=f"Older {i}") for i in range(11)]
    desk.open(department=desk.dept_b, subject="Hidden billing matter")
    ticket = desk.open(subject="Current")
    client.force_login(desk.agent_a)
    html = page(client, ticket)
    side = html[html.index('class="panel customer"') :]
    for expected in ("Pani Xeno", "Polski", "Xena &amp; Co", "xena@example.test", "+48123456789"):
        assert expected in side, expected
    assert side.count('<li><a href="/t/') == 10
    assert f"#{older[-1].number} Older 10" in side
    assert "Older 0<" not in side
    assert "Hidden billing matter" not in side


def test_sla_countdowns_and_breaches(desk, client: Client) -> None:
    ticket = desk.open()
    sla = set_due(ticket, 45)
    sla.resolution_due = sla.first_response_due.replace(year=sla.first_response_due.year - 1)
    sla.save()
    SlaBreach.objects.create(
        ticket=ticket, kind="resolution", due_at=sla.resolution_due, breached_at=sla.resolution_due
    )
    client.force_login(desk.agent_a)
    html = page(client, ticket)
    panel = html[html.index('class="panel sla-panel"') : html.index('class="panel customer"')]
    assert re.search(r"First response</span>\s*<span class=\"sla\">in 4\d min", panel)
    assert re.search(r"Resolution</span>\s*<span class=\"sla breached\">\d+ d \d+ h overdue", panel)
    assert '<li class="breached">Resolution · was due' in panel


def test_the_ticket_page_costs_the_same_queries_at_any_length(
    desk,
    client: Client,
    django_assert_num_queries,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The agents' list and canned answers are read again after two seconds; the loop below
    # may take longer.
    monkeypatch.setattr(agents.directory, "seconds", 3600.0)
    monkeypatch.setattr(canned._active, "seconds", 3600.0)
    ticket = desk.open(attachments=[NewAttachment("a.txt", "text/plain", b"a")])
    agent = Actor.agent(desk.agent_a)
    # Asked again about the same problem: the triage panel lists the chasing requests.
    desk.open(subject="Previous")
    assert TicketTriage.objects.get(ticket=ticket).chase_count == 1
    client.force_login(desk.agent_a)
    page(client, ticket)
    # 18: the session and the user with their profile; the triage panel names the
    # departments the router guessed and lists the chases; the agent's department ids; the
    # clock and the triage row;
    # the departments to forward to (one query, not two); the agents one may assign to (2:
    # a running desk keeps them per process, but this test's open transaction made them,
    # so they are read afresh, see core/process_cache.py). Canned answers are kept by the
    # process too (this test does not change them).
    with django_assert_num_queries(18) as few:
        client.get(f"/t/{ticket.number}/")
    for i in range(15):
        attachment = NewAttachment(f"{i}.txt", "text/plain", b"x")
        do_add_inbound_message(ticket, body_text=f"More {i}", attachments=[attachment])
        do_reply(ticket, agent, body_text=f"Answer {i}")
        do_add_note(ticket, agent, body_text=f"Note {i}")
        do_change_status(ticket, "pending_customer" if i % 2 else "open", agent)
        desk.open(subject=f"Previous {i}")
    do_assign(ticket, desk.agent_a, agent)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(f"/t/{ticket.number}/")
    html = response.content.decode()
    assert html.count('class="entry ') >= 1 + 15 * 4
    assert html[html.index('class="panel customer"') :].count('<li><a href="/t/') == 10


def test_go_to_a_ticket_number(desk, client: Client) -> None:
    ticket = desk.open()
    client.force_login(desk.agent_a)
    assert client.get(f"/go/?q=%23{ticket.number}")["Location"] == f"/t/{ticket.number}/"
    response = client.get("/go/?q=424242", follow=True)
    assert "There is no ticket #424242 that you can see." in response.content.decode()


def test_every_form_posts_to_an_action_of_this_ticket(desk, client: Client) -> None:
    from django.urls import resolve

    ticket = desk.open()
    client.force_login(desk.agent_a)
    html = client.get(f"/t/{ticket.number}/").content.decode()
    actions = set(re.findall(r'action="(/t/[^"]+)"', html))
    expected = {f"/t/{ticket.number}/{name}/" for name in ("assign", "status", "reply", "note")}
    assert expected <= actions
    for url in actions:
        match = resolve(url)
        assert match.kwargs["number"] == ticket.number, url
        assert match.url_name in ("ticket_action", "typing"), url
