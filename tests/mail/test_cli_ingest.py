"""`litso mail ingest`: batches stored and processed together, with the outcome of one by one."""

from __future__ import annotations

import io
import json
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from litso.jobs.runner import run_pending_tasks
from litso.mail import cli_ingest
from litso.mail.intake import receive_many, receive_raw
from litso.mail.models import InboundMail, InboundState
from litso.tickets.models import Message, MessageKind, Ticket

CORPUS = Path(__file__).parent / "corpus"


def mail(number: int, sender: str, subject: str, **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "sales@shop.test"
    message["Subject"] = subject
    message["Message-ID"] = f"<m{number}@klient.test>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(f"Mail {number}: C:\\Users\\new.log")
    return message.as_bytes()


def ingest(directory: Path) -> dict[str, int]:
    out = io.StringIO()
    call_command("mail", "ingest", str(directory), "--json", stdout=out)
    summary: dict[str, int] = json.loads(out.getvalue())
    return summary


def write(directory: Path, raws: list[bytes]) -> Path:
    directory.mkdir(exist_ok=True)
    for i, raw in enumerate(raws):
        (directory / f"{i:04}.eml").write_bytes(raw)
    return directory


def acks() -> int:
    return Message.objects.filter(kind=MessageKind.OUTBOUND, author_kind="system").count()


def test_a_reply_finds_the_ticket_opened_earlier_in_the_same_batch(desk, tmp_path) -> None:
    raws = [
        mail(1, "ola@klient.test", "Zamówienie 77"),
        mail(2, "jan@klient.test", "Faktura"),
        mail(3, "ola@klient.test", "Re: Zamówienie 77", In_Reply_To="<m1@klient.test>"),
        mail(1, "ola@klient.test", "Zamówienie 77"),  # the same bytes again
        b"",  # nothing to show an agent: quarantined, kept
    ]
    summary = ingest(write(tmp_path / "mails", raws))
    assert summary == {
        "tickets_opened": 2,
        "messages_appended": 1,
        "bounces": 0,
        "auto_replies": 0,
        "duplicates": 1,
        "quarantined": 1,
    }
    first = InboundMail.objects.get(header_message_id="<m1@klient.test>")
    reply = InboundMail.objects.get(header_message_id="<m3@klient.test>")
    assert reply.ticket_id == first.ticket_id
    assert reply.thread_rule == "In-Reply-To/References"
    assert "C:\\Users\\new.log" in reply.message.body_text
    assert acks() == 2
    assert InboundMail.objects.filter(state=InboundState.RECEIVED).count() == 0


def test_a_mail_that_fails_is_quarantined_alone_and_the_batch_goes_on(
    desk, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from litso.mail import ack

    real = ack.acknowledge

    def failing(ticket: Ticket, **kwargs: Any) -> Message:
        if "broken" in ticket.subject:
            raise RuntimeError("template exploded")
        return real(ticket, **kwargs)

    monkeypatch.setattr(ack, "acknowledge", failing)
    raws = [
        mail(1, "ola@klient.test", "Zamówienie 77"),
        # A new customer, created in the savepoint that rolls back…
        mail(2, "new@klient.test", "broken order"),
        # …and found again (not taken from the batch's cache) for their next mail.
        mail(3, "new@klient.test", "Another question"),
        mail(4, "jan@klient.test", "Faktura"),
    ]
    summary = ingest(write(tmp_path / "mails", raws))
    assert summary["tickets_opened"] == 3
    assert summary["quarantined"] == 1
    broken = InboundMail.objects.get(header_message_id="<m2@klient.test>")
    assert broken.state == InboundState.QUARANTINED
    assert "template exploded" in broken.reason
    assert broken.ticket_id is None
    assert broken.message_id is None
    assert not Ticket.objects.filter(subject="broken order").exists()
    later = InboundMail.objects.get(header_message_id="<m3@klient.test>")
    assert later.state == InboundState.PROCESSED
    assert later.ticket.customer.contacts.get().value == "new@klient.test"
    assert acks() == 3


def test_a_mail_failing_half_way_through_opening_leaves_no_rows_of_it(
    desk, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The ticket, its message and its first events are written before triage fails: all of
    # them go with the mail's savepoint, also the audit events and task rows that the batch
    # writes only at its end.
    from django_tasks_db.models import DBTaskResult

    from litso.audit.models import Event
    from litso.triage import actions

    real = actions.on_ticket_opened

    def failing(ticket: Ticket, *args: Any, **kwargs: Any) -> Ticket:
        if "broken" in ticket.subject:
            raise RuntimeError("triage exploded")
        return real(ticket, *args, **kwargs)

    monkeypatch.setattr(actions, "on_ticket_opened", failing)
    raws = [
        mail(1, "ola@klient.test", "Zamówienie 77"),
        mail(2, "jan@klient.test", "broken order"),
        mail(3, "ewa@klient.test", "Faktura"),
    ]
    summary = ingest(write(tmp_path / "mails", raws))
    assert (summary["tickets_opened"], summary["quarantined"]) == (2, 1)
    broken = InboundMail.objects.get(header_message_id="<m2@klient.test>")
    assert "triage exploded" in broken.reason
    assert not Ticket.objects.filter(subject="broken order").exists()
    assert not Message.objects.filter(subject__contains="broken order").exists()
    tickets = set(Ticket.objects.values_list("pk", flat=True))
    assert set(Event.objects.values_list("ticket_id", flat=True)) == tickets
    assert Event.objects.filter(verb="created").count() == 2
    assert Event.objects.filter(verb="acknowledged").count() == 2
    delivered = {
        row.args_kwargs["args"][0]
        for row in DBTaskResult.objects.filter(task_path__endswith="deliver_message")
    }
    assert delivered == set(
        Message.objects.filter(kind=MessageKind.OUTBOUND).values_list("pk", flat=True)
    )
    assert len(delivered) == acks() == 2


def test_mail_stored_by_a_run_stopped_before_processing_is_processed_by_the_next(
    desk, tmp_path
) -> None:
    raws = [mail(1, "ola@klient.test", "Zamówienie 77"), mail(2, "jan@klient.test", "Faktura")]
    # What an in-line run leaves when killed between storing a batch and processing it.
    receive_many(raws[:1], process=False)
    summary = ingest(write(tmp_path / "mails", raws))
    assert summary["tickets_opened"] == 2
    assert summary["duplicates"] == 0
    assert not InboundMail.objects.filter(state=InboundState.RECEIVED).exists()
    again = ingest(tmp_path / "mails")
    assert again["duplicates"] == 2
    assert again["tickets_opened"] == 0
    assert acks() == 2


def test_mails_processed_in_line_are_parsed_from_the_bytes_just_stored(
    desk, tmp_path, monkeypatch
) -> None:
    from litso.mail import batch

    read: list[str] = []
    read_bytes = batch.read_bytes

    def counted(blob: Any) -> bytes:
        read.append(blob.sha256)
        return read_bytes(blob)

    monkeypatch.setattr(batch, "read_bytes", counted)
    raws = [mail(1, "ola@klient.test", "Zamówienie 77"), mail(2, "jan@klient.test", "Faktura")]
    # One stored by an earlier run that stopped before processing it: given again, its
    # bytes are at hand too.
    receive_many(raws[:1], process=False)
    summary = ingest(write(tmp_path / "mails", raws))
    assert summary["tickets_opened"] == 2
    assert read == []
    # A mail whose processing is a task reads what was stored.
    receive_raw(mail(3, "ola@klient.test", "Faktura 2"))
    run_pending_tasks()
    assert len(read) == 1
    assert not InboundMail.objects.filter(state=InboundState.RECEIVED).exists()


def test_batches_end_at_their_size_in_mails_or_bytes() -> None:
    raws = [b"a" * 10] * 7 + [b"b" * 150, b"c"]
    sizes = [len(batch) for batch in cli_ingest.batches(raws, 3, 100, len)]
    assert sizes == [3, 3, 2, 1]


def test_the_corpus_in_batches_ends_as_it_does_mail_by_mail(desk, tmp_path) -> None:
    """Every corpus mail in one run of the command, then again one task per mail: the same
    states, threading rules, bodies and attachments."""
    files = sorted(CORPUS.glob("*.eml"))
    ingest(write(tmp_path / "mails", [f.read_bytes() for f in files]))
    batched = _outcomes()
    _clear()
    for path in files:
        receive_raw(path.read_bytes())
        run_pending_tasks()
    assert _outcomes() == batched
    assert len(batched) == len(files)


def _outcomes() -> list[tuple[Any, ...]]:
    rows = []
    for inbound in InboundMail.objects.select_related("message", "ticket").order_by("pk"):
        message = inbound.message
        rows.append(
            (
                inbound.sha256,
                inbound.state,
                inbound.reason,
                inbound.sender,
                inbound.thread_rule,
                inbound.participants,
                inbound.ticket.subject if inbound.ticket else None,
                message.body_text if message else None,
                sorted(message.attachments.values_list("filename", "blob_id")) if message else None,
            )
        )
    return rows


def _clear() -> None:
    from litso.customers.models import Customer

    InboundMail.objects.all().delete()
    Ticket.objects.all().delete()
    Customer.objects.all().delete()
