"""Opening a ticket from the customer's first message."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from litso.audit.record import Actor, record
from litso.core.choices import Channel
from litso.core.rows import insert
from litso.customers.models import Customer
from litso.departments.models import Department
from litso.sla import clock as sla_clock
from litso.tickets.actions.common import NewAttachment, check_priority, resolve_department
from litso.tickets.actions.messages import check_body, create_message
from litso.tickets.actions.tags import apply_tags
from litso.tickets.fields import check_values
from litso.tickets.models import AuthorKind, Message, MessageKind, RequestType, Ticket
from litso.tickets.numbering import next_ticket_number

if TYPE_CHECKING:
    from litso.triage.actions import Arrival

MAX_SUBJECT = 500


def check_new_ticket(*, subject: str, body_text: str, body_html: str, channel: str) -> str:
    if channel not in Channel.values:
        raise ValidationError(
            {"channel": f"unknown channel {channel!r}; use one of {', '.join(Channel.values)}"}
        )
    check_body(body_text, body_html)
    subject = " ".join(subject.split())
    if not subject:
        # A customer who wrote no subject still gets a ticket; name it by its first words.
        subject = " ".join(body_text.split()[:10])[:100] or "(no subject)"
    return subject[:MAX_SUBJECT]


def open_ticket(
    *,
    customer: Customer,
    subject: str,
    body_text: str,
    channel: str,
    department: Department | int | str,
    actor: Actor,
    body_html: str = "",
    priority: str | None = None,
    request_type: RequestType | None = None,
    custom_fields: dict[str, Any] | None = None,
    language: str = "",
    tags: Sequence[str] = (),
    external_id: str = "",
    attachments: Sequence[NewAttachment] = (),
    follow_up_of: Ticket | None = None,
    arrival: Arrival | None = None,
) -> tuple[Ticket, Message]:
    """Open a ticket and triage it (language, rules, router, abuse, chasing, owner).

    ``arrival`` says how the request came in (sender, recipients, whether the department came
    from the address written to); see litso.triage.actions.
    """
    from litso.triage.actions import detect_language, on_ticket_opened

    subject = check_new_ticket(
        subject=subject, body_text=body_text, body_html=body_html, channel=channel
    )
    dept = resolve_department(department)
    priority = check_priority(priority) if priority else dept.default_priority
    cleaned_fields: dict[str, Any] = {}
    if request_type is not None:
        cleaned_fields = check_values(request_type.fields, custom_fields or {})
    elif custom_fields:
        raise ValidationError({"custom_fields": "custom fields need a request type"})

    language_given = language or customer.language
    detected = detect_language(subject, body_text)
    ticket = Ticket(
        number=next_ticket_number(),
        subject=subject,
        priority=priority,
        department=dept,
        customer=customer,
        channel=channel,
        request_type=request_type,
        language=detected or language_given,
        custom_fields=cleaned_fields,
        customer_messages=1,
        follow_up_of=follow_up_of,
    )
    insert(ticket)  # Ticket.objects.create without the ORM's insert compiler
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
        language=detected,
    )
    record(
        ticket,
        actor,
        "created",
        data={
            "channel": channel,
            "department": dept.name,
            "priority": priority,
            "message": message.pk,
            **({"follow_up_of": follow_up_of.number} if follow_up_of else {}),
        },
    )
    if follow_up_of is not None:
        record(
            follow_up_of,
            actor,
            "follow_up",
            new=f"#{ticket.number}",
            reason="the customer wrote about a closed ticket",
        )
    if tags:
        apply_tags(ticket, actor, add=tags)
    sla_clock.on_ticket_event(ticket, opened=True)
    ticket = on_ticket_opened(ticket, message, actor, arrival, language_given=language_given)
    return ticket, message


# The action in its own transaction (a savepoint inside another). `open_ticket` itself is for a
# caller already inside a transaction that rolls back (at least to its own savepoint) when this
# raises: mail processing, one savepoint per mail, saves a savepoint per new ticket.
do_open_ticket = transaction.atomic(open_ticket)
