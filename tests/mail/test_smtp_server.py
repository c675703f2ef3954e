"""`litso mail serve` over a real socket: smtplib talks to the aiosmtpd server in a thread.

The server thread has its own database connection, so tests that store mail commit
(``transaction=True``) for it to see the departments and for us to see what it stored. Each
costs a database flush (about a second on PostgreSQL), so they are few and tell a whole
story each; tests of the protocol alone fake the lookups and the storage.

SMTP carries lines ending in CRLF, with leading dots doubled; the server undoes exactly what
the client did, so a mail sent with CRLF line endings is stored byte for byte. The data always
ends with CRLF: smtplib adds one when the mail does not end with it.
"""

from __future__ import annotations

import io
import os
import signal
import smtplib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django_tasks_db.models import DBTaskResult

from litso.departments.models import Department
from litso.files.store import read_bytes
from litso.mail import addresses, smtp_server
from litso.mail.cli_serve import parse_size
from litso.mail.intake import Received
from litso.mail.models import InboundMail, InboundSource
from litso.mail.smtp_server import MailController, make_controller
from tests.conftest import Desk

committed = pytest.mark.django_db(transaction=True)

RAW = (
    b"From: Ola Nowak <ola@klient.test>\r\n"
    b"To: sales@shop.test\r\n"
    b"Subject: =?utf-8?q?Zam=C3=B3wienie_77?=\r\n"
    b"Message-ID: <smtp-1@klient.test>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n"
    b"\r\n"
    b"Dzie\xc5\x84 dobry,\r\n"
    b".a line that starts with a dot\r\n"
    b"..two dots\r\n"
    b".\r\n"
    b"C:\\Users\\new.log\r\n"
    b"\r\n"
    b"trailing blanks   \r\n"
)


def mail(number: int) -> bytes:
    return RAW.replace(b"<smtp-1@", f"<smtp-{number}@".encode())


@pytest.fixture
def start_server() -> Iterator[Callable[..., MailController]]:
    started: list[MailController] = []

    def start(**options: Any) -> MailController:
        controller = make_controller(port=0, server_hostname="desk.localhost", **options)
        controller.start()
        started.append(controller)
        return controller

    addresses.invalidate()
    yield start
    for controller in started:
        controller.stop()
    addresses.invalidate()


@pytest.fixture
def server(desk: Desk, start_server: Callable[..., MailController]) -> MailController:
    return start_server()


@pytest.fixture
def fake_storage(db: None, monkeypatch: pytest.MonkeyPatch) -> list[tuple[bytes, list[str]]]:
    """Every recipient ending in @shop.test is known; stored mail is only recorded.

    (``db``: the server thread still tidies its database connection between mails.)
    """
    stored: list[tuple[bytes, list[str]]] = []

    def known(address: str) -> Department | None:
        return Department(name="Sales") if address.endswith("@shop.test") else None

    def receive(raw: bytes, *, envelope_recipients: list[str], **kwargs: Any) -> Received:
        stored.append((raw, list(envelope_recipients)))
        return Received(InboundMail(pk=len(stored)), duplicate=False)

    monkeypatch.setattr(smtp_server, "known_recipient", known)
    monkeypatch.setattr(smtp_server, "receive_raw", receive)
    return stored


def client(server: MailController) -> smtplib.SMTP:
    smtp = smtplib.SMTP(server.hostname, server.port, timeout=10)
    smtp.ehlo()
    return smtp


def queued(inbound: InboundMail) -> tuple[int, bytes]:
    return 250, f"2.0.0 OK queued as {inbound.pk}".encode()


