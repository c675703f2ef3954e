"""Polling IMAP mailboxes: a mail leaves the server's "new" set only after its bytes are stored.

For each message not yet taken (unseen, or anything still in the folder when processed mail
is moved away) the poller fetches the exact bytes with ``BODY.PEEK[]``, hands them to
``receive_raw`` and only then flags the message ``\\Seen`` or moves it to the done folder.
A crash between the two leaves the message "new" on the server; the next poll fetches it
again and ``receive_raw`` recognises the same bytes (sha256), so nothing is stored twice and
the flag is set that time.

Connection, login and folder problems are written on the mailbox in a plain sentence for
admins, and the next attempt waits longer each time (capped at an hour).
"""

from __future__ import annotations

import contextlib
import datetime
import email.parser
import email.policy
import imaplib
import logging
import re
import ssl
from dataclasses import dataclass
from email.utils import getaddresses

from django.utils import timezone
from imap_tools import BaseMailBox, MailBox, MailBoxUnencrypted
from imap_tools.errors import ImapToolsError, UnexpectedCommandStatusError
from imap_tools.utils import encode_folder

from litso.mail.intake import receive_raw
from litso.mail.models import InboundSource, Mailbox

logger = logging.getLogger(__name__)

BATCH = 200  # messages per poll; when more wait, the next poll follows at once
TIMEOUT = 30.0  # seconds, for connecting and for every read and write on the socket
MAX_PAUSE = 3600  # the longest wait after repeated failures, in seconds

# What a broken or refusing server raises: imaplib's error/abort, imap-tools' status
# errors, and socket problems (timeouts, resets, TLS failures are all OSError).
NETWORK_ERRORS = (imaplib.IMAP4.error, ImapToolsError, OSError, EOFError)

_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_FETCH_UID = re.compile(rb"\bUID\s+(\d+)", re.IGNORECASE)


@dataclass
class PollResult:
    mailbox: str
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    # More messages were waiting than one poll takes; the next poll is due at once.
    more: bool = False
    error: str = ""
    next_poll_at: datetime.datetime | None = None

    @property
    def ok(self) -> bool:
        return not self.error


class PollError(Exception):
    """A failure already put into words for admins."""


def poll_mailbox(mailbox: Mailbox, *, limit: int = BATCH, timeout: float = TIMEOUT) -> PollResult:
    """Take up to ``limit`` new messages from one mailbox; record success or failure on it."""
    result = PollResult(mailbox.name)
    try:
        _poll(mailbox, result, limit, timeout)
    except PollError as exc:
        result.error = str(exc)
    except Exception as exc:
        # Not a network problem (a bug, a database hiccup): still the admin's business,
        # and the mailbox waits like after any failure instead of failing every 5 seconds.
        logger.exception("mailbox %s: unexpected error while polling", mailbox.name)
        result.error = f"unexpected error while polling: {type(exc).__name__}: {exc}"
    _record(mailbox, result)
    return result


def _poll(mailbox: Mailbox, result: PollResult, limit: int, timeout: float) -> None:
    box = _connect(mailbox, timeout)
    clean = False
    try:
        _login(box, mailbox)
        _select(box, mailbox)
        capabilities = _capabilities(box, mailbox)
        if mailbox.done_folder:
            _ensure_folder(box, mailbox)
        uids = _pending_uids(box, mailbox)
        result.more = len(uids) > limit
        batch = uids[:limit]
        for uid in batch:
            try:
                raw = _fetch_raw(box, uid)
            except NETWORK_ERRORS as exc:
                raise PollError(_lost(mailbox, result, len(batch), exc)) from exc
            if raw is None:
                continue  # expunged by someone else since the search
            result.fetched += 1
            received = receive_raw(
                raw,
                source=InboundSource.IMAP,
                mailbox=mailbox,
                envelope_recipients=envelope_recipients(raw, mailbox.username),
            )
            if received.duplicate:
                result.duplicates += 1
            else:
                result.stored += 1
            # Only now, with the bytes durably stored, is the server told the mail is taken.
            try:
                _mark_done(box, mailbox, uid, capabilities)
            except NETWORK_ERRORS as exc:
                raise PollError(_lost(mailbox, result, len(batch), exc)) from exc
        clean = True
    finally:
        _close(box, clean)


def _connect(mailbox: Mailbox, timeout: float) -> BaseMailBox:
    try:
        if mailbox.use_ssl:
            # imaplib's own default context (Python 3.11) does not verify certificates.
            context = ssl.create_default_context()
            return MailBox(mailbox.host, mailbox.port, timeout=timeout, ssl_context=context)
        return MailBoxUnencrypted(mailbox.host, mailbox.port, timeout=timeout)
    except NETWORK_ERRORS as exc:
        raise PollError(
            f"could not connect to {mailbox.host}:{mailbox.port}: {_reason(exc)}"
        ) from exc


