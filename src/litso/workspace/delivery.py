"""Sending a reply again after its delivery failed (the agent's "retry" on the message).

The sending itself is tickets.tasks.deliver_message, idempotent by Message-ID; this only puts
the message back in the outbox, with an audit event, in one transaction.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from litso.audit.record import Actor, record
from litso.tickets.actions.common import check_actor_may_act
from litso.tickets.models import Delivery, Message, MessageKind
from litso.tickets.tasks import deliver_message


@transaction.atomic
def do_retry_delivery(message: Message, actor: Actor) -> Message:
    check_actor_may_act(actor, message.ticket)
    message = Message.objects.select_for_update().select_related("ticket").get(pk=message.pk)
    if message.kind != MessageKind.OUTBOUND:
        raise ValidationError({"message": "only replies to the customer are delivered"})
    if message.delivery == Delivery.SENT:
        raise ValidationError({"message": "this reply was already sent"})
    Message.objects.filter(pk=message.pk).update(delivery=Delivery.QUEUED)
    message.delivery = Delivery.QUEUED
    # Not "message": the timeline hides events about a message it shows; this one stays.
    record(message.ticket, actor, "retry_delivery", data={"retried_message": message.pk},
           old=message.delivery_error)
    deliver_message.enqueue(message.pk)
    return message
