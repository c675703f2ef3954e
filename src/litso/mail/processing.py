"""From stored raw bytes to a ticket: parse, classify, thread, write — in one transaction.

Runs as the task ``process_inbound``. The InboundMail row is locked and its state moved off
"received" in the same transaction as the ticket rows and the acknowledgement's delivery task,
so a worker killed half-way leaves the mail "received" and the next run does it all again:
every mail ends up stored exactly once and acknowledged exactly once.

``process_batch`` does many mails in one transaction (bulk ingest), each in its own savepoint:
a mail our code cannot handle is rolled back alone and quarantined, the batch goes on, and
each mail sees the tickets the ones before it opened. What does not change during a batch
(the customers already looked up, the default department) is read once per batch.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from litso.audit.record import Actor, record
from litso.core import rows
from litso.core.choices import Channel
from litso.core.rows import deferred_inserts
from litso.customers.contacts import get_or_create_customer
from litso.customers.models import ContactKind, ContactPoint, Customer
from litso.departments.models import Department
from litso.files.store import deferred_blobs
from litso.mail.autoreply import MailKind, bounce_info, explain
from litso.mail.batch import BatchCache, Parse, parse_raw, parse_stored
from litso.mail.language import guess_language
from litso.mail.model import ParsedMail, UnparseableMail
from litso.mail.models import InboundMail, InboundSource, InboundState
from litso.mail.threading import find_ticket
from litso.tickets.actions import NewAttachment
from litso.tickets.actions.messages import add_inbound_message, create_message
from litso.tickets.actions.opening import open_ticket
from litso.tickets.models import AuthorKind, Delivery, Message, MessageKind, Ticket
from litso.triage.actions import Arrival

logger = logging.getLogger(__name__)
RATE_WINDOW = datetime.timedelta(minutes=10)


@dataclass(frozen=True)
class Outcome:
    state: str
    ticket: Ticket | None = None
    opened: bool = False


# What _process may change on the InboundMail row (the rest is written once, on intake).
PROCESSED_FIELDS = [
    "state",
    "reason",
    "sender",
    "subject",
    "participants",
    "thread_rule",
    "ticket",
    "message",
    "processed_at",
    "attempts",
]


def process(inbound_id: int) -> Outcome:
    return process_batch([inbound_id])[inbound_id]


def process_batch(
    inbound_ids: Sequence[int], *, raws: Mapping[int, bytes] | None = None
) -> dict[int, Outcome]:
    """Process these stored mails in one transaction, in the order they were stored.

    ``raws``: the bytes of some of them, as the caller stored them (bulk ingest still has
    them), so they are not read back from the file store."""
    ids = list(inbound_ids)
    wanted = set(ids)
    given = {pk: raw for pk, raw in (raws or {}).items() if pk in wanted}
    # Parsed outside the transaction, then claimed under lock: another worker may have
    # processed some of them in between, and those are left alone.
    parses = {pk: parse_raw(raw) for pk, raw in given.items()}
    unread = [pk for pk in ids if pk not in given]
    if unread:
        parses.update(
            (inbound.pk, parse_stored(inbound))
            for inbound in InboundMail.objects.select_related("blob").filter(
                pk__in=unread, state=InboundState.RECEIVED
            )
        )
    cache = BatchCache()
    cache.prefetch_customers(parses.values())
    outcomes: dict[int, Outcome] = {}
    # Only the mailbox's department is read while processing (the bytes were read above;
    # a mail not parsed yet reads its blob row on its own).
    claimed = (
        InboundMail.objects.select_related("mailbox__department")
        .select_for_update(of=("self",))
        .filter(pk__in=ids)
        .order_by("pk")
    )
    # The batch's attachments are synced together, and its audit events and task rows
    # written by one statement each, just before it commits (files/store.py, core/rows.py).
    with transaction.atomic(), deferred_blobs(), deferred_inserts():
        for inbound in claimed:
            if inbound.state != InboundState.RECEIVED:
                # Already done (a re-run after a crash, a duplicate task): nothing happens twice.
                outcomes[inbound.pk] = Outcome(inbound.state)
                continue
            parsed = parses[inbound.pk] if inbound.pk in parses else parse_stored(inbound)
            outcomes[inbound.pk] = _process_one(inbound, parsed, cache)
    return {pk: outcomes.get(pk, Outcome("missing")) for pk in ids}


def _process_one(inbound: InboundMail, parsed: Parse, cache: BatchCache) -> Outcome:
    inbound.attempts += 1
    try:
        with transaction.atomic():
            if isinstance(parsed, UnparseableMail):
                inbound.reason = parsed.reason
                logger.warning("quarantined inbound mail %s: %s", inbound.pk, parsed.reason)
                outcome = Outcome(InboundState.QUARANTINED)
            elif isinstance(parsed, Exception):
                raise parsed
            else:
                outcome = _process(inbound, parsed, cache)
    except (OperationalError, InterfaceError):
        # The database is busy or gone: the task is retried, the mail stays "received".
        raise
    except Exception as exc:
        # A mail our code cannot handle is kept aside with the reason, never dropped.
        logger.exception("inbound mail %s could not be processed", inbound.pk)
        cache.forget()
        # What it pointed at was rolled back with it.
        inbound.ticket, inbound.message, inbound.thread_rule = None, None, ""
        inbound.reason = f"processing failed: {type(exc).__name__}: {exc}"[:2000]
        outcome = Outcome(InboundState.QUARANTINED)
    inbound.state = outcome.state
    inbound.processed_at = timezone.now()
    _save_processed(inbound)
    return outcome


def _save_processed(inbound: InboundMail) -> None:
    """``inbound.save(update_fields=PROCESSED_FIELDS)`` without the ORM's update compiler (a
    tenth of a mail's processing): `litso.core.rows.update`, the SQL kept per model."""
    rows.update(inbound, PROCESSED_FIELDS)


