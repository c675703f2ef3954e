"""The first thing that happens to any mail, whichever way it came: its bytes are stored.

``receive_raw`` writes the raw RFC 822 bytes (content-addressed) and an InboundMail row in one
transaction, together with the task that will parse and thread it. Only after it returns may
an IMAP server be told the mail is taken or an SMTP client be answered 250. Parsing failures
later can then never lose a mail: the bytes are already here. ``receive_many`` does the same
for a batch of mails in one transaction (bulk ingest): a few statements for the whole batch
instead of several for each mail.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from litso.core import rows
from litso.files.store import blob_batch, store_bytes
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


def receive_many(
    raws: Sequence[bytes],
    *,
    source: str = InboundSource.FILE,
    mailbox: Mailbox | None = None,
    process: bool = True,
) -> list[Received]:
    """``receive_raw`` for a batch, in one transaction: one Received per item, in order.

    The same bytes twice in the batch, or already stored, come back as duplicates of the one
    stored mail. Every file is written and synced before the transaction commits, as in
    ``receive_raw``, so a committed row never points at missing bytes.
    """
    from litso.mail.tasks import process_inbound

    shas = [hashlib.sha256(raw).hexdigest() for raw in raws]
    stored = {mail.sha256: mail for mail in InboundMail.objects.filter(sha256__in=set(shas))}
    new: dict[str, InboundMail] = {}
    try:
        with transaction.atomic():
            # Each file synced as it is written; their directories and Blob rows once for
            # the batch, before its rows.
            with blob_batch() as blobs:
                for raw, sha in zip(raws, shas, strict=True):
                    if sha in stored or sha in new:
                        continue
                    new[sha] = InboundMail(
                        blob=store_bytes(raw, batch=blobs),
                        sha256=sha,
                        header_message_id=sniff_message_id(raw),
                        source=source,
                        mailbox=mailbox,
                    )
            # One INSERT for the batch on PostgreSQL; on SQLite a plain one per mail (rows).
            rows.insert_all(list(new.values()))
            if process:
                for inbound in new.values():
                    process_inbound.enqueue(inbound.pk)
    except IntegrityError:
        # Another process stored one of these mails meanwhile: the batch rolled back as a
        # whole, so take the mails one by one, each finding its twin.
        return [receive_raw(raw, source=source, mailbox=mailbox, process=process) for raw in raws]
    out = []
    for sha in shas:
        if sha in stored:
            out.append(Received(stored[sha], duplicate=True))
        else:
            # A later copy of the same bytes in this batch is a duplicate of this one.
            stored[sha] = new[sha]
            out.append(Received(new[sha], duplicate=False))
    return out
