"""The values ``parse_message`` returns. Plain frozen dataclasses, tuples not lists, so a
parsed mail can be shared between threads and cached without defensive copies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

Addresses = tuple[tuple[str, str], ...]  # (display name, address)


class UnparseableMail(Exception):
    """Nothing in these bytes can be shown to an agent; quarantine them with ``reason``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ParsedAttachment:
    filename: str
    content_type: str
    data: bytes
    content_id: str | None = None  # without angle brackets
    inline: bool = False

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True, slots=True)
class OversizedAttachment:
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class ParsedMail:
    message_id: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    subject: str = ""
    from_address: str = ""
    from_name: str = ""
    to: Addresses = ()
    cc: Addresses = ()
    reply_to: Addresses = ()
    delivered_to: Addresses = ()
    date: datetime | None = None
    body_text: str = ""
    body_html: str = ""  # sanitised; empty when the mail had no HTML
    attachments: tuple[ParsedAttachment, ...] = ()
    oversized_attachments: tuple[OversizedAttachment, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)  # KEPT_HEADERS, decoded
    content_type: str = "text/plain"
    report_type: str = ""  # multipart/report's report-type, lower case
    delivery_status: tuple[dict[str, str], ...] = ()  # DSN field groups, keys lower case
    feedback_report: dict[str, str] = field(default_factory=dict)  # ARF fields
    enclosed: tuple[ParsedMail, ...] = ()  # message/rfc822 and text/rfc822-headers parts
    is_forward: bool = False
    defects: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
