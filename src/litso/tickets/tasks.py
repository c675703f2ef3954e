"""Side effects of ticket actions, run by the worker after the change committed."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage

from litso.customers.models import ContactKind
from litso.jobs.durable import durable_task
from litso.tickets.models import Delivery, Message, Ticket

logger = logging.getLogger(__name__)


class DeliveryError(RuntimeError):
    pass


@durable_task(queue_name="mail")
def deliver_message(message_id: int) -> str:
    """Send an agent's reply to the customer on the ticket's channel.

    Idempotent: a message already sent is not sent again, and a retry re-sends the same
    Message-ID, so the customer never receives two different mails for one reply.
    """
    message = Message.objects.select_related(
        "ticket__customer", "ticket__department", "author_agent__agent"
    ).get(
        pk=message_id
    )
    if message.delivery == Delivery.SENT:
        return "already sent"
    Message.objects.filter(pk=message_id).update(delivery_attempts=message.delivery_attempts + 1)
    if message.channel != "email":
        # Portal, chat and API customers read replies where they wrote; nothing to send.
        Message.objects.filter(pk=message_id).update(delivery=Delivery.SENT)
        return "visible in channel"
    address = (
        message.ticket.customer.contacts.filter(kind=ContactKind.EMAIL, undeliverable_reason="")
        .values_list("value", flat=True)
        .first()
    )
    if address is None:
        Message.objects.filter(pk=message_id).update(
            delivery=Delivery.FAILED, delivery_error="the customer has no deliverable email address"
        )
        return "no address"
    try:
        _send_reply_mail(message, address)
    except Exception as exc:
        Message.objects.filter(pk=message_id).update(delivery_error=f"{type(exc).__name__}: {exc}")
        raise
    Message.objects.filter(pk=message_id).update(delivery=Delivery.SENT, delivery_error="")
    return f"sent to {address}"


def _send_reply_mail(message: Message, address: str) -> None:
    from litso.mail.outgoing import build_email

    build_email(message, address).send(fail_silently=False)


@durable_task(queue_name="default")
def notify_assignee(ticket_id: int, user_id: int) -> str:
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if user is None or ticket is None or ticket.assignee_id != user_id:
        return "no longer relevant"
    if not user.email:
        return "agent has no email"
    EmailMessage(
        subject=f"[#{ticket.number}] assigned to you: {ticket.subject}",
        body=f"Ticket #{ticket.number} is now yours.\n{_ticket_url(ticket)}",
        to=[user.email],
        headers={"Auto-Submitted": "auto-generated"},
    ).send(fail_silently=False)
    return f"notified {user.email}"


def _ticket_url(ticket: Ticket) -> str:
    return f"{settings.SITE_URL}/admin/tickets/ticket/{ticket.pk}/change/"