def _login(box: BaseMailBox, mailbox: Mailbox) -> None:
    try:
        if (mailbox.username + mailbox.password).isascii():
            box.login(mailbox.username, mailbox.password, initial_folder=None)
        else:
            # LOGIN is ASCII only; SASL PLAIN carries UTF-8.
            box.login_utf8(mailbox.username, mailbox.password, initial_folder=None)
    except NETWORK_ERRORS as exc:
        raise PollError(f"login failed for {mailbox.username}: {_reason(exc)}") from exc


def _select(box: BaseMailBox, mailbox: Mailbox) -> None:
    try:
        box.folder.set(mailbox.folder)
    except NETWORK_ERRORS as exc:
        raise PollError(
            f"cannot open folder {mailbox.folder!r} for {mailbox.username}: {_reason(exc)}"
        ) from exc


def _capabilities(box: BaseMailBox, mailbox: Mailbox) -> frozenset[str]:
    # imaplib keeps the capabilities announced before login; servers announce more after
    # it (dovecot adds MOVE and UIDPLUS only then), so ask again.
    try:
        typ, data = box.client.capability()
    except NETWORK_ERRORS as exc:
        raise PollError(
            f"connection to {mailbox.host}:{mailbox.port} lost after login: {_reason(exc)}"
        ) from exc
    words = b" ".join(item for item in data if isinstance(item, bytes)).decode("ascii", "replace")
    return frozenset(words.upper().split()) if typ == "OK" else frozenset()


def _ensure_folder(box: BaseMailBox, mailbox: Mailbox) -> None:
    try:
        typ, data = box.client.list('""', _folder_arg(mailbox.done_folder))
        if typ == "OK" and any(item for item in data if item):
            return
        box.folder.create(mailbox.done_folder)
    except NETWORK_ERRORS as exc:
        raise PollError(
            f"cannot create folder {mailbox.done_folder!r} for {mailbox.username}: "
            f"{_reason(exc)}"
        ) from exc


def _pending_uids(box: BaseMailBox, mailbox: Mailbox) -> list[int]:
    # With a done folder everything still here is new (taken mail is moved out), even mail a
    # person has read in webmail; otherwise \Seen is the mark of taken mail.
    criteria = "UNDELETED" if mailbox.done_folder else "UNSEEN UNDELETED"
    try:
        found = box.uids(criteria, charset=None)
    except NETWORK_ERRORS as exc:
        raise PollError(
            f"cannot search folder {mailbox.folder!r} for {mailbox.username}: {_reason(exc)}"
        ) from exc
    # Oldest first, so a batch limit never starves early mail.
    return sorted(int(uid) for uid in found)


def _fetch_raw(box: BaseMailBox, uid: int) -> bytes | None:
    """The message exactly as the server holds it; None when it is gone.

    ``BODY.PEEK[]`` is the whole RFC 822 message as a literal, byte for byte, and PEEK
    leaves \\Seen alone. imap-tools' ``MailMessage`` keeps only a parsed ``email`` object
    whose ``as_bytes()`` re-serialises (folds headers, changes line ends), so the literal is
    taken straight from imaplib's response here.
    """
    typ, data = box.client.uid("FETCH", str(uid), "(UID BODY.PEEK[])")
    if typ != "OK":
        raise imaplib.IMAP4.error(f"FETCH of UID {uid} answered {typ}: {data!r}")
    for item in data:
        if not isinstance(item, tuple) or len(item) != 2:
            continue
        prefix, literal = item
        if b"BODY[]" not in prefix.upper():
            continue
        # Unsolicited FETCH responses about other messages may arrive in between.
        found = _FETCH_UID.search(prefix)
        if found and int(found.group(1)) != uid:
            continue
        return bytes(literal)
    return None


def _mark_done(box: BaseMailBox, mailbox: Mailbox, uid: int, capabilities: frozenset[str]) -> None:
    client = box.client
    if not mailbox.done_folder:
        # Straight STORE: imap-tools' flag() sends EXPUNGE after it, which would also remove
        # mail someone else marked \Deleted without expunging.
        _check(client.uid("STORE", str(uid), "+FLAGS.SILENT", r"(\Seen)"), "STORE")
        return
    target = _folder_arg(mailbox.done_folder)
    if "MOVE" in capabilities:
        _check(client.uid("MOVE", str(uid), target), "MOVE")
        return
    _check(client.uid("COPY", str(uid), target), "COPY")
    _check(client.uid("STORE", str(uid), "+FLAGS.SILENT", r"(\Seen \Deleted)"), "STORE")
    if "UIDPLUS" in capabilities:
        _check(client.uid("EXPUNGE", str(uid)), "UID EXPUNGE")
    # Without UIDPLUS the copy stays behind flagged \Deleted (searches skip it) rather than
    # a plain EXPUNGE removing other \Deleted mail in the folder too.


