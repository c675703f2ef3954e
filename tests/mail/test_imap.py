"""IMAP polling against a real Dovecot: byte-exact intake, flag-after-store, failures, claims."""

from __future__ import annotations

import datetime
import hashlib
import imaplib
import io
import json
import socket
import types
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from litso.files.store import read_bytes
from litso.jobs.scheduler import jobs
from litso.mail import imap
from litso.mail.imap import PollResult, backoff_seconds, envelope_recipients, poll_mailbox
from litso.mail.intake import receive_raw
from litso.mail.models import InboundMail, InboundState, Mailbox
from litso.mail.scheduled import LEASE, claim_mailbox, poll_mailboxes
from tests.conftest import Desk
from tests.mail.dovecot import Dovecot, free_port

SEEN = "\\Seen"


def mail(n: int, extra: bytes = b"", body: bytes = b"Hello, where is my order?\r\n") -> bytes:
    return (
        b"From: Xena <xena@example.test>\r\n"
        b"To: support@shop.test\r\n"
        + extra
        + f"Subject: Order {n}\r\nMessage-ID: <order-{n}@example.test>\r\n".encode()
        + b"Date: Mon, 3 Mar 2025 10:00:00 +0000\r\n\r\n"
        + body
    )


KOI8 = (
    b"From: =?koi8-r?B?6dfBzg==?= <ivan@example.test>\r\n"
    b"To: support@shop.test\r\n"
    b"Subject: " + "Заказ не пришёл".encode("koi8-r") + b"\r\n"
    b"Message-ID: <koi8@example.test>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=koi8-r\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n\r\n"
    + "Здравствуйте! Где мой заказ?\r\n".encode("koi8-r")
)
BACKSLASHES = (
    b"From: Bob <bob@example.test>\r\n"
    b"To: support@shop.test\r\n"
    b"Subject: crash log at C:\\Users\\new.log\r\n"
    b"Message-ID: <log@example.test>\r\n"
    b"X-Folded: a header that goes on\r\n"
    b"\tand on, folded with a tab   \r\n\r\n"
    b"The log is in C:\\Users\\new.log and C:\\temp\\x00.txt\r\n"
    b"trailing spaces   \r\n"
    b"no newline at the end"
)