@committed
def test_a_known_recipient_gets_the_mail_stored_byte_for_byte(server: MailController) -> None:
    with client(server) as smtp:
        assert smtp.has_extn("smtputf8")
        assert smtp.has_extn("8bitmime")
        assert smtp.mail("ola@klient.test")[0] == 250
        assert smtp.rcpt("sales@shop.test") == (250, b"2.1.5 OK")
        answer = smtp.data(RAW)

    inbound = InboundMail.objects.get()
    assert answer == queued(inbound)
    assert read_bytes(inbound.blob) == RAW
    assert inbound.source == InboundSource.SMTP
    assert inbound.envelope_recipients == ["sales@shop.test"]
    assert inbound.header_message_id == "<smtp-1@klient.test>"
    assert DBTaskResult.objects.filter(task_path__endswith="process_inbound").count() == 1

    # Bare LFs and lines over 1000 octets are not what an MTA sends, but nothing is rewritten
    # (the parser copes later). No line may start with a dot: smtplib doubles it after a bare
    # LF too, which no server undoes.
    raw = mail(2).replace(b"\r\n", b"\n").replace(b"\n.", b"\nx") + b"long " * 400 + b"\n"
    with client(server) as smtp:
        assert smtp.sendmail("ola@klient.test", ["sales@shop.test"], raw) == {}
    assert read_bytes(InboundMail.objects.exclude(pk=inbound.pk).get().blob) == raw + b"\r\n"


@committed
def test_recipients_are_checked_at_rcpt(server: MailController) -> None:
    with client(server) as smtp, pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        smtp.sendmail("ola@klient.test", ["nobody@shop.test"], RAW)
    assert refused.value.recipients == {
        "nobody@shop.test": (550, b"5.1.1 <nobody@shop.test>: no such mailbox here")
    }
    assert not InboundMail.objects.exists()

    # Known, unknown and a plus-address carrying a ticket token: the known ones get it.
    with client(server) as smtp:
        not_taken = smtp.sendmail(
            "ola@klient.test",
            ["ghost@shop.test", "sales@shop.test", "Sales+t1042.AB12CD34@shop.test",
             "sales@elsewhere.test"],
            RAW,
        )
    assert set(not_taken) == {"ghost@shop.test", "sales@elsewhere.test"}
    assert {code for code, _ in not_taken.values()} == {550}
    inbound = InboundMail.objects.get()
    assert inbound.envelope_recipients == ["sales@shop.test", "sales+t1042.ab12cd34@shop.test"]
    assert read_bytes(inbound.blob) == RAW