def _process(inbound: InboundMail, parsed: ParsedMail, cache: BatchCache) -> Outcome:
    inbound.sender = parsed.from_address.lower()[:320]
    inbound.subject = parsed.subject[:500]
    inbound.participants = sorted(
        {a.lower() for _, a in (*parsed.to, *parsed.cc, *parsed.reply_to) if a}
        | ({inbound.sender} if inbound.sender else set())
    )
    kind, evidence = explain(parsed)
    if kind in (MailKind.BOUNCE, MailKind.COMPLAINT):
        inbound.reason = "; ".join(evidence)
        return _bounce(inbound, parsed, kind)
    recipients = _recipients(inbound, parsed)
    sender = _sender(parsed, cache)
    if kind == MailKind.AUTO_REPLY:
        inbound.reason = "; ".join(evidence)
        return _auto_reply(inbound, parsed, sender, recipients)
    if not inbound.sender or sender is None:
        inbound.reason = f"no sender address to answer ({parsed.from_address or 'none'})"
        return Outcome(InboundState.QUARANTINED)
    # Files are fed by an admin (a migration, an MTA pipe): only live intake can loop.
    if inbound.source != InboundSource.FILE and _over_rate_limit(inbound):
        inbound.reason = (
            f"more than {settings.LITSO_MAIL_RATE_LIMIT} mails from {inbound.sender} in "
            "10 minutes (a mail loop?); held, not lost: process it again from the admin"
        )
        return Outcome(InboundState.RATE_LIMITED)
    return _deliver(inbound, parsed, sender, recipients, cache)


def _sender(parsed: ParsedMail, cache: BatchCache) -> Customer | None:
    if not parsed.from_address:
        return None
    key = parsed.from_address.strip().lower()
    if key in cache.customers:
        return cache.customers[key]
    customer: Customer | None
    try:
        customer, _ = get_or_create_customer(
            ContactKind.EMAIL, parsed.from_address, full_name=parsed.from_name[:200]
        )
    except ValidationError:
        # An address our validation refuses (no dot in the domain…): the mail is kept and
        # quarantined with that reason rather than answered at a guess.
        logger.info("sender %r is not a valid address", parsed.from_address)
        customer = None
    cache.customers[key] = customer
    return customer


def _recipients(inbound: InboundMail, parsed: ParsedMail) -> list[str]:
    addresses = list(inbound.envelope_recipients)
    addresses += [a for _, a in (*parsed.delivered_to, *parsed.to, *parsed.cc) if a]
    return [a.lower() for a in addresses]


def _department(
    inbound: InboundMail, recipients: list[str], cache: BatchCache
) -> tuple[Department, bool]:
    """Where the mail lands, and whether the address written to chose that (triage may then
    forward it only when very sure; mail to no department's address is routed by triage)."""
    from litso.mail.addresses import known_recipient

    for address in recipients:
        department = known_recipient(address)
        if department is not None:
            return department, True
    if inbound.mailbox is not None:
        return inbound.mailbox.department, True
    if cache.default_department is None:
        default = settings.LITSO_MAIL_DEFAULT_DEPARTMENT
        found = Department.objects.filter(active=True)
        chosen = (found.filter(name=default).first() if default else None) or found.first()
        if chosen is None:
            raise RuntimeError("no active department to receive mail; create one")
        cache.default_department = chosen
    return cache.default_department, False