def _folder_arg(name: str) -> str:
    # Quoted modified UTF-7, plain ASCII, which is what imaplib sends for a str.
    return encode_folder(name).decode("ascii")


def _check(response: tuple[str, list[object]], command: str) -> None:
    typ, data = response
    if typ != "OK":
        raise imaplib.IMAP4.error(f"{command} answered {typ}: {_text(data)}")


def _close(box: BaseMailBox, clean: bool) -> None:
    # After a failure the connection may be mid-response or timed out: a LOGOUT would wait
    # another timeout for nothing, so the socket is just closed.
    with contextlib.suppress(*NETWORK_ERRORS):
        if clean:
            box.client.logout()
        else:
            box.client.shutdown()


def _lost(mailbox: Mailbox, result: PollResult, batch: int, exc: BaseException) -> str:
    # What is stored stays stored; the rest (and an unflagged last one) comes next poll.
    return (
        f"connection to {mailbox.host}:{mailbox.port} failed after {result.fetched} of "
        f"{batch} messages: {_reason(exc)}"
    )


def _reason(exc: BaseException) -> str:
    """The server's own words where there are any, else the exception's."""
    if isinstance(exc, UnexpectedCommandStatusError):
        return _text(exc.command_result[1]) or str(exc)
    if isinstance(exc, TimeoutError | ssl.SSLError):
        return str(exc) or type(exc).__name__
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = str(exc)
    if text.startswith(("b'", 'b"')):
        text = text[2:-1]  # imaplib puts the server's bytes into the message as repr
    return text or type(exc).__name__


def _text(data: object) -> str:
    items = data if isinstance(data, list | tuple) else [data]
    parts = []
    for item in items:
        if isinstance(item, bytes):
            parts.append(item.decode("utf-8", "replace"))
        elif isinstance(item, str):
            parts.append(item)
    return " ".join(part.strip() for part in parts if part.strip())


def envelope_recipients(raw: bytes, username: str = "") -> list[str]:
    """Who the mail was delivered to, as far as the mailbox can tell.

    IMAP has no envelope; the delivering server's Delivered-To and X-Original-To (the address
    before alias expansion) are the best hint. Each hop adds its header on top, so only the
    topmost of each counts: older ones, or ones a sender wrote, sit below. Without either,
    the mailbox's user name is the address, if it is one.
    """
    end = _HEADER_END.search(raw)
    head = raw[: end.start()] if end else raw[:65536]
    headers = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(head)
    found: list[str] = []
    for name in ("X-Original-To", "Delivered-To"):
        values = headers.get_all(name) or []
        if not values:
            continue
        for _display, address in getaddresses([str(values[0])]):
            address = address.strip().lower()
            if _ADDRESS.match(address) and address not in found:
                found.append(address)
    if not found and _ADDRESS.match(username.strip()):
        found.append(username.strip().lower())
    return found


def _record(mailbox: Mailbox, result: PollResult) -> None:
    now = timezone.now()
    fields: dict[str, object]
    if result.ok:
        pause = 0 if result.more else mailbox.poll_every
        fields = {
            "failures": 0,
            "last_error": "",
            "last_polled_at": now,
            "next_poll_at": now + datetime.timedelta(seconds=pause),
        }
        if result.fetched:
            logger.info(
                "mailbox %s: %d fetched, %d stored, %d duplicates",
                mailbox.name,
                result.fetched,
                result.stored,
                result.duplicates,
            )
    else:
        failures = mailbox.failures + 1
        pause = backoff_seconds(mailbox.poll_every, failures)
        fields = {
            "failures": failures,
            "last_error": result.error,
            "next_poll_at": now + datetime.timedelta(seconds=pause),
        }
        logger.warning(
            "mailbox %s: %s (failure %d, next try in %d s)",
            mailbox.name,
            result.error,
            failures,
            pause,
        )
    # Only these columns: an admin may have edited the mailbox while it was being polled.
    Mailbox.objects.filter(pk=mailbox.pk).update(**fields)
    for name, value in fields.items():
        setattr(mailbox, name, value)
    result.next_poll_at = mailbox.next_poll_at


def backoff_seconds(poll_every: int, failures: int) -> int:
    """poll_every × 2^failures, never more than an hour (and never a busy loop)."""
    return int(min(max(poll_every, 1) * 2 ** min(failures, 20), MAX_PAUSE))
