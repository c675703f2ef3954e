"""The first thing that happens to any mail, whichever way it came: its bytes are stored.

``receive_raw`` writes the raw RFC 822 bytes (content-addressed) and an InboundMail row in one
transaction, together with the task that will parse and thread it. Only after it returns may
an IMAP server be told the mail is taken or an SMTP client be answered 250. Parsing failures
later can then never lose a mail: the bytes are already here.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from litso.files.store import store_bytes
from litso.mail.models import InboundMail, InboundSource, Mailbox

_MESSAGE_ID = re.compile(rb"^message-id:[ \t]*(.*(?:\r?\n[ \t].*)*)", re.IGNORECASE | re.MULTILINE)
_HEADER_END = re.compile(rb"\r?\n\r?\n")


@dataclass(frozen=True)
class Received:
    inbound: InboundMail
    duplicate: bool


def sniff_message_id(raw: bytes) -> str:
    """The Message-ID from the raw header block, without a full parse (that comes later)."""
    end = _HEADER_END.search(raw)
    head = raw[: end.start()] if end else raw[:65536]
    found = _MESSAGE_ID.search(head)
    if not found:
        return ""
    value = b" ".join(found.group(1).split()).decode("ascii", "replace").strip()
    return value[:500]


def receive_raw(
    raw: bytes,
    *,
    source: str = InboundSource.FILE,
    mailbox: Mailbox | None = None,
    envelope_recipients: Sequence[str] = (),
    process: bool = True,
) -> Received:
    """Store a mail durably; the same bytes twice are one mail (returned with duplicate=True).

    ``process=False`` leaves the enqueueing to the caller (bulk ingest processes in-line).
    """
    from litso.mail.tasks import process_inbound

    sha = hashlib.sha256(raw).hexdigest()
    existing = InboundMail.objects.filter(sha256=sha).first()
    if existing is not None:
        return Received(existing, duplicate=True)
    try:
        with transaction.atomic():
            blob = store_bytes(raw)
            inbound = InboundMail.objects.create(
                blob=blob,
                sha256=sha,
                header_message_id=sniff_message_id(raw),
                source=source,
                mailbox=mailbox,
                envelope_recipients=[r.lower() for r in envelope_recipients],
            )
            if process:
                process_inbound.enqueue(inbound.pk)
    except IntegrityError:
        # The same mail arrived twice at the same moment (two pollers, a retried delivery).
        return Received(InboundMail.objects.get(sha256=sha), duplicate=True)
    return Received(inbound, duplicate=False)