def _deliver(
    inbound: InboundMail,
    parsed: ParsedMail,
    sender: Customer,
    recipients: list[str],
    cache: BatchCache,
) -> Outcome:
    from litso.mail.ack import acknowledge

    attachments = [
        NewAttachment(a.filename, a.content_type, a.data, a.content_id or "")
        for a in parsed.attachments
    ]
    body_text = parsed.body_text
    if parsed.oversized_attachments:
        body_text += _oversized_note(parsed)
    match = find_ticket(parsed, sender, recipients)
    if match is not None:
        inbound.thread_rule = match.rule
        # In this mail's savepoint (_process_one): the action needs no savepoint of its own.
        ticket, message = add_inbound_message(
            match.ticket,
            body_text=body_text,
            body_html=parsed.body_html,
            subject=parsed.subject,
            channel=Channel.EMAIL,
            external_id=parsed.message_id or "",
            attachments=attachments,
            # Always who wrote, even the ticket's own customer: the message row is the same,
            # and the action need not load the customer to find that out.
            author=sender,
            reopen_solved=settings.LITSO_MAIL_REOPEN_SOLVED,
        )
        opened = ticket.pk != match.ticket.pk
    else:
        if not sender.language:
            sender.language = guess_language(
                f"{parsed.subject}\n{parsed.body_text}", parsed.headers.get("content-language", "")
            )
            sender.save(update_fields=["language"])
        department, addressed = _department(inbound, recipients, cache)
        ticket, message = open_ticket(
            customer=sender,
            subject=parsed.subject,
            body_text=body_text or "(empty message)",
            body_html=parsed.body_html,
            channel=Channel.EMAIL,
            department=department,
            actor=Actor.customer(),
            language=sender.language,
            external_id=parsed.message_id or "",
            attachments=attachments,
            arrival=Arrival(
                sender=parsed.from_address.lower(),
                recipients=tuple(recipients),
                addressed=addressed,
            ),
        )
        opened = True
    inbound.ticket, inbound.message = ticket, message
    if opened:
        acknowledge(ticket, oversized=[a.filename for a in parsed.oversized_attachments])
    return Outcome(InboundState.PROCESSED, ticket, opened)


def _oversized_note(parsed: ParsedMail) -> str:
    names = ", ".join(f"{a.filename} ({a.size // 1024} KiB)" for a in parsed.oversized_attachments)
    return (
        f"\n\n[Litso: attachments over the size limit were not kept: {names}. "
        "The customer has been told.]"
    )


def _auto_reply(
    inbound: InboundMail, parsed: ParsedMail, sender: Customer | None, recipients: list[str]
) -> Outcome:
    """Stored and shown on its ticket when it threads; never opens one, never acknowledged."""
    match = find_ticket(parsed, sender, recipients)
    if match is not None:
        ticket = match.ticket
        message = create_message(
            ticket,
            kind=MessageKind.SYSTEM,
            author_kind=AuthorKind.SYSTEM,
            body_text=f"Automatic reply from {parsed.from_address}:\n\n{parsed.body_text}",
            subject=parsed.subject,
            channel=Channel.EMAIL,
            external_id=parsed.message_id or "",
        )
        inbound.ticket, inbound.message = ticket, message
    return Outcome(InboundState.AUTO_REPLY, inbound.ticket)


def _bounce(inbound: InboundMail, parsed: ParsedMail, kind: MailKind) -> Outcome:
    """Tie the failure to the reply that failed, and mark the address for agents."""
    info = bounce_info(parsed)
    state = InboundState.BOUNCE if kind == MailKind.BOUNCE else InboundState.COMPLAINT
    failed: Message | None = None
    if info.original_message_id:
        failed = (
            Message.objects.filter(external_id=info.original_message_id)
            .select_related("ticket")
            .first()
        )
    reason = info.diagnostic or info.status or "the receiving server refused the mail"
    if info.recipient and kind == MailKind.BOUNCE and info.permanent:
        ContactPoint.objects.filter(kind=ContactKind.EMAIL, value=info.recipient.lower()).update(
            undeliverable_reason=f"bounced {timezone.now():%Y-%m-%d}: {reason}"[:500]
        )
    if failed is not None:
        Message.objects.filter(pk=failed.pk).update(
            delivery=Delivery.BOUNCED, delivery_error=reason[:2000]
        )
        ticket = failed.ticket
        message = create_message(
            ticket,
            kind=MessageKind.SYSTEM,
            author_kind=AuthorKind.SYSTEM,
            body_text=(
                f"Our mail to {info.recipient or 'the customer'} was not delivered: {reason}"
                if kind == MailKind.BOUNCE
                else f"{info.recipient or 'The customer'} reported our mail as spam."
            ),
            subject=parsed.subject,
            channel=Channel.EMAIL,
        )
        record(
            ticket,
            Actor.system(),
            "bounce" if kind == MailKind.BOUNCE else "complaint",
            reason=reason[:500],
            data={"message": failed.pk},
        )
        inbound.ticket, inbound.message = ticket, message
    return Outcome(state, inbound.ticket)


def _over_rate_limit(inbound: InboundMail) -> bool:
    since = timezone.now() - RATE_WINDOW
    recent = InboundMail.objects.filter(
        sender=inbound.sender, received_at__gte=since, state=InboundState.PROCESSED
    ).count()
    return recent >= settings.LITSO_MAIL_RATE_LIMIT
