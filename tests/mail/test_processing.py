"""From raw bytes to tickets: threading, acknowledgements, bounces, auto-replies, quarantine."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from django.core import mail as django_mail

from litso.audit.record import Actor
from litso.customers.models import ContactPoint
from litso.files.store import read_bytes
from litso.jobs.runner import run_pending_tasks
from litso.mail.intake import receive_raw
from litso.mail.models import InboundMail, InboundState
from litso.mail.tokens import reply_address
from litso.tickets.actions import do_change_status, do_reply
from litso.tickets.models import Delivery, Message, MessageKind, Status, Ticket

CORPUS = Path(__file__).parent / "corpus"


def make_mail(
    subject: str = "Zamówienie 77",
    body: str = "Dzień dobry, gdzie jest moja paczka?",
    sender: str = "Ola Nowak <ola@klient.test>",
    to: str = "sales@shop.test",
    **headers: str,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="klient.test")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes()


def ingest(raw: bytes) -> InboundMail:
    received = receive_raw(raw)
    run_pending_tasks()
    received.inbound.refresh_from_db()
    return received.inbound


def acks() -> list[Message]:
    return list(Message.objects.filter(kind=MessageKind.OUTBOUND, author_kind="system"))


def test_new_mail_opens_a_ticket_and_is_acknowledged_in_its_language(desk) -> None:
    inbound = ingest(make_mail())
    assert inbound.state == InboundState.PROCESSED
    ticket = inbound.ticket
    assert ticket.department == desk.dept_a
    assert ticket.customer.contacts.get().value == "ola@klient.test"
    assert ticket.language == "pl"
    assert ticket.messages.get(kind=MessageKind.INBOUND).body_text.startswith("Dzień dobry")
    [ack] = acks()
    assert ack.delivery == Delivery.SENT
    [sent] = django_mail.outbox
    assert sent.to == ["ola@klient.test"]
    assert f"numer {ticket.number}" in sent.body
    assert sent.extra_headers["Auto-Submitted"] == "auto-generated"
    assert sent.extra_headers["Reply-To"] == reply_address("sales@shop.test", ticket.number)
    assert sent.extra_headers["In-Reply-To"] == inbound.header_message_id


def test_the_same_mail_twice_is_one_mail(desk) -> None:
    raw = make_mail()
    first = ingest(raw)
    second = receive_raw(raw)
    assert second.duplicate
    assert second.inbound.pk == first.pk
    assert Ticket.objects.count() == 1


def test_reply_threads_by_in_reply_to_and_gets_no_second_ack(desk) -> None:
    first = ingest(make_mail())
    ack_id = acks()[0].external_id
    reply = ingest(make_mail(subject="Odp: Zamówienie 77", body="Numer: 123", In_Reply_To=ack_id))
    assert reply.ticket == first.ticket
    assert reply.thread_rule == "In-Reply-To/References"
    assert len(acks()) == 1


def test_reply_address_token_threads_even_from_a_stranger(desk) -> None:
    ticket = ingest(make_mail()).ticket
    token = reply_address("sales@shop.test", ticket.number)
    reply = ingest(make_mail(subject="something else", sender="boss@klient.test", to=token))
    assert reply.ticket == ticket
    assert reply.thread_rule == "reply address token"
    assert reply.message.author_customer.contacts.get().value == "boss@klient.test"


def test_a_forged_token_does_not_thread(desk) -> None:
    ticket = ingest(make_mail()).ticket
    forged = f"sales+t{ticket.number}.00000000@shop.test"
    other = ingest(make_mail(subject="Hello", sender="x@evil.test", to=forged))
    assert other.ticket != ticket


def test_subject_token_needs_someone_on_the_thread(desk) -> None:
    ticket = ingest(make_mail(to="sales@shop.test", Cc="kolega@klient.test")).ticket
    colleague = ingest(
        make_mail(subject=f"Re: [#{ticket.number}] Zamówienie 77", sender="kolega@klient.test")
    )
    assert colleague.ticket == ticket
    assert colleague.thread_rule == "subject token"
    stranger = ingest(make_mail(subject=f"[#{ticket.number}] hi", sender="x@other.test"))
    assert stranger.ticket != ticket


def test_same_customer_and_subject_threads_a_reply_without_headers(desk) -> None:
    ticket = ingest(make_mail(subject="Faktura za maj")).ticket
    again = ingest(make_mail(subject="ODP:  Re: faktura za MAJ"))
    assert again.ticket == ticket
    fresh = ingest(make_mail(subject="Faktura za maj"))  # not a reply: a new request
    assert fresh.ticket != ticket


def test_same_subject_joins_the_conversation_the_customer_was_last_in(desk) -> None:
    body = "Proszę o fakturę za maj do zamówienia 77, NIP 123-456-32-18."
    first = ingest(make_mail(subject="Faktura za maj", body=body)).ticket
    second = ingest(make_mail(subject="Faktura za maj", body=body + " Pilne!")).ticket
    assert second != first
    # The second request chased the first and raised its priority: the first was changed
    # last, but the customer's conversation is the second's.
    assert Ticket.objects.get(pk=first.pk).updated_at > Ticket.objects.get(pk=second.pk).updated_at
    reply = ingest(make_mail(subject="Re: Faktura za maj", body="Adres: Długa 5"))
    assert reply.ticket == second
    assert reply.thread_rule == "same customer and subject"
    # A message on the first makes it the latest conversation again.
    do_reply(first, Actor.agent(desk.agent_a), body_text="Wysłaliśmy fakturę.")
    again = ingest(make_mail(subject="Re: Faktura za maj", body="Dziękuję"))
    assert again.ticket == first


def test_of_two_same_subject_tickets_a_reply_joins_the_one_it_quotes(desk) -> None:
    older_text = "Drukarka na drugim piętrze drukuje puste strony od poniedziałku rano."
    newer_text = "Drukarka w recepcji nie łączy się z siecią Wi-Fi od wczoraj wieczorem."
    older = ingest(make_mail(subject="Drukarka", body=older_text)).ticket
    newer = ingest(make_mail(subject="Drukarka", body=newer_text)).ticket
    assert older != newer

    def answer(quoted: str) -> InboundMail:
        # An answer to a notice of the desk used before: its Message-ID means nothing here,
        # but the client quoted the request (re-wrapped, with "> ").
        lines = "\n".join(f"> {line}" for line in quoted.replace("od ", "od\n").split("\n"))
        header = "W dniu 3.03.2025 o 14:33 Ola <ola@klient.test> pisze:"
        return ingest(
            make_mail(
                subject="Re: [helpdesk-12] Drukarka (Updated)",
                body=f"Nadal nie działa.\n\n{header}\n{lines}",
                In_Reply_To="<notice-12@old-desk.test>",
            )
        )

    # Quoting the older request: the older, though the newer is the latest conversation.
    first = answer(older_text)
    assert first.ticket == older
    assert first.thread_rule == "same customer and subject"
    # Quoting the newer: the newer, though the older is now the latest conversation.
    assert answer(newer_text).ticket == newer
    # Quoting neither: the latest conversation.
    assert ingest(make_mail(subject="Re: Drukarka", body="Jakieś wieści?")).ticket == newer


def test_reply_to_solved_reopens_and_to_closed_opens_a_follow_up(desk) -> None:
    ticket = ingest(make_mail()).ticket
    do_change_status(ticket, Status.SOLVED, Actor.system())
    ingest(make_mail(subject="Re: Zamówienie 77", body="Still missing"))
    ticket.refresh_from_db()
    assert (ticket.status, ticket.reopens) == (Status.OPEN, 1)
    do_change_status(ticket, Status.CLOSED, Actor.system())
    late = ingest(make_mail(subject="Re: Zamówienie 77", body="And now?"))
    assert late.ticket.follow_up_of == ticket
    assert len(acks()) == 2  # the follow-up is a new request and is acknowledged


def test_auto_replies_never_open_tickets_nor_get_answers(desk) -> None:
    for name in ("auto_submitted.eml", "auto_precedence_bulk.eml", "auto_vacation_ru.eml"):
        inbound = ingest((CORPUS / name).read_bytes())
        assert inbound.state == InboundState.AUTO_REPLY, name
    assert Ticket.objects.count() == 0
    assert django_mail.outbox == []


def test_a_bounce_marks_the_reply_and_the_address(desk) -> None:
    ticket = ingest(make_mail()).ticket
    reply = do_reply(ticket, Actor.agent(desk.agent_a), body_text="Wysłane wczoraj.")
    run_pending_tasks()
    bounce = (CORPUS / "bounce_dsn.eml").read_bytes()
    original = Message.objects.get(pk=reply.pk).external_id
    # Point the corpus bounce at our reply and our customer.
    from litso.mail.autoreply import bounce_info
    from litso.mail.parsing import parse_message

    info = bounce_info(parse_message(bounce))
    bounce = bounce.replace(info.original_message_id.encode(), original.encode())
    bounce = bounce.replace(info.recipient.encode(), b"ola@klient.test")
    inbound = ingest(bounce)
    assert inbound.state == InboundState.BOUNCE
    assert inbound.ticket == ticket
    reply.refresh_from_db()
    assert reply.delivery == Delivery.BOUNCED
    assert ContactPoint.objects.get(value="ola@klient.test").undeliverable_reason
    assert Ticket.objects.count() == 1


def test_unparseable_mail_is_quarantined_with_its_reason_and_kept(desk) -> None:
    raw = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    inbound = ingest(raw)
    assert inbound.state == InboundState.QUARANTINED
    assert inbound.reason
    assert read_bytes(inbound.blob) == raw
    assert Ticket.objects.count() == 0


def test_bodies_and_text_attachments_are_kept_exactly(desk) -> None:
    inbound = ingest((CORPUS / "body_windows_path_crlf.eml").read_bytes())
    assert "C:\\Users\\new.log" in inbound.message.body_text
    with_files = ingest((CORPUS / "mime_text_attachments.eml").read_bytes())
    names = sorted(with_files.message.attachments.values_list("filename", flat=True))
    assert any(n.endswith(".log") for n in names)
    assert any(n.endswith(".csv") for n in names)


def test_unknown_recipient_lands_in_the_default_department(desk) -> None:
    inbound = ingest(make_mail(to="nobody@elsewhere.test"))
    assert inbound.ticket.department.name in ("Billing", "Sales")


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.eml")))
def test_every_corpus_mail_ends_in_a_final_state(desk, name: str) -> None:
    inbound = ingest((CORPUS / name).read_bytes())
    assert inbound.state != InboundState.RECEIVED
    if inbound.state == InboundState.PROCESSED:
        assert inbound.ticket is not None
        assert inbound.message.body_text or inbound.message.attachments.exists()


def test_a_sender_we_cannot_answer_is_quarantined_with_the_reason(desk) -> None:
    inbound = ingest(make_mail(sender="root@localhost"))
    assert inbound.state == InboundState.QUARANTINED
    assert "root@localhost" in inbound.reason
    assert Ticket.objects.count() == 0


@pytest.mark.django_db
def test_mail_to_no_departments_address_is_left_to_triage(desk) -> None:  # type: ignore[no-untyped-def]
    """The fallback department is not the customer's choice: an unsure router asks a person."""
    from litso.mail.processing import process
    from litso.triage.models import TicketTriage

    stray = receive_raw(make_mail(to="hello@shop.test", body="A question about something"))
    triage = TicketTriage.objects.get(ticket=process(stray.inbound.pk).ticket)
    assert triage.routed_by != "address"
    addressed = receive_raw(make_mail(to="sales@shop.test", subject="Another thing"))
    routed = TicketTriage.objects.get(ticket=process(addressed.inbound.pk).ticket)
    assert routed.routed_by == "address"
