"""The proactive 'we are still working on it' update (principle 7: never leave a customer in
silence), sent when a ticket went too long without a public update. Like the acknowledgement,
it is an outbound system message on the ticket, delivered through the same outbox.
"""

from __future__ import annotations

from django.template.loader import render_to_string

from litso.audit.record import Actor
from litso.mail.ack import SIGNATURES
from litso.mail.language import SUPPORTED
from litso.tickets.actions.messages import send_automatic_message
from litso.tickets.models import Message, Ticket


def send_still_working(ticket: Ticket, actor: Actor) -> Message:
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
    return send_automatic_message(ticket, actor, text=text, verb="still_working")
