"""From stored raw bytes to a ticket: parse, classify, thread, write — in one transaction.

Runs as the task ``process_inbound``. The InboundMail row is locked and its state moved off
"received" in the same transaction as the ticket rows and the acknowledgement's delivery task,
so a worker killed half-way leaves the mail "received" and the next run does it all again:
every mail ends up stored exactly once and acknowledged exactly once.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from litso.audit.record import Actor, record
from litso.core.choices import Channel
from litso.customers.contacts import get_or_create_customer
from litso.customers.models import ContactKind, ContactPoint, Customer
from litso.departments.models import Department
from litso.files.store import read_bytes
from litso.mail.autoreply import MailKind, bounce_info, explain
from litso.mail.language import guess_language
from litso.mail.model import ParsedMail, UnparseableMail
from litso.mail.models import InboundMail, InboundSource, InboundState
from litso.mail.parsing import parse_message
from litso.mail.threading import find_ticket
from litso.tickets.actions import NewAttachment, do_add_inbound_message, do_open_ticket
from litso.tickets.actions.messages import create_message
from litso.tickets.models import AuthorKind, Delivery, Message, MessageKind, Ticket

logger = logging.getLogger(__name__)
RATE_WINDOW = datetime.timedelta(minutes=10)


@dataclass(frozen=True)
class Outcome:
    state: str
    ticket: Ticket | None = None
    opened: bool = False


def process(inbound_id: int) -> Outcome:
    with transaction.atomic():
        inbound = InboundMail.objects.select_for_update().filter(pk=inbound_id).first()
        if inbound is None or inbound.state != InboundState.RECEIVED:
            # Already done (a re-run after a crash, a duplicate task): nothing happens twice.
            return Outcome(inbound.state if inbound else "missing")
        inbound.attempts += 1
        try:
            with transaction.atomic():
                outcome = _process(inbound)
        except (OperationalError, InterfaceError):
            # The database is busy or gone: the task is retried, the mail stays "received".
            raise
        except Exception as exc:
            # A mail our code cannot handle is kept aside with the reason, never dropped.
            logger.exception("inbound mail %s could not be processed", inbound.pk)
            inbound.reason = f"processing failed: {type(exc).__name__}: {exc}"[:2000]
            outcome = Outcome(InboundState.QUARANTINED)
        inbound.state = outcome.state
        inbound.processed_at = timezone.now()
        inbound.save()
        return outcome


def _process(inbound: InboundMail) -> Outcome:
    raw = read_bytes(inbound.blob)
    try:
        parsed = parse_message(raw, max_attachment_bytes=settings.LITSO_MAIL_MAX_ATTACHMENT_BYTES)
    except UnparseableMail as exc:
        inbound.reason = exc.reason
        logger.warning("quarantined inbound mail %s: %s", inbound.pk, exc.reason)
        return Outcome(InboundState.QUARANTINED)
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
    sender = _sender(parsed)
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
    return _deliver(inbound, parsed, sender, recipients)


def _sender(parsed: ParsedMail) -> Customer | None:
    if not parsed.from_address:
        return None
    try:
        customer, _ = get_or_create_customer(
            ContactKind.EMAIL, parsed.from_address, full_name=parsed.from_name[:200]
        )
    except ValidationError:
        # An address our validation refuses (no dot in the domain…): the mail is kept and
        # quarantined with that reason rather than answered at a guess.
        logger.info("sender %r is not a valid address", parsed.from_address)
        return None
    return customer


def _recipients(inbound: InboundMail, parsed: ParsedMail) -> list[str]:
    addresses = list(inbound.envelope_recipients)
    addresses += [a for _, a in (*parsed.delivered_to, *parsed.to, *parsed.cc) if a]
    return [a.lower() for a in addresses]


def _department(inbound: InboundMail, recipients: list[str]) -> Department:
    from litso.mail.addresses import known_recipient

    for address in recipients:
        department = known_recipient(address)
        if department is not None:
            return department
    if inbound.mailbox is not None:
        return inbound.mailbox.department
    default = settings.LITSO_MAIL_DEFAULT_DEPARTMENT
    found = Department.objects.filter(active=True)
    chosen = (found.filter(name=default).first() if default else None) or found.first()
    if chosen is None:
        raise RuntimeError("no active department to receive mail; create one")
    return chosen


def _deliver(
    inbound: InboundMail, parsed: ParsedMail, sender: Customer, recipients: list[str]
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
        ticket, message = do_add_inbound_message(
            match.ticket,
            body_text=body_text,
            body_html=parsed.body_html,
            subject=parsed.subject,
            channel=Channel.EMAIL,
            external_id=parsed.message_id or "",
            attachments=attachments,
            author=sender if sender.pk != match.ticket.customer_id else None,
            reopen_solved=settings.LITSO_MAIL_REOPEN_SOLVED,
        )
        opened = ticket.pk != match.ticket.pk
    else:
        if not sender.language:
            sender.language = guess_language(
                f"{parsed.subject}\n{parsed.body_text}", parsed.headers.get("content-language", "")
            )
            sender.save(update_fields=["language"])
        ticket, message = do_open_ticket(
            customer=sender,
            subject=parsed.subject,
            body_text=body_text or "(empty message)",
            body_html=parsed.body_html,
            channel=Channel.EMAIL,
            department=_department(inbound, recipients),
            actor=Actor.customer(),
            language=sender.language,
            external_id=parsed.message_id or "",
            attachments=attachments,
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
            ticket, kind=MessageKind.SYSTEM, author_kind=AuthorKind.SYSTEM,
            body_text=f"Automatic reply from {parsed.from_address}:\n\n{parsed.body_text}",
            subject=parsed.subject, channel=Channel.EMAIL, external_id=parsed.message_id or "",
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
            ticket, kind=MessageKind.SYSTEM, author_kind=AuthorKind.SYSTEM,
            body_text=(
                f"Our mail to {info.recipient or 'the customer'} was not delivered: {reason}"
                if kind == MailKind.BOUNCE
                else f"{info.recipient or 'The customer'} reported our mail as spam."
            ),
            subject=parsed.subject, channel=Channel.EMAIL,
        )
        record(ticket, Actor.system(), "bounce" if kind == MailKind.BOUNCE else "complaint",
               reason=reason[:500], data={"message": failed.pk})
        inbound.ticket, inbound.message = ticket, message
    return Outcome(state, inbound.ticket)


def _over_rate_limit(inbound: InboundMail) -> bool:
    since = timezone.now() - RATE_WINDOW
    recent = InboundMail.objects.filter(
        sender=inbound.sender, received_at__gte=since, state=InboundState.PROCESSED
    ).count()
    return recent >= settings.LITSO_MAIL_RATE_LIMIT
