"""Messages on a ticket: the customer writes, an agent replies, an agent notes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from litso.audit.models import ActorKind
from litso.audit.record import Actor, record
from litso.core import rows
from litso.core.rows import insert
from litso.files.store import blob_batch, store_bytes
from litso.sla import clock as sla_clock
from litso.tickets import html
from litso.tickets.actions.common import NewAttachment, check_actor_may_act, lock
from litso.tickets.models import (
    Attachment,
    AuthorKind,
    Delivery,
    Message,
    MessageKind,
    Status,
    Ticket,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from litso.customers.models import Customer

MAX_BODY_CHARS = 1_000_000
MAX_SUBJECT_CHARS = 500


def check_body(body_text: str, body_html: str = "") -> None:
    if not body_text.strip() and not body_html.strip():
        raise ValidationError({"body": "the message is empty"})
    if len(body_text) > MAX_BODY_CHARS or len(body_html) > MAX_BODY_CHARS:
        raise ValidationError({"body": f"the message is longer than {MAX_BODY_CHARS} characters"})


def make_message_id() -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">") or "litso.localhost"
    return f"<{uuid.uuid4().hex}@{domain}>"


def create_message(
    ticket: Ticket,
    *,
    kind: str,
    author_kind: str,
    body_text: str,
    body_html: str = "",
    subject: str = "",
    channel: str = "",
    author_agent: User | None = None,
    author_customer: Customer | None = None,
    external_id: str = "",
    attachments: Sequence[NewAttachment] = (),
    delivery: str = Delivery.NOT_APPLICABLE,
    language: str = "",
) -> Message:
    message = Message(
        ticket=ticket,
        kind=kind,
        author_kind=author_kind,
        author_agent=author_agent,
        author_customer=(author_customer or ticket.customer)
        if author_kind == AuthorKind.CUSTOMER
        else None,
        channel=channel or ticket.channel,
        subject=subject[:MAX_SUBJECT_CHARS],
        body_text=body_text,
        body_html=html.sanitise(body_html),
        external_id=external_id[:500],
        delivery=delivery,
        language=language,
    )
    # Every mail writes one or two messages: without the ORM's insert compiler.
    insert(message)
    if attachments:
        with blob_batch() as blobs:
            attached = [
                Attachment(
                    message=message,
                    blob=store_bytes(item.data, batch=blobs),
                    filename=item.filename[:255] or "attachment",
                    content_type=item.content_type[:255] or "application/octet-stream",
                    size=len(item.data),
                    content_id=item.content_id[:255],
                )
                for item in attachments
            ]
        # One by one without the ORM's insert compiler: mail rarely has more than one, and
        # compiling bulk_create's INSERT cost more than writing the rows.
        for attachment in attached:
            insert(attachment)
    return message


def add_inbound_message(
    ticket: Ticket,
    *,
    body_text: str,
    body_html: str = "",
    subject: str = "",
    channel: str = "",
    external_id: str = "",
    attachments: Sequence[NewAttachment] = (),
    author: Customer | None = None,
    reopen_solved: bool = True,
) -> tuple[Ticket, Message]:
    """The customer wrote again. Returns the ticket the message landed on.

    ``author`` is who wrote when it is not the ticket's customer (a colleague in Cc).

    A solved ticket is reopened (and the reopen counted); a closed one stays closed and the
    message opens a follow-up ticket linked to it, as every mature desk does.
    """
    check_body(body_text, body_html)
    ticket = lock(ticket)
    if ticket.status == Status.CLOSED or (ticket.status == Status.SOLVED and not reopen_solved):
        from litso.tickets.actions.opening import do_open_ticket

        return do_open_ticket(
            customer=ticket.customer,
            subject=subject or ticket.subject,
            body_text=body_text,
            body_html=body_html,
            channel=channel or ticket.channel,
            department=ticket.department,
            actor=Actor.customer(),
            priority=ticket.priority,
            language=ticket.language,
            external_id=external_id,
            attachments=attachments,
            follow_up_of=ticket,
        )
    from litso.triage.actions import detect_language, on_customer_message

    message = create_message(
        ticket,
        kind=MessageKind.INBOUND,
        author_kind=AuthorKind.CUSTOMER,
        body_text=body_text,
        body_html=body_html,
        subject=subject,
        channel=channel,
        external_id=external_id,
        attachments=attachments,
        author_customer=author,
        language=detect_language(subject[:MAX_SUBJECT_CHARS], body_text),
    )
    actor = Actor.customer()
    record(ticket, actor, "message", new=MessageKind.INBOUND, data={"message": message.pk})
    ticket.customer_messages += 1
    from litso.tickets.actions.changes import STATUS_FIELDS, apply_status

    if ticket.status in (Status.SOLVED, Status.PENDING_CUSTOMER):
        apply_status(ticket, Status.OPEN, actor, reason="the customer wrote again")
    # Only what may have changed: a full-row UPDATE rewrites every index of the ticket.
    rows.update(ticket, ["customer_messages", "updated_at", *STATUS_FIELDS])
    sla_clock.on_ticket_event(ticket)
    ticket = on_customer_message(ticket, message)
    return ticket, message


# In its own transaction; `add_inbound_message` for a caller already in one (see
# opening.do_open_ticket).
do_add_inbound_message = transaction.atomic(add_inbound_message)


@transaction.atomic
def do_reply(
    ticket: Ticket,
    actor: Actor,
    *,
    body_text: str,
    body_html: str = "",
    then_status: str | None = None,
    attachments: Sequence[NewAttachment] = (),
) -> Message:
    """A public answer to the customer, delivered by a task after commit."""
    from litso.tickets.actions.changes import apply_status
    from litso.tickets.tasks import deliver_message

    check_body(body_text, body_html)
    check_actor_may_act(actor, ticket)
    ticket = lock(ticket)
    if ticket.status == Status.CLOSED:
        raise ValidationError({"status": f"ticket #{ticket.number} is closed; open a follow-up"})
    message = create_message(
        ticket,
        kind=MessageKind.OUTBOUND,
        author_kind=AuthorKind.AGENT if actor.kind == ActorKind.AGENT else AuthorKind.SYSTEM,
        author_agent=actor.user,
        body_text=body_text,
        body_html=body_html,
        subject=f"[#{ticket.number}] {ticket.subject}",
        external_id=make_message_id(),
        attachments=attachments,
        delivery=Delivery.QUEUED,
    )
    record(ticket, actor, "message", new=MessageKind.OUTBOUND, data={"message": message.pk})
    if actor.kind == ActorKind.AGENT:
        ticket.agent_replies += 1
        if ticket.first_response_at is None:
            ticket.first_response_at = timezone.now()
    target = then_status or (Status.OPEN if ticket.status == Status.NEW else None)
    if target and target != ticket.status:
        apply_status(ticket, target, actor)
    rows.update(ticket)
    sla_clock.on_ticket_event(ticket)
    # The task row commits with the reply: no reply without its delivery, no delivery of a
    # reply that rolled back.
    deliver_message.enqueue(message.pk)
    return message


@transaction.atomic
def do_add_note(
    ticket: Ticket,
    actor: Actor,
    *,
    body_text: str,
    body_html: str = "",
    attachments: Sequence[NewAttachment] = (),
) -> Message:
    check_body(body_text, body_html)
    check_actor_may_act(actor, ticket)
    ticket = lock(ticket)
    message = create_message(
        ticket,
        kind=MessageKind.NOTE if actor.kind != ActorKind.SYSTEM else MessageKind.SYSTEM,
        author_kind=AuthorKind.AGENT if actor.kind == ActorKind.AGENT else AuthorKind.SYSTEM,
        author_agent=actor.user,
        body_text=body_text,
        body_html=body_html,
        attachments=attachments,
    )
    record(ticket, actor, "note", data={"message": message.pk})
    ticket.save(update_fields=["updated_at"])
    return message


def send_automatic_message(ticket: Ticket, actor: Actor, *, text: str, verb: str) -> Message:
    """An automatic mail to the customer (acknowledgement, "still working on it"), in the
    ticket's timeline and delivered through the same outbox as every reply. Call inside the
    transaction of the change that causes it."""
    from litso.tickets.tasks import deliver_message

    message = create_message(
        ticket,
        kind=MessageKind.OUTBOUND,
        author_kind=AuthorKind.SYSTEM,
        body_text=text.strip() + "\n",
        subject=f"[#{ticket.number}] {ticket.subject}",
        external_id=make_message_id(),
        delivery=Delivery.QUEUED,
    )
    record(ticket, actor, verb, data={"message": message.pk})
    rows.enqueue(deliver_message, message.pk)
    return message
