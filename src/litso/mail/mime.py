"""Walking the MIME tree: which parts are the body, which are attachments, which are
enclosed messages and delivery reports. Used by ``parsing``; no public API."""

from __future__ import annotations

import contextlib
import email
import email.policy
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message

from litso.mail import headers as h
from litso.mail.charsets import decode_bytes, html_meta_charset
from litso.mail.html_text import html_to_text, text_to_html
from litso.mail.message_util import (
    as_bytes,
    field_groups,
    first_header,
    guess_boundary,
    lf,
    payload_bytes,
    raw_headers,
    safe_filename,
)
from litso.mail.model import OversizedAttachment, ParsedAttachment, ParsedMail, UnparseableMail
from litso.mail.transfer import decode_transfer, find_uu_blocks

MAX_MIME_DEPTH = 16
MAX_ENCLOSED_DEPTH = 3
# parse(raw, enclosed_depth) for messages inside messages; injected to avoid an import cycle.
InnerParser = Callable[[bytes, int], ParsedMail]

_ENRICHED_TAG = re.compile(r"<[^>]{1,40}>")
_DEFECT_TEXT = {
    "StartBoundaryNotFoundDefect": "multipart boundary never appears",
    "CloseBoundaryNotFoundDefect": "multipart final boundary missing",
    "NoBoundaryInMultipartDefect": "multipart without boundary parameter",
    "MissingHeaderBodySeparatorDefect": "no blank line between headers and body",
    "FirstHeaderLineIsContinuationDefect": "first header line is a continuation",
    "MisplacedEnvelopeHeaderDefect": "envelope 'From ' line inside headers",
    "InvalidBase64PaddingDefect": "base64 padding invalid",
    "InvalidBase64CharactersDefect": "base64 has invalid characters",
}
_IGNORED_DEFECTS = {"MultipartInvariantViolationDefect"}


@dataclass(slots=True)
class _Piece:
    plain: str | None
    html: str | None