def sha(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def stored_bytes(raw: bytes) -> bytes:
    return read_bytes(InboundMail.objects.get(sha256=sha(raw)).blob)


@pytest.fixture
def mailbox(desk: Desk, dovecot: Dovecot) -> Mailbox:
    return Mailbox.objects.create(
        name="support",
        department=desk.dept_a,
        host=dovecot.host,
        port=dovecot.port,
        use_ssl=False,
        username=dovecot.user,
        password=dovecot.password,
        poll_every=60,
    )


def around(seconds: float) -> tuple[datetime.datetime, datetime.datetime]:
    now = timezone.now()
    return now + datetime.timedelta(seconds=seconds - 5), now + datetime.timedelta(seconds=seconds)


# --- the happy path -----------------------------------------------------------------------


def test_poll_stores_exact_bytes_then_flags_seen(mailbox: Mailbox, dovecot: Dovecot) -> None:
    sent = [mail(1), KOI8, BACKSLASHES]
    for raw in sent:
        dovecot.append(raw)

    result = poll_mailbox(mailbox)

    assert (result.fetched, result.stored, result.duplicates, result.error) == (3, 3, 0, "")
    for raw in sent:
        assert stored_bytes(raw) == raw
    inbound = InboundMail.objects.get(sha256=sha(KOI8))
    assert inbound.source == "imap"
    assert inbound.mailbox == mailbox
    assert inbound.state == InboundState.RECEIVED
    assert inbound.header_message_id == "<koi8@example.test>"
    assert inbound.envelope_recipients == ["support@shop.test"]
    assert dovecot.flags() == [(SEEN,)] * 3
    assert dovecot.raw_messages() == sent  # still on the server, only flagged

    mailbox.refresh_from_db()
    low, high = around(60)
    assert mailbox.failures == 0
    assert mailbox.last_error == ""
    assert mailbox.last_polled_at is not None
    assert mailbox.next_poll_at is not None
    assert low <= mailbox.next_poll_at <= high

    again = poll_mailbox(mailbox)
    assert (again.fetched, again.stored, again.duplicates) == (0, 0, 0)
    assert InboundMail.objects.count() == 3


def test_mail_already_seen_on_the_server_is_left_alone(mailbox: Mailbox, dovecot: Dovecot) -> None:
    dovecot.append(mail(1), flags=[SEEN])
    dovecot.append(mail(2))

    result = poll_mailbox(mailbox)

    assert result.stored == 1
    assert InboundMail.objects.get().sha256 == sha(mail(2))


def test_lf_mail_is_stored_as_the_server_holds_it(mailbox: Mailbox, dovecot: Dovecot) -> None:
    # IMAP literals are CRLF (imaplib converts on APPEND): what the server holds is the mail.
    dovecot.append(mail(1).replace(b"\r\n", b"\n"))

    poll_mailbox(mailbox)

    [held] = dovecot.raw_messages()
    assert held == mail(1)
    assert read_bytes(InboundMail.objects.get().blob) == held


def test_batch_limit_takes_oldest_first_and_calls_again_at_once(
    mailbox: Mailbox, dovecot: Dovecot
) -> None:
    for n in range(1, 4):
        dovecot.append(mail(n))

    first = poll_mailbox(mailbox, limit=2)

    assert (first.stored, first.more) == (2, True)
    assert set(InboundMail.objects.values_list("sha256", flat=True)) == {sha(mail(1)), sha(mail(2))}
    mailbox.refresh_from_db()
    assert mailbox.next_poll_at is not None
    assert mailbox.next_poll_at <= timezone.now()
    second = poll_mailbox(mailbox, limit=2)
    assert (second.stored, second.more) == (1, False)


@pytest.mark.parametrize("done", ["Processed", "Litso.Обработано"])
def test_done_folder_moves_mail_and_takes_read_mail_too(
    mailbox: Mailbox, dovecot: Dovecot, done: str
) -> None:
    mailbox.done_folder = done
    mailbox.save()
    dovecot.append(mail(1))
    dovecot.append(KOI8, flags=[SEEN])  # read in webmail first: still new to the desk

    result = poll_mailbox(mailbox)

    assert (result.stored, result.error) == (2, "")
    assert done in dovecot.folders()
    assert dovecot.raw_messages("INBOX") == []
    assert dovecot.raw_messages(done) == [mail(1), KOI8]
    assert stored_bytes(KOI8) == KOI8
    assert poll_mailbox(mailbox).fetched == 0


def test_envelope_recipients_from_the_delivering_server(mailbox: Mailbox, dovecot: Dovecot) -> None:
    dovecot.append(
        b"Delivered-To: support@shop.test\r\n"
        b"X-Original-To: Sales@Shop.test\r\n" + mail(1, extra=b"Delivered-To: forged@evil.test\r\n")
    )

    poll_mailbox(mailbox)

    assert InboundMail.objects.get().envelope_recipients == ["sales@shop.test", "support@shop.test"]


def test_envelope_recipients_fall_back_to_the_user_name_if_it_is_an_address() -> None:
    assert envelope_recipients(mail(1), "support@shop.test") == ["support@shop.test"]
    assert envelope_recipients(mail(1), "support") == []
    assert envelope_recipients(b"Delivered-To: <a@b.test>\r\n\r\nx", "support") == ["a@b.test"]


# --- failures -----------------------------------------------------------------------------


def test_wrong_password_is_recorded_with_backoff_and_nothing_taken(
    mailbox: Mailbox, dovecot: Dovecot
) -> None:
    dovecot.append(mail(1))
    mailbox.password = "wrong"
    mailbox.save()

    result = poll_mailbox(mailbox)

    assert not result.ok
    assert result.error.startswith("login failed for support@shop.test: ")
    assert "AUTHENTICATIONFAILED" in result.error
    mailbox.refresh_from_db()
    assert mailbox.failures == 1
    assert mailbox.last_error == result.error
    assert mailbox.last_polled_at is None
    low, high = around(120)
    assert mailbox.next_poll_at is not None
    assert low <= mailbox.next_poll_at <= high
    assert dovecot.flags() == [()]
    assert not InboundMail.objects.exists()

    mailbox.password = dovecot.password
    mailbox.save()
    assert poll_mailbox(mailbox).stored == 1
    mailbox.refresh_from_db()
    assert (mailbox.failures, mailbox.last_error) == (0, "")


def test_server_down_is_recorded_with_growing_capped_pauses(desk: Desk) -> None:
    box = Mailbox.objects.create(
        name="down", department=desk.dept_a, host="127.0.0.1", port=free_port(),
        use_ssl=False, username="support@shop.test", password="x", poll_every=600, failures=2,
    )

    result = poll_mailbox(box)

    assert result.error.startswith(f"could not connect to 127.0.0.1:{box.port}: ")
    assert "refused" in result.error.lower()
    box.refresh_from_db()
    assert box.failures == 3
    low, high = around(3600)  # 600 × 2³ would be 4800; capped at an hour
    assert box.next_poll_at is not None
    assert low <= box.next_poll_at <= high


def test_silent_server_times_out(desk: Desk) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()  # accepts the connection in the kernel, never says hello
        box = Mailbox.objects.create(
            name="silent", department=desk.dept_a, host="127.0.0.1",
            port=listener.getsockname()[1], use_ssl=False, username="u", password="p",
        )
        result = poll_mailbox(box, timeout=0.2)
    assert "timed out" in result.error
    assert box.failures == 1


def test_missing_folder_is_named(mailbox: Mailbox) -> None:
    mailbox.folder = "Nope"
    mailbox.save()

    result = poll_mailbox(mailbox)

    assert result.error.startswith("cannot open folder 'Nope' for support@shop.test: ")


def test_backoff_doubles_from_poll_every_up_to_an_hour() -> None:
    assert [backoff_seconds(60, n) for n in (1, 2, 3, 6, 100)] == [120, 240, 480, 3600, 3600]
    assert backoff_seconds(0, 1) == 2  # never a busy loop


# --- crashes and broken connections -------------------------------------------------------


def test_crash_between_store_and_flag_is_a_duplicate_next_time(
    mailbox: Mailbox, dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    dovecot.append(mail(1))
    real = imap._mark_done
    calls: list[int] = []

    def crash_once(*args: Any) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("power cut")
        real(*args)

    monkeypatch.setattr(imap, "_mark_done", crash_once)

    first = poll_mailbox(mailbox)

    assert first.stored == 1
    assert "power cut" in first.error
    assert dovecot.flags() == [()]  # the server still offers it

    second = poll_mailbox(mailbox)

    assert (second.fetched, second.stored, second.duplicates, second.error) == (1, 0, 1, "")
    assert InboundMail.objects.count() == 1
    assert dovecot.flags() == [(SEEN,)]


def test_connection_lost_mid_batch_keeps_what_was_stored(
    mailbox: Mailbox, dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(1, 4):
        dovecot.append(mail(n))
    real = imap._fetch_raw
    fetched: list[int] = []

    def drop_on_second(box: Any, uid: int) -> bytes | None:
        fetched.append(uid)
        if len(fetched) == 2:
            box.client.shutdown()  # really gone: logout afterwards must not hang or raise
            raise imaplib.IMAP4.abort("socket error: EOF")
        return real(box, uid)

    monkeypatch.setattr(imap, "_fetch_raw", drop_on_second)

    result = poll_mailbox(mailbox)

    assert result.stored == 1
    assert result.error == (
        f"connection to 127.0.0.1:{dovecot.port} failed after 1 of 3 messages: socket error: EOF"
    )
    assert dovecot.flags() == [(SEEN,), (), ()]
    monkeypatch.setattr(imap, "_fetch_raw", real)
    rest = poll_mailbox(mailbox)
    assert (rest.stored, rest.duplicates) == (2, 0)
    assert dovecot.flags() == [(SEEN,)] * 3


# --- the scheduler ------------------------------------------------------------------------


def test_periodic_job_polls_only_due_active_mailboxes(
    desk: Desk, mailbox: Mailbox, dovecot: Dovecot
) -> None:
    now = timezone.now()
    past = Mailbox.objects.create(
        name="past", department=desk.dept_b, host=dovecot.host, port=dovecot.port,
        use_ssl=False, username=dovecot.user, password=dovecot.password,
        next_poll_at=now - datetime.timedelta(seconds=1),
    )
    future = Mailbox.objects.create(
        name="future", department=desk.dept_b, host="127.0.0.1", port=free_port(),
        use_ssl=False, username="x", next_poll_at=now + datetime.timedelta(hours=1),
    )
    inactive = Mailbox.objects.create(
        name="inactive", department=desk.dept_b, host="127.0.0.1", port=free_port(),
        use_ssl=False, username="x", active=False,
    )
    dovecot.append(mail(1))
    dovecot.append(mail(2))

    assert jobs()["mail.poll_mailboxes"].run is poll_mailboxes
    assert poll_mailboxes() == 2

    for box in (mailbox, past):
        box.refresh_from_db()
        assert box.last_polled_at is not None
        assert box.failures == 0
    for box in (future, inactive):
        before = box.next_poll_at
        box.refresh_from_db()
        assert (box.last_polled_at, box.failures, box.next_poll_at) == (None, 0, before)
    assert poll_mailboxes() == 0  # nothing due any more


def test_a_mailbox_with_more_waiting_is_polled_once_per_run(
    mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    polled: list[str] = []

    def more_waiting(box: Mailbox) -> PollResult:
        polled.append(box.name)
        Mailbox.objects.filter(pk=box.pk).update(next_poll_at=timezone.now())
        return PollResult(box.name, fetched=200, stored=200, more=True)

    monkeypatch.setattr("litso.mail.scheduled.poll_mailbox", more_waiting)

    assert poll_mailboxes() == 200
    assert poll_mailboxes() == 200
    assert polled == ["support", "support"]


def test_a_claimed_mailbox_is_leased_to_one_scheduler(mailbox: Mailbox) -> None:
    assert claim_mailbox() == mailbox
    assert claim_mailbox() is None
    mailbox.refresh_from_db()
    low, high = around(LEASE.total_seconds())
    assert mailbox.next_poll_at is not None
    assert low <= mailbox.next_poll_at <= high


# --- the command --------------------------------------------------------------------------


def test_command_polls_and_prints_json(mailbox: Mailbox, dovecot: Dovecot) -> None:
    dovecot.append(mail(1))
    out = io.StringIO()

    call_command("mail", "poll", "--json", stdout=out)

    summary = json.loads(out.getvalue())
    assert summary["stored"] == 1
    assert summary["failed"] == 0
    assert summary["mailboxes"][0]["name"] == "support"


def test_command_reports_failures_and_exits_1(mailbox: Mailbox) -> None:
    mailbox.password = "wrong"
    mailbox.save()
    out = io.StringIO()

    with pytest.raises(CommandError) as failed:
        call_command("mail", "poll", "--mailbox", "support", stdout=out)

    assert failed.value.returncode == 1
    assert out.getvalue().startswith("support: FAILED: login failed for support@shop.test")
    assert "next try in" in out.getvalue()
    with pytest.raises(CommandError, match="no mailbox named 'nope'"):
        call_command("mail", "poll", "--mailbox", "nope", stdout=out)


# --- the admin ----------------------------------------------------------------------------


@pytest.fixture
def fake_process_inbound(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    queued: list[int] = []
    fake = types.SimpleNamespace(enqueue=queued.append)
    monkeypatch.setattr("litso.mail.tasks.process_inbound", fake)
    return queued


@pytest.fixture
def admin_client(desk: Desk, client: Client) -> Client:
    desk.admin.is_staff = desk.admin.is_superuser = True
    desk.admin.save()
    client.force_login(desk.admin)
    return client


def changelist_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_mailbox_admin_lists_status_never_the_password(
    admin_client: Client, mailbox: Mailbox
) -> None:
    mailbox.last_error = "login failed for support@shop.test: [AUTHENTICATIONFAILED]"
    mailbox.save()
    url = reverse("admin:mail_mailbox_changelist")
    one = changelist_queries(admin_client, url)
    for n in range(3):
        Mailbox.objects.create(name=f"m{n}", department=mailbox.department, host="h", username="u",
                               password=mailbox.password)
    assert changelist_queries(admin_client, url) == one

    page = admin_client.get(url).content.decode()
    assert "AUTHENTICATIONFAILED" in page
    assert mailbox.password not in page
    change = admin_client.get(reverse("admin:mail_mailbox_change", args=[mailbox.pk]))
    assert mailbox.password not in change.content.decode()


def test_mailbox_form_keeps_the_password_when_left_empty(mailbox: Mailbox) -> None:
    from litso.mail.admin import MailboxForm

    data = {
        "name": "support", "department": mailbox.department_id, "active": "on", "host": "h",
        "port": 143, "username": "u", "password": "", "folder": "INBOX", "done_folder": "",
        "poll_every": 60,
    }
    form = MailboxForm(data, instance=mailbox)
    assert form.is_valid(), form.errors
    assert form.save().password == "s3cret-imap"


def test_inbound_admin_lists_and_processes_again(
    admin_client: Client, desk: Desk, fake_process_inbound: list[int]
) -> None:
    url = reverse("admin:mail_inboundmail_changelist")
    first = receive_raw(mail(1), process=False).inbound
    one = changelist_queries(admin_client, url)
    held = [receive_raw(mail(n), process=False).inbound for n in (2, 3, 4)]
    assert changelist_queries(admin_client, url) == one
    InboundMail.objects.filter(pk__in=[m.pk for m in held]).update(
        state=InboundState.QUARANTINED, reason="too many links", sender="xena@example.test"
    )
    assert admin_client.get(url, {"state__exact": "quarantined"}).content.decode().count(
        "too many links"
    ) == 3
    assert admin_client.get(url, {"q": "xena@example.test"}).status_code == 200
    detail = admin_client.get(reverse("admin:mail_inboundmail_change", args=[first.pk]))
    assert "Message-ID: &lt;order-1@example.test&gt;" in detail.content.decode()

    response = admin_client.post(
        url, {"action": "process_again", "_selected_action": [m.pk for m in held]}
    )

    assert response.status_code == 302
    assert sorted(fake_process_inbound) == sorted(m.pk for m in held)
    assert set(InboundMail.objects.filter(pk__in=fake_process_inbound).values_list(
        "state", flat=True)) == {InboundState.RECEIVED}
