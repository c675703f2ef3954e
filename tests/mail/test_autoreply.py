"""classify and bounce_info over the corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from litso.mail.autoreply import BounceInfo, MailKind, bounce_info, classify, explain
from litso.mail.parsing import ParsedMail, parse_message

CORPUS = Path(__file__).parent / "corpus"


def load(name: str) -> ParsedMail:
    return parse_message((CORPUS / f"{name}.eml").read_bytes())


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("auto_submitted", MailKind.AUTO_REPLY),
        ("auto_precedence_bulk", MailKind.AUTO_REPLY),
        ("auto_x_autoreply", MailKind.AUTO_REPLY),
        ("auto_vacation_en", MailKind.AUTO_REPLY),
        ("auto_vacation_ru", MailKind.AUTO_REPLY),
        ("auto_vacation_pl", MailKind.AUTO_REPLY),
        ("auto_xars_outlook", MailKind.AUTO_REPLY),
        ("bounce_dsn", MailKind.BOUNCE),
        ("bounce_dsn_headers_only", MailKind.BOUNCE),
        ("bounce_nonstandard", MailKind.BOUNCE),
        ("bounce_russian", MailKind.BOUNCE),
        ("complaint_arf", MailKind.COMPLAINT),
        ("normal_out_of_office_question", MailKind.NORMAL),
        ("normal_google_group", MailKind.NORMAL),
        ("reply_gmail_en", MailKind.NORMAL),
        ("mime_forwarded_rfc822", MailKind.NORMAL),
        ("charset_koi8r", MailKind.NORMAL),
    ],
)
def test_classify(name: str, kind: MailKind) -> None:
    assert classify(load(name)) is kind


def test_explain_names_the_evidence() -> None:
    kind, reasons = explain(load("auto_submitted"))
    assert kind is MailKind.AUTO_REPLY
    assert reasons == ("Auto-Submitted: auto-replied",)
    kind, reasons = explain(load("bounce_dsn"))
    assert kind is MailKind.BOUNCE
    assert reasons[0] == "multipart/report; report-type=delivery-status"


def test_bounce_beats_its_own_auto_submitted_header() -> None:
    mail = load("bounce_dsn")
    assert mail.headers["auto-submitted"] == "auto-replied"
    assert classify(mail) is MailKind.BOUNCE


def test_dsn_bounce_info() -> None:
    info = bounce_info(load("bounce_dsn"))
    assert info == BounceInfo(
        recipient="gone@customer.example",
        status="5.1.1",
        diagnostic="550 5.1.1 <gone@customer.example>: Recipient address rejected: User unknown",
        original_message_id="<reply-42@litso.test>",
    )
    assert info.permanent


def test_rfc822_headers_part_gives_the_original_id() -> None:
    info = bounce_info(load("bounce_dsn_headers_only"))
    assert (info.recipient, info.status) == ("nobody@nowhere.example", "5.4.4")
    assert info.original_message_id == "<reply-43@litso.test>"


def test_non_standard_bounce_read_from_the_text() -> None:
    info = bounce_info(load("bounce_nonstandard"))
    assert info.recipient == "lost@customer.example"
    assert info.status == "5.1.1"
    assert info.diagnostic == "550 5.1.1 User unknown"
    assert info.original_message_id == "<reply-44@litso.test>"


def test_russian_bounce_from_postmaster() -> None:
    info = bounce_info(load("bounce_russian"))
    assert (info.recipient, info.status) == ("poteryan@example.ru", "5.2.2")


def test_complaint_points_at_our_mail() -> None:
    info = bounce_info(load("complaint_arf"))
    assert info.recipient == "complainer@isp.example"
    assert info.original_message_id == "<reply-45@litso.test>"
    assert info.diagnostic == "feedback-type: abuse"


def test_delayed_status_is_not_permanent() -> None:
    assert not BounceInfo("a@b.c", "4.4.1", None, None).permanent
    assert BounceInfo("a@b.c", None, None, None).permanent


def test_daemon_sender_without_an_address() -> None:
    mail = parse_message(b"From: MAILER-DAEMON (Mail Delivery System)\nSubject: Warning\n\nx\n")
    assert (mail.from_address, mail.from_name) == ("", "MAILER-DAEMON (Mail Delivery System)")
    assert classify(mail) is MailKind.BOUNCE


def test_postmaster_alone_is_a_person() -> None:
    mail = parse_message(b"From: postmaster@shop.test\nSubject: Question about DNS\n\nHi\n")
    assert classify(mail) is MailKind.NORMAL