class Walker:
    def __init__(self, max_attachment_bytes: int, enclosed_depth: int, inner: InnerParser) -> None:
        self.max_bytes = max_attachment_bytes
        self.inner = inner
        self.enclosed_depth = enclosed_depth
        self.attachments: list[ParsedAttachment] = []
        self.oversized: list[OversizedAttachment] = []
        self.enclosed: list[ParsedMail] = []
        self.delivery_status: list[dict[str, str]] = []
        self.feedback_report: dict[str, str] = {}
        self.report_type = ""
        self.defects: list[str] = []
        self.warnings: list[str] = []
        self.forwarded = False
        self.hint: str | None = None
        self.generated = 0

    # --- structure ------------------------------------------------------------------
    def walk(self, part: Message, depth: int, in_report: bool = False) -> list[_Piece]:
        if depth > MAX_MIME_DEPTH:
            self.defects.append("MIME nesting too deep; inner parts dropped")
            return []
        for defect in getattr(part, "defects", []):
            name = type(defect).__name__
            if name not in _IGNORED_DEFECTS:
                self.defects.append(_DEFECT_TEXT.get(name, name))
        items = raw_headers(part)
        ctype, params = h.parse_params(first_header(items, "content-type"), self.hint)
        if "/" not in ctype:
            if ctype:
                self.defects.append(f"malformed content type {ctype!r}")
            ctype = "text/plain"
        if not part.is_multipart():
            return self._leaf(part, items, ctype, params, depth, in_report)
        payload = part.get_payload()
        children = (
            [c for c in payload if isinstance(c, Message)] if isinstance(payload, list) else []
        )
        try:
            seen_type = part.get_content_type()
        except Exception:
            seen_type = ctype
        if seen_type in ("message/delivery-status", "message/global-delivery-status"):
            for block in children:
                fields = {
                    k.lower(): h.normalise_space(h.decode_header_text(v))
                    for k, v in raw_headers(block)
                }
                if fields:
                    self.delivery_status.append(fields)
            return []
        if seen_type == "message/feedback-report":
            for block in children:
                for key, value in raw_headers(block):
                    self.feedback_report.setdefault(
                        key.lower(), h.normalise_space(h.decode_header_text(value))
                    )
            return []
        if seen_type in ("message/external-body", "message/partial"):
            self.warnings.append(f"{seen_type} part skipped: it points to content we cannot fetch")
            return []
        if seen_type == "message/disposition-notification":
            return []  # a read receipt's machine fields; report_type says what it was
        if seen_type.startswith("message/"):
            return self._enclosed_message(items, params, children, in_report)
        if seen_type == "multipart/alternative":
            return self._alternative(children, depth)
        if seen_type == "multipart/report":
            self.report_type = params.get("report-type", "").lower()
            in_report = True
        pieces: list[_Piece] = []
        for child in children:
            for piece in self.walk(child, depth + 1, in_report):
                last = pieces[-1] if pieces else None
                # Plain then HTML side by side in a mixed part is a broken alternative
                # (seen with reused boundaries); showing both would duplicate the text.
                if last and last.html is None and piece.plain is None and last.plain is not None:
                    last.html = piece.html
                else:
                    pieces.append(piece)
        return pieces

    def _alternative(self, children: list[Message], depth: int) -> list[_Piece]:
        # RFC 2046: the last alternative is the richest; take plain text and HTML from
        # the last child offering each, and keep every child's attachments.
        plain: list[_Piece] = []
        rich: list[_Piece] = []
        for child in children:
            pieces = self.walk(child, depth + 1)
            if any(p.plain is not None for p in pieces):
                plain = pieces
            if any(p.html is not None for p in pieces):
                rich = pieces
        if not plain and not rich:
            return []
        text = join_text(plain) if plain else None
        markup = join_html(rich) if rich else None
        if text is not None and not text.strip() and markup is not None:
            text = None  # a blank plain alternative next to real HTML: render the HTML
        return [_Piece(text, markup)]

    def _enclosed_message(
        self,
        items: list[tuple[str, str]],
        params: dict[str, str],
        children: list[Message],
        in_report: bool,
    ) -> list[_Piece]:
        if not children:
            return []
        raw = as_bytes(children[0])
        parsed: ParsedMail | None = None
        if self.enclosed_depth < MAX_ENCLOSED_DEPTH:
            try:
                parsed = self.inner(raw, self.enclosed_depth + 1)
            except UnparseableMail:
                parsed = None
        if parsed is not None:
            self.enclosed.append(parsed)
        _, dparams = h.parse_params(first_header(items, "content-disposition"), self.hint)
        name = dparams.get("filename") or params.get("name") or ""
        if not name:
            name = (
                safe_filename(parsed.subject)[:80] if parsed and parsed.subject else ""
            ) or "message"
            name += ".eml"
        self._attach(name, "message/rfc822", raw, None)
        if in_report or parsed is None:
            return []
        self.forwarded = True
        for attachment in parsed.attachments:
            self._attach(
                attachment.filename, attachment.content_type, attachment.data, attachment.content_id
            )
        self.oversized.extend(parsed.oversized_attachments)
        return [_forward_piece(parsed)]

    # --- leaves -----------------------------------------------------------------------
    def _leaf(
        self,
        part: Message,
        items: list[tuple[str, str]],
        ctype: str,
        params: dict[str, str],
        depth: int,
        in_report: bool,
    ) -> list[_Piece]:
        disposition, dparams = h.parse_params(first_header(items, "content-disposition"), self.hint)
        filename = dparams.get("filename") or params.get("name") or dparams.get("name") or ""
        data, note = decode_transfer(
            payload_bytes(part), first_header(items, "content-transfer-encoding") or ""
        )
        if note:
            self.defects.append(note)
        if ctype.startswith("multipart/"):
            return self._broken_multipart(data, ctype, params, depth, in_report)
        if ctype in ("message/delivery-status", "message/global-delivery-status"):
            self.delivery_status.extend(field_groups(self._text(data, params)))
            return []
        if ctype == "message/feedback-report":
            for group in field_groups(self._text(data, params)):
                for key, value in group.items():
                    self.feedback_report.setdefault(key, value)
            return []
        if ctype in ("text/rfc822-headers", "message/rfc822-headers", "message/global-headers"):
            with contextlib.suppress(UnparseableMail):
                headers_only = data.rstrip(b"\r\n") + b"\n\n"
                self.enclosed.append(self.inner(headers_only, MAX_ENCLOSED_DEPTH))
            return []
        body_types = ("text/plain", "text/html", "text/enriched", "text/richtext")
        if ctype in body_types and not filename and disposition != "attachment":
            label = params.get("charset") or (
                html_meta_charset(data) if ctype == "text/html" else None
            )
            text = self._text(data, params, label)
            if ctype == "text/html":
                return [_Piece(None, text)]
            if ctype != "text/plain":
                text = _ENRICHED_TAG.sub("", text)
            return [_Piece(self._extract_uu(text), None)]
        content_id = (first_header(items, "content-id") or "").strip().strip("<>").strip() or None
        if not first_header(items, "content-type") and filename:
            ctype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        self._attach(filename, ctype, data, content_id)
        return []

    def _text(self, data: bytes, params: dict[str, str], label: str | None = None) -> str:
        decoded = decode_bytes(data, label if label is not None else params.get("charset"))
        if decoded.note:
            self.warnings.append(decoded.note)
        if self.hint is None and decoded.charset not in ("ascii", "utf-8"):
            self.hint = decoded.charset
        if "\x00" in decoded.text:
            self.defects.append("NUL characters removed from text")
        return h.clean_text(lf(decoded.text))

    def _broken_multipart(
        self,
        data: bytes,
        ctype: str,
        params: dict[str, str],
        depth: int,
        in_report: bool,
    ) -> list[_Piece]:
        boundary = guess_boundary(data)
        if boundary is not None:
            self.warnings.append(f"{ctype}: boundary {boundary!r} recovered from the body")
            rebuilt = f'Content-Type: {ctype}; boundary="{boundary}"\n\n'.encode() + data
            try:
                message = email.message_from_bytes(rebuilt, policy=email.policy.default)
            except Exception:
                message = None
            if message is not None and message.is_multipart():
                return self.walk(message, depth + 1, in_report)
        self.warnings.append(f"{ctype} without a usable boundary; body treated as plain text")
        return [_Piece(self._extract_uu(self._text(data, params)), None)]

    def _extract_uu(self, text: str) -> str:
        if "begin " not in text:
            return text
        lines = text.split("\n")
        blocks = find_uu_blocks(lines)
        for block in reversed(blocks):
            self._attach(
                block.filename,
                mimetypes.guess_type(block.filename)[0] or "application/octet-stream",
                block.data,
                None,
            )
            del lines[block.start : block.end]
        if blocks:
            self.warnings.append(f"{len(blocks)} uuencoded file(s) taken out of the text")
        # Restore document order: blocks were attached last-first.
        if len(blocks) > 1:
            tail = self.attachments[-len(blocks) :]
            self.attachments[-len(blocks) :] = list(reversed(tail))
        return "\n".join(lines)

    def _attach(self, filename: str, ctype: str, data: bytes, content_id: str | None) -> None:
        name = safe_filename(filename)
        if not name:
            self.generated += 1
            extension = (
                ".eml"
                if ctype == "message/rfc822"
                else (mimetypes.guess_extension(ctype) or ".bin")
            )
            name = f"attachment-{self.generated}{extension}"
        if len(data) > self.max_bytes:
            self.oversized.append(OversizedAttachment(name, ctype, len(data)))
            self.warnings.append(
                f"attachment {name!r} ({len(data)} bytes) over the size limit, not kept"
            )
            return
        self.attachments.append(ParsedAttachment(name, ctype, data, content_id))


def join_text(pieces: list[_Piece]) -> str:
    out = ""
    for piece in pieces:
        text = piece.plain if piece.plain is not None else html_to_text(piece.html or "")
        if out and not out.endswith("\n"):
            out += "\n"
        out += text
    return out


def join_html(pieces: list[_Piece]) -> str:
    return "".join(p.html if p.html is not None else text_to_html(p.plain or "") for p in pieces)


def _forward_piece(parsed: ParsedMail) -> _Piece:
    sender = (
        f"{parsed.from_name} <{parsed.from_address}>".strip()
        if parsed.from_name
        else parsed.from_address
    )
    lines = ["---------- Forwarded message ----------", f"From: {sender}"]
    if parsed.date:
        lines.append(f"Date: {parsed.date.strftime('%a, %d %b %Y %H:%M %z')}")
    lines.append(f"Subject: {parsed.subject}")
    if parsed.to:
        lines.append("To: " + ", ".join(a for _, a in parsed.to))
    head = "\n".join(lines)
    markup = text_to_html(head) + (parsed.body_html or text_to_html(parsed.body_text))
    return _Piece(f"{head}\n\n{parsed.body_text}", markup)
