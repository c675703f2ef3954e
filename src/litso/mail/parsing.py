"""``parse_message(raw) -> ParsedMail``: everything the desk needs from one email.

It never raises on hostile input except ``UnparseableMail`` when there is nothing to
show an agent (empty input, binary data without a header); the caller quarantines those
bytes with the reason. Whatever was repaired on the way is listed in ``defects`` (what was
broken) and ``warnings`` (what we guessed or dropped).

Choices where RFCs are silent:

- A forwarded message (``message/rfc822`` part) is kept three ways: as an ``.eml``
  attachment (the lossless original), parsed in ``enclosed``, and appended to the body
  under a ``---------- Forwarded message ----------`` header so it shows in the ticket;
  ``split_reply`` then folds it as quoted text under what the customer wrote. Its own
  attachments are lifted to the outer list so the agent sees them without opening the
  ``.eml``. Parts of a ``multipart/report`` (bounces, complaints) are enclosed and
  attached but not appended.
- Any part with a file name is an attachment, whatever its type: ``.txt``/``.log``/``.csv``
  files are never merged into the body.
- ``inline`` is true only for a part whose Content-ID the HTML body references; an image
  the HTML does not show is an ordinary attachment so it cannot vanish.
- Message ids are kept in their ``<id@host>`` form.
- Bodies are kept exactly (no unflowing of format=flowed, no escape processing); only
  CRLF and lone CR become LF, and NUL bytes are dropped (PostgreSQL refuses them).
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import replace
from email.message import Message
from urllib.parse import unquote

from litso.mail import feedparse
from litso.mail import headers as h
from litso.mail.charsets import decode_bytes
from litso.mail.html_text import sanitise_html
from litso.mail.message_util import (
    field_groups,
    lf,
    looks_binary,
    raw_headers,
)
from litso.mail.mime import Walker, join_html, join_text
from litso.mail.model import (
    Addresses,
    OversizedAttachment,
    ParsedAttachment,
    ParsedMail,
    UnparseableMail,
)

DEFAULT_MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024

KEPT_HEADERS = (
    "auto-submitted",
    "precedence",
    "x-autoreply",
    "x-autorespond",
    "x-autoresponder",
    "x-auto-response-suppress",
    "list-id",
    "list-unsubscribe",
    "mailing-list",
    "x-google-group-id",
    "return-path",
    "content-language",
    "x-failed-recipients",
    "sender",
    "x-mailer",
    "user-agent",
    "x-loop",
    "feedback-id",
)

_FORWARD_SUBJECT = re.compile(r"^\s*(fwd?|fw|пересл|перес|pd|tr|wg|rv|enc)\s*:", re.I)
_FORWARD_LINE = re.compile(
    r"^\s*(-{2,}\s*(forwarded message|пересылаемое сообщение|"
    r"пересланное сообщение|przekazana wiadomość|wiadomość przekazana)\s*-{2,}|"
    r"begin forwarded message:|начало переадресованного сообщения:|"
    r"początek przekazanej wiadomości:)",
    re.I | re.M,
)
_CID_URL = re.compile(r"""cid:([^"'\s)>]+)""", re.I)


__all__ = [
    "DEFAULT_MAX_ATTACHMENT_BYTES",
    "KEPT_HEADERS",
    "OversizedAttachment",
    "ParsedAttachment",
    "ParsedMail",
    "UnparseableMail",
    "parse_message",
]


def _message_from_bytes(raw: bytes, defects: list[str]) -> Message:
    # compat32, not policy.default: the default policy parses every header it touches through
    # the header registry, which was 60% of parsing time (6.2 → 2.8 ms a mail on the peer
    # benchmark's corpus). Nothing below uses the header objects: headers.py decodes them
    # itself, and on 577 files (our corpus, shared/data/email, 300 benchmark mails) both
    # policies gave identical results. The parser is the standard library's, less a regex
    # compiled per multipart (feedparse.py).
    return feedparse.message_from_bytes(raw, email.policy.compat32)


def _parse(raw: bytes, max_attachment_bytes: int, enclosed_depth: int) -> ParsedMail:
    if not raw or not raw.strip():
        raise UnparseableMail("empty message")
    defects: list[str] = []
    warnings: list[str] = []
    stripped = raw.lstrip(b"\r\n").removeprefix(b"\xef\xbb\xbf")
    if len(stripped) != len(raw):
        defects.append("leading blank lines or byte-order mark removed")
    message = _message_from_bytes(stripped, defects)
    items = raw_headers(message)
    # By lower-case name, in order: some thirty lookups below, each a scan of the list before.
    index: dict[str, list[str]] = {}
    for key, text in items:
        index.setdefault(key.lower(), []).append(text)

    def first(name: str) -> str | None:
        found = index.get(name)
        return found[0] if found else None

    if not items:
        if looks_binary(stripped):
            raise UnparseableMail("no headers and binary content")
        warnings.append("no headers; the whole input is the body")
    walker = Walker(
        max_attachment_bytes,
        enclosed_depth,
        lambda inner, depth: _parse(inner, max_attachment_bytes, depth),
    )
    pieces = walker.walk(message, 0)
    hint = walker.hint

    def addresses(name: str) -> Addresses:
        return h.parse_addresses(index.get(name, []), hint)

    senders = addresses("from") or addresses("sender")
    from_name, from_address = senders[0] if senders else ("", "")
    if not from_address:
        warnings.append("no sender address")
        # "From: MAILER-DAEMON (Mail Delivery System)" has no address but says who wrote.
        from_name = h.normalise_space(h.decode_header_text(first("from") or "", hint))
    date_header = first("date")
    date = h.parse_date(date_header)
    if date_header and date is None:
        warnings.append(f"unreadable date {h.normalise_space(date_header)[:60]!r}")
    subject = h.normalise_space(h.decode_header_text(first("subject") or "", hint))

    body_text = join_text(pieces)
    body_html = ""
    if any(p.html is not None for p in pieces):
        body_html = sanitise_html(join_html(pieces))
    referenced = {unquote(cid).lower() for cid in _CID_URL.findall(body_html)}
    attachments = tuple(
        replace(a, inline=True) if a.content_id and a.content_id.lower() in referenced else a
        for a in walker.attachments
    )
    kept = {}
    for name in KEPT_HEADERS:
        value = first(name)
        if value is not None:
            kept[name] = h.normalise_space(h.decode_header_text(value, hint))
    try:
        top_type = message.get_content_type()
    except Exception:
        top_type = "text/plain"
    is_forward = (
        walker.forwarded
        or bool(_FORWARD_SUBJECT.match(subject))
        or bool(_FORWARD_LINE.search(body_text))
    )
    return ParsedMail(
        message_id=h.parse_msgid(first("message-id")),
        in_reply_to=h.parse_msgid(first("in-reply-to")),
        references=h.parse_msgid_list(" ".join(index.get("references", []))),
        subject=subject,
        from_address=from_address,
        from_name=from_name,
        to=addresses("to"),
        cc=addresses("cc"),
        reply_to=addresses("reply-to"),
        delivered_to=addresses("delivered-to"),
        date=date,
        body_text=body_text,
        body_html=body_html,
        attachments=attachments,
        oversized_attachments=tuple(walker.oversized),
        headers=kept,
        content_type=top_type,
        report_type=walker.report_type,
        delivery_status=tuple(walker.delivery_status),
        feedback_report=walker.feedback_report,
        enclosed=tuple(walker.enclosed),
        is_forward=is_forward,
        defects=tuple(dict.fromkeys(defects + walker.defects)),
        warnings=tuple(dict.fromkeys(warnings + walker.warnings)),
    )


def _minimal(raw: bytes, reason: str) -> ParsedMail:
    """Last resort when the structured parse crashed: headers by regex, body as text."""
    text = lf(decode_bytes(raw, None).text)
    head, _, body = text.partition("\n\n")
    fields = {g_key: g_val for g in field_groups(head) for g_key, g_val in g.items()}
    if not fields and not body.strip() and not head.strip():
        raise UnparseableMail(reason)
    senders = h.parse_addresses([fields.get("from", "")])
    return ParsedMail(
        message_id=h.parse_msgid(fields.get("message-id")),
        in_reply_to=h.parse_msgid(fields.get("in-reply-to")),
        references=h.parse_msgid_list(fields.get("references")),
        subject=h.normalise_space(h.decode_header_text(fields.get("subject", ""))),
        from_name=senders[0][0] if senders else "",
        from_address=senders[0][1] if senders else "",
        date=h.parse_date(fields.get("date")),
        body_text=h.clean_text(body if fields else text),
        defects=(reason,),
        warnings=("structured parse failed; headers and body read as plain text",),
    )


def parse_message(
    raw: bytes, *, max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES
) -> ParsedMail:
    """Parse one message; raises only ``UnparseableMail``."""
    try:
        return _parse(bytes(raw), max_attachment_bytes, 0)
    except UnparseableMail:
        raise
    except RecursionError:
        reason = "structure too deeply nested"
    except Exception as exc:
        reason = f"parser error: {type(exc).__name__}: {exc}"[:200]
    try:
        return _minimal(bytes(raw), reason)
    except UnparseableMail:
        raise
    except Exception as exc:
        raise UnparseableMail(f"{reason}; fallback failed: {type(exc).__name__}") from exc
