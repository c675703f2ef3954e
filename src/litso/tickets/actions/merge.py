from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from litso.audit.record import Actor, record
from litso.sla import clock as sla_clock
from litso.tickets.actions.changes import apply_status
from litso.tickets.actions.common import check_actor_may_act
from litso.tickets.models import Message, Status, Ticket


def check_merge(source: Ticket, target: Ticket) -> None:
    if source.pk == target.pk:
        raise ValidationError({"target": f"ticket #{source.number} cannot be merged into itself"})
    if source.status == Status.CLOSED:
        raise ValidationError({"source": f"ticket #{source.number} is closed"})
    if target.status == Status.CLOSED:
        raise ValidationError({"target": f"ticket #{target.number} is closed"})
    if target.merged_into_id is not None:
        raise ValidationError({"target": f"ticket #{target.number} was itself merged"})


@transaction.atomic
def do_merge(source: Ticket, target: Ticket, actor: Actor) -> Ticket:
    """Move every message of ``source`` to ``target``; close ``source`` pointing at it."""
    check_actor_may_act(actor, source)
    check_actor_may_act(actor, target)
    # Lock both in number order so two opposite merges cannot deadlock.
    locked = {
        t.pk: t
        for t in Ticket.objects.select_for_update()
        .filter(pk__in=[source.pk, target.pk])
        .order_by("number")
    }
    source, target = locked[source.pk], locked[target.pk]
    check_merge(source, target)
    moved = Message.objects.filter(ticket=source).update(ticket=target)
    Ticket.objects.filter(pk=target.pk).update(
        customer_messages=F("customer_messages") + source.customer_messages,
        agent_replies=F("agent_replies") + source.agent_replies,
    )
    target.refresh_from_db()
    if target.first_response_at is None or (
        source.first_response_at and source.first_response_at < target.first_response_at
    ):
        target.first_response_at = source.first_response_at or target.first_response_at
    record(
        target,
        actor,
        "merge",
        field="merged_from",
        new=f"#{source.number}",
        data={"messages": moved},
    )
    record(
        source,
        actor,
        "merge",
        field="merged_into",
        new=f"#{target.number}",
        data={"messages": moved},
    )
    source.merged_into = target
    source.customer_messages = 0
    source.agent_replies = 0
    apply_status(source, Status.CLOSED, actor, reason=f"merged into #{target.number}")
    source.save()
    target.save()
    # The source is closed (its clock stops); the target got messages that may move deadlines.
    sla_clock.on_ticket_event(source)
    sla_clock.on_ticket_event(target)
    return target
