"""The proactive 'we are still working on it' update (principle 7: never leave a customer in
silence), sent when a ticket went too long without a public update. Like the acknowledgement,
it is an outbound system message on the ticket, delivered through the same outbox.
"""

from __future__ import annotations

from django.template.loader import render_to_string

from litso.audit.record import Actor, record
from litso.mail.ack import SIGNATURES
from litso.mail.language import SUPPORTED
from litso.tickets.actions.messages import create_message, make_message_id
from litso.tickets.models import AuthorKind, Delivery, Message, MessageKind, Ticket


def send_still_working(ticket: Ticket, actor: Actor) -> Message:
    from litso.tickets.tasks import deliver_message

    language = ticket.language if ticket.language in SUPPORTED else "en"
    text = render_to_string(
        f"sla/update/{language}.txt",
        {
            "name": ticket.customer.salutation,
            "number": ticket.number,
            "subject": ticket.subject,
            "signature": SIGNATURES[language],
        },
    )
    message = create_message(
        ticket,
        kind=MessageKind.OUTBOUND,
        author_kind=AuthorKind.SYSTEM,
        body_text=text.strip() + "\n",
        subject=f"[#{ticket.number}] {ticket.subject}",
        external_id=make_message_id(),
        delivery=Delivery.QUEUED,
    )
    record(ticket, actor, "still_working", data={"message": message.pk})
    deliver_message.enqueue(message.pk)
    return message
