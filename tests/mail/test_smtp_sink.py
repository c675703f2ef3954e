from __future__ import annotations

import smtplib

import pytest
from django.core.mail import EmailMessage, send_mail

from tests.mail.smtp_sink import SmtpSink, smtp_sink  # noqa: F401


def test_send_mail_reaches_the_sink_over_smtp(smtp_sink: SmtpSink) -> None:  # noqa: F811
    subject = "Заказ №1042: где посылка?"
    body = "Лог лежит в C:\\Users\\new.log — посмотрите, пожалуйста.\n"
    sent = send_mail(subject, body, "desk@shop.test", ["xena@example.test"])

    assert sent == 1
    [mail] = smtp_sink.wait_for(1)
    assert mail.mail_from == "desk@shop.test"
    assert mail.rcpt_tos == ["xena@example.test"]
    assert mail.message["Subject"] == subject
    assert mail.message["To"] == "xena@example.test"
    content = mail.message.get_content()
    assert "C:\\Users\\new.log" in content
    # SMTP carries lines ending in CRLF; the parsed body keeps them.
    assert content.replace("\r\n", "\n") == body
    assert b"\r\n" in mail.raw


def test_envelope_recipients_include_bcc_and_clear_forgets(smtp_sink: SmtpSink) -> None:  # noqa: F811
    message = EmailMessage(
        "Hello", "Body", "desk@shop.test", ["a@example.test"], bcc=["b@example.test"]
    )
    message.send()
    [mail] = smtp_sink.wait_for(1)
    assert sorted(mail.rcpt_tos) == ["a@example.test", "b@example.test"]
    assert "Bcc" not in mail.message

    smtp_sink.clear()
    assert smtp_sink.messages == []


def test_sink_as_a_context_manager_with_raw_smtplib() -> None:
    raw = b"From: a@example.test\r\nTo: b@example.test\r\nSubject: Raw\r\n\r\n.dot line\r\n"
    with SmtpSink() as sink, smtplib.SMTP(sink.host, sink.port, timeout=5) as client:
        client.sendmail("a@example.test", ["b@example.test"], raw)
        [mail] = sink.wait_for(1)
    assert mail.raw == raw
    assert mail.message["Subject"] == "Raw"


def test_wait_for_fails_clearly_when_nothing_arrives() -> None:
    with SmtpSink() as sink, pytest.raises(AssertionError, match="expected 1 mail"):
        sink.wait_for(1, timeout=0.05)