@committed
def test_a_failed_delivery_is_retried_and_a_repeat_is_one_mail(
    server: MailController, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("the database went away")

    monkeypatch.setattr(smtp_server, "receive_raw", broken)
    with client(server) as smtp, pytest.raises(smtplib.SMTPDataError) as failed:
        smtp.sendmail("ola@klient.test", ["sales@shop.test"], RAW)
    assert (failed.value.smtp_code, failed.value.smtp_error) == (
        451,
        b"4.3.0 temporary failure, try again",
    )
    assert not InboundMail.objects.exists()

    monkeypatch.undo()
    answers = []
    for _ in range(2):  # the MTA retries; then it delivers the same mail once more
        with client(server) as smtp:
            smtp.mail("ola@klient.test")
            smtp.rcpt("sales@shop.test")
            answers.append(smtp.data(RAW))
    inbound = InboundMail.objects.get()
    assert answers == [queued(inbound)] * 2
    assert read_bytes(inbound.blob) == RAW


@committed
def test_lmtp_answers_once_per_accepted_recipient(
    desk: Desk, start_server: Callable[..., MailController]
) -> None:
    server = start_server(lmtp=True)
    with smtplib.LMTP(server.hostname, server.port, timeout=10) as lmtp:
        assert lmtp.ehlo()[0] == 250  # LHLO
        lmtp.mail("ola@klient.test")
        assert lmtp.rcpt("sales@shop.test")[0] == 250
        assert lmtp.rcpt("nobody@shop.test")[0] == 550
        assert lmtp.rcpt("billing+t7.0badc0de@shop.test")[0] == 250
        first = lmtp.data(RAW)
        # smtplib reads one reply to DATA; LMTP sends one more for the second recipient.
        second = lmtp.getreply()
        assert lmtp.noop()[0] == 250

    inbound = InboundMail.objects.get()
    assert first == second == queued(inbound)
    assert inbound.envelope_recipients == ["sales@shop.test", "billing+t7.0badc0de@shop.test"]
    assert read_bytes(inbound.blob) == RAW


def test_lmtp_refuses_helo_and_ehlo(
    fake_storage: list[Any], start_server: Callable[..., MailController]
) -> None:
    server = start_server(lmtp=True)
    with smtplib.SMTP(server.hostname, server.port, timeout=10) as smtp:
        assert smtp.ehlo()[0] == 500
        assert smtp.helo()[0] == 500


def test_a_lookup_failure_at_rcpt_answers_451(
    fake_storage: list[Any],
    start_server: Callable[..., MailController],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(address: str) -> None:
        raise OperationalError("the database went away")

    monkeypatch.setattr(smtp_server, "known_recipient", broken)
    server = start_server()
    with client(server) as smtp:
        smtp.mail("ola@klient.test")
        assert smtp.rcpt("sales@shop.test") == (451, b"4.3.0 temporary failure, try again")


def test_mail_over_the_size_limit_is_refused(
    fake_storage: list[Any], start_server: Callable[..., MailController]
) -> None:
    server = start_server(max_size=len(RAW) - 1)
    with client(server) as smtp:
        assert smtp.esmtp_features["size"] == str(len(RAW) - 1)
        # A client that announces the size is refused before it sends anything …
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            smtp.sendmail("ola@klient.test", ["sales@shop.test"], RAW)
        assert refused.value.smtp_code == 552
        # … one that does not, after the data.
        smtp.mail("ola@klient.test")
        smtp.rcpt("sales@shop.test")
        assert smtp.data(RAW)[0] == 552
    assert fake_storage == []

    server = start_server(max_size=2 * len(RAW))
    with client(server) as smtp:
        assert smtp.sendmail("ola@klient.test", ["sales@shop.test"], RAW) == {}
    assert fake_storage == [(RAW, ["sales@shop.test"])]


def test_the_command_serves_until_sigint(fake_storage: list[Any]) -> None:
    out = io.StringIO()
    sent: dict[str, Any] = {}
    before = signal.getsignal(signal.SIGINT)

    def deliver_then_interrupt() -> None:
        deadline = time.monotonic() + 10
        while "127.0.0.1:" not in out.getvalue():
            if time.monotonic() > deadline:
                return  # the test fails below (and must not interrupt pytest)
            time.sleep(0.01)
        try:
            port = int(out.getvalue().split("127.0.0.1:")[1].split(",")[0])
            with smtplib.LMTP("127.0.0.1", port, timeout=10) as lmtp:
                sent["refused"] = lmtp.sendmail("ola@klient.test", ["sales@shop.test"], RAW)
        finally:
            os.kill(os.getpid(), signal.SIGINT)

    helper = threading.Thread(target=deliver_then_interrupt)
    helper.start()
    call_command("mail", "serve", "--port", "0", "--lmtp", "--max-size", "1M", stdout=out)
    helper.join()

    assert sent == {"refused": {}}
    assert fake_storage == [(RAW, ["sales@shop.test"])]
    assert "LMTP on 127.0.0.1:" in out.getvalue()
    assert "up to 1048576 bytes" in out.getvalue()
    assert "stopping" in out.getvalue()
    assert signal.getsignal(signal.SIGINT) is before


@pytest.mark.parametrize(
    ("text", "size"),
    [("52428800", 50 * 1024 * 1024), ("50M", 50 * 1024 * 1024), ("512k", 512 * 1024),
     ("1GB", 1024**3), ("0", 0)],
)
def test_sizes(text: str, size: int) -> None:
    assert parse_size(text) == size


def test_the_command_says_when_it_cannot_listen() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(CommandError, match=f"cannot listen on 127.0.0.1:{port}"):
            call_command("mail", "serve", "--port", str(port), stdout=io.StringIO())
