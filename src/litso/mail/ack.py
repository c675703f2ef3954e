"""The immediate acknowledgement of a new request by mail (principle 1 of the brief).

It states the number and how to add to the request, in the customer's language; it never
refuses and never threatens to ignore. It is an outbound system message on the ticket, so it
shows in the timeline and goes out through the same outbox as every reply.
"""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.template.loader import get_template
from django.utils import timezone

from litso.audit.record import Actor
from litso.mail.language import SUPPORTED
from litso.sla.clock import active_policies
from litso.sla.promise import promise_for
from litso.tickets.actions.messages import send_automatic_message
from litso.tickets.models import Message, Ticket

SIGNATURES = {"en": "Customer service", "ru": "Служба поддержки", "pl": "Obsługa klienta"}


def acknowledge(ticket: Ticket, oversized: list[str] | None = None) -> Message:
    """Call in the transaction that opened ``ticket``."""
    language = ticket.language if ticket.language in SUPPORTED else "en"
    # A ticket opened while no SLA policy is active got no clock, so there is no deadline to
    # promise; asking the (cached) policies is cheaper than looking for the clock.
    promise = promise_for(ticket, language, timezone.now()) if active_policies() else ""
    text = _template(f"mail/ack/{language}.txt").render(
        {
            "name": ticket.customer.salutation,
            "number": ticket.number,
            "subject": ticket.subject,
            "department": ticket.department.name,
            "oversized": oversized or [],
            "promise": promise,
            "signature": SIGNATURES[language],
        },
    )
    return send_automatic_message(ticket, Actor.system(), text=text, verb="acknowledged")


def _template(name: str) -> Any:
    """``get_template(name)``, kept per process: finding it (the Jinja2 engine first, which
    does not have it) cost more than rendering it. Looked up each time in DEBUG, so an edited
    text shows at once."""
    if settings.DEBUG:
        return get_template(name)
    return _kept_template(name)


@functools.cache
def _kept_template(name: str) -> Any:
    return get_template(name)
