"""SLA side effects run by the worker: agents told about warnings and breaches; bulk recompute."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from litso.jobs.durable import durable_task
from litso.tickets.models import OPEN_STATUSES, Ticket

BATCH = 200
STAGE_WORDS = {"warning": "is close to its", "breach": "missed its"}


@durable_task(queue_name="default")
def notify_sla(ticket_id: int, user_id: int, kind: str, stage: str, due_at: str) -> str:
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if user is None or ticket is None:
        return "no longer relevant"
    if not user.email:
        return "agent has no email"
    target = kind.replace("_", " ")
    EmailMessage(
        subject=f"[#{ticket.number}] {STAGE_WORDS.get(stage, stage)} {target} target",
        body=(
            f"Ticket #{ticket.number} ({ticket.subject}) {STAGE_WORDS.get(stage, stage)} "
            f"{target} target, due {due_at}.\n"
            f"{settings.SITE_URL}/admin/tickets/ticket/{ticket.pk}/change/"
        ),
        to=[user.email],
        headers={"Auto-Submitted": "auto-generated"},
    ).send(fail_silently=False)
    return f"notified {user.email}"


@durable_task(queue_name="default")
def notify_sla_many(user_id: int, notes: list[list[Any]]) -> str:
    """One mail for several timers of one round: notes are [ticket id, kind, stage, due at].

    A desk coming back from a break can fire hundreds of timers at once; an agent gets one
    mail listing theirs rather than one each (and the scheduler queues one task, not many).
    """
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return "no longer relevant"
    if not user.email:
        return "agent has no email"
    tickets = Ticket.objects.in_bulk([note[0] for note in notes])
    lines = []
    for ticket_id, kind, stage, due_at in notes:
        ticket = tickets.get(ticket_id)
        if ticket is not None:
            lines.append(
                f"Ticket #{ticket.number} ({ticket.subject}) {STAGE_WORDS.get(stage, stage)} "
                f"{kind.replace('_', ' ')} target, due {due_at}.\n"
                f"{settings.SITE_URL}/admin/tickets/ticket/{ticket.pk}/change/"
            )
    if not lines:
        return "no longer relevant"
    EmailMessage(
        subject=f"{len(lines)} SLA targets missed or close",
        body="\n\n".join(lines),
        to=[user.email],
        headers={"Auto-Submitted": "auto-generated"},
    ).send(fail_silently=False)
    return f"notified {user.email} of {len(lines)}"


@durable_task(queue_name="default")
def recompute_open_tickets(after_id: int = 0, until_id: int | None = None) -> str:
    """Recompute the deadlines of every open ticket (ids in ``(after_id, until_id]``).

    Runs after a calendar or a policy changed, through the bulk path (`litso.sla.bulk`): one
    transaction per chunk, so a long recompute never holds locks for long, and timers keep
    firing meanwhile from the old deadlines until their ticket's turn comes; `fired` keys
    keep what already fired from firing again. On PostgreSQL a big desk is split into parts
    of PART_TICKETS open tickets, each its own task, so several workers share the work
    (SQLite has one writer: there a second part would only wait for the first).
    """
    from litso.sla.bulk import describe, recompute_range

    if after_id == 0 and until_id is None and connection.vendor == "postgresql":
        parts = _parts()
        for low, high in parts[1:]:
            recompute_open_tickets.enqueue(after_id=low, until_id=high)
        if len(parts) > 1:
            after_id, until_id = parts[0]
            return f"{describe(recompute_range(after_id, until_id))}; {len(parts) - 1} parts queued"
    return describe(recompute_range(after_id, until_id))


PART_TICKETS = 250_000


def _parts() -> list[tuple[int, int | None]]:
    """Id ranges ``(after, until]`` of about PART_TICKETS open tickets each, the last open."""
    ids = (
        Ticket.objects.filter(status__in=OPEN_STATUSES).order_by("pk").values_list("pk", flat=True)
    )
    bounds: list[int] = []
    last = 0
    for position, pk in enumerate(ids.iterator(chunk_size=50_000), 1):
        last = pk
        if position % PART_TICKETS == 0:
            bounds.append(pk)
    if bounds and bounds[-1] == last:
        bounds.pop()  # the last part would be empty
    edges = [0, *bounds]
    return [
        (edges[index], edges[index + 1] if index + 1 < len(edges) else None)
        for index in range(len(edges))
    ]


def recompute_tickets(tickets: list[Ticket], policies: list[Any], now: datetime) -> None:
    """`clock.recompute` ticket by ticket (inside the caller's transaction, tickets locked).

    The bulk path hands over the clocks it does not cover; `recompute_one_by_one` runs the
    whole desk this way, the reference the bulk path is compared with.
    """
    from litso.sla.clock import clear, policy_for, safe_recompute
    from litso.sla.models import TicketSla

    writer = ClockWriter(TicketSla)
    existing = TicketSla.objects.in_bulk([ticket.pk for ticket in tickets])
    changed: list[TicketSla] = []
    for ticket in tickets:
        sla = existing.get(ticket.pk)
        policy = policy_for(ticket, policies)
        if policy is None:
            if sla is not None and sla.policy_id is not None:
                clear(sla)
                sla.save()
            continue
        if sla is None:
            sla = TicketSla(ticket=ticket)
            safe_recompute(ticket, sla, policy, now)
            sla.save(force_insert=True)
            continue
        before = writer.values(sla)
        safe_recompute(ticket, sla, policy, now)
        # An edit often leaves most clocks as they were: those are not written back.
        if writer.values(sla) != before:
            changed.append(sla)
    # One statement for the changed clocks rather than an ORM save each, whose query
    # building cost more than the deadlines themselves.
    writer.update(changed)


def recompute_one_by_one(after_id: int = 0, now: datetime | None = None) -> int:
    """The whole desk through `clock.recompute`, in batches; returns how many tickets."""
    from litso.sla.clock import active_policies

    done = 0
    policies = active_policies(fresh=True)
    while True:
        with transaction.atomic():
            tickets = list(
                Ticket.objects.select_for_update()
                .filter(pk__gt=after_id, status__in=OPEN_STATUSES)
                .order_by("pk")[:BATCH]
            )
            if not tickets:
                return done
            recompute_tickets(tickets, policies, now or timezone.now())
            done += len(tickets)
            after_id = tickets[-1].pk


class ClockWriter:
    """Writes clocks back as `save()` would, every column but the key, in one executemany."""

    def __init__(self, model: type[Model]) -> None:
        meta = model._meta
        self.fields = [field for field in meta.concrete_fields if not field.primary_key]
        self.attnames = [field.attname for field in self.fields]
        quote = connection.ops.quote_name
        assignments = ", ".join(f"{quote(str(field.column))} = %s" for field in self.fields)
        key = quote(str(meta.pk.column))
        self.sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {key} = %s"

    def values(self, sla: Model) -> list[Any]:
        """The clock's column values, lists copied (to compare before and after)."""
        values = [getattr(sla, name) for name in self.attnames]
        return [list(value) if isinstance(value, list) else value for value in values]

    def update(self, slas: list[Any]) -> None:
        if not slas:
            return
        rows = [
            [
                field.get_db_prep_save(getattr(sla, field.attname), connection)
                for field in self.fields
            ]
            + [sla.pk]
            for sla in slas
        ]
        with connection.cursor() as cursor:
            cursor.executemany(self.sql, rows)
