"""Changing a ticket's status, priority, department, owner and fields."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from litso.audit.record import Actor, record
from litso.core import rows
from litso.departments.models import Department
from litso.sla import clock as sla_clock
from litso.staff.models import Role
from litso.tickets.actions.common import (
    check_actor_may_act,
    check_priority,
    lock,
    resolve_agent,
    resolve_department,
)
from litso.tickets.fields import check_values
from litso.tickets.models import RequestType, Status, Ticket
from litso.tickets.transitions import check_transition

if TYPE_CHECKING:
    from django.contrib.auth.models import User


# What apply_status may change.
STATUS_FIELDS = ("status", "solved_at", "auto_close_at", "closed_at", "reopens")


def apply_status(ticket: Ticket, new: str, actor: Actor, reason: str = "") -> None:
    """Set the status on a locked ticket (no save); the one place with the side rules."""
    old = ticket.status
    check_transition(old, new)
    if old == new:
        return
    now = timezone.now()
    ticket.status = new
    if new == Status.SOLVED:
        ticket.solved_at = now
        days = settings.LITSO_AUTO_CLOSE_DAYS
        ticket.auto_close_at = now + datetime.timedelta(days=days) if days > 0 else None
    else:
        ticket.auto_close_at = None
    if new == Status.CLOSED:
        ticket.closed_at = now
    if old == Status.SOLVED and new == Status.OPEN:
        ticket.reopens += 1
        ticket.solved_at = None
    record(ticket, actor, "status", field="status", old=old, new=new, reason=reason)


@transaction.atomic
def do_change_status(ticket: Ticket, new: str, actor: Actor, reason: str = "") -> Ticket:
    check_actor_may_act(actor, ticket)
    ticket = lock(ticket)
    apply_status(ticket, new, actor, reason)
    rows.update(ticket)
    sla_clock.on_ticket_event(ticket)
    return ticket


@transaction.atomic
def do_change_priority(ticket: Ticket, new: str, actor: Actor, reason: str = "") -> Ticket:
    check_priority(new)
    check_actor_may_act(actor, ticket)
    ticket = lock(ticket)
    if ticket.priority != new:
        record(
            ticket, actor, "priority", field="priority", old=ticket.priority, new=new, reason=reason
        )
        ticket.priority = new
        # Only what changed: a full-row UPDATE rewrites every one of the ticket's indexes.
        rows.update(ticket, ["priority", "updated_at"])
        sla_clock.on_ticket_event(ticket)
    return ticket


def check_assignee(user: User, department: Department) -> None:
    profile = user.agent
    if profile.role == Role.ADMIN:
        return
    if not profile.departments.filter(pk=department.pk).exists():
        raise ValidationError(
            {
                "assignee": f"{profile.display_name} ({user.get_username()}) does not work in "
                f"{department.name}"
            }
        )


@transaction.atomic
def do_assign(
    ticket: Ticket, assignee: User | int | str | None, actor: Actor, reason: str = ""
) -> Ticket:
    check_actor_may_act(actor, ticket)
    ticket = lock(ticket)
    user = resolve_agent(assignee) if assignee is not None else None
    if user is not None:
        check_assignee(user, ticket.department)
    if ticket.assignee_id == (user.pk if user else None):
        return ticket
    from litso.tickets.tasks import notify_assignee

    record(
        ticket,
        actor,
        "assign",
        field="assignee",
        old=ticket.assignee or "",
        new=user or "",
        reason=reason,
    )
    ticket.assignee = user
    rows.update(ticket, ["assignee", "updated_at"])
    if user is not None and (actor.user is None or actor.user.pk != user.pk):
        notify_assignee.enqueue(ticket.pk, user.pk)
    return ticket


def _move(ticket: Ticket, dept: Department, actor: Actor, reason: str) -> None:
    record(
        ticket,
        actor,
        "department",
        field="department",
        old=ticket.department,
        new=dept,
        reason=reason,
    )
    ticket.department = dept
    # The owner stays only if they work in the new department too.
    if ticket.assignee is not None:
        try:
            check_assignee(ticket.assignee, dept)
        except ValidationError:
            record(
                ticket,
                actor,
                "assign",
                field="assignee",
                old=ticket.assignee,
                new="",
                reason=f"{ticket.assignee} does not work in {dept.name}",
            )
            ticket.assignee = None


@transaction.atomic
def do_change_department(
    ticket: Ticket, department: Department | int | str, actor: Actor, reason: str = ""
) -> Ticket:
    dept = resolve_department(department)
    check_actor_may_act(actor, ticket)
    ticket = lock(ticket)
    if ticket.department_id != dept.pk:
        _move(ticket, dept, actor, reason)
        rows.update(ticket)
        sla_clock.on_ticket_event(ticket)
    return ticket


@transaction.atomic
def do_forward(
    ticket: Ticket, department: Department | int | str, actor: Actor, *, note: str
) -> Ticket:
    """Hand the ticket to another department with a note saying why; never a rejection."""
    from litso.tickets.actions.messages import do_add_note

    dept = resolve_department(department)
    check_actor_may_act(actor, ticket)
    if not note.strip():
        raise ValidationError({"note": "say why the ticket is forwarded"})
    ticket = lock(ticket)
    if ticket.department_id == dept.pk:
        raise ValidationError({"department": f"ticket #{ticket.number} is already in {dept.name}"})
    source = ticket.department
    do_add_note(ticket, actor, body_text=f"Forwarded from {source.name} to {dept.name}: {note}")
    record(ticket, actor, "forward", field="department", old=source, new=dept, reason=note)
    _move(ticket, dept, actor, reason=note)
    rows.update(ticket)
    sla_clock.on_ticket_event(ticket)
    return ticket


@transaction.atomic
def do_set_request_type(
    ticket: Ticket,
    request_type: RequestType | None,
    actor: Actor,
    custom_fields: dict[str, Any] | None = None,
) -> Ticket:
    check_actor_may_act(actor, ticket)
    ticket = lock(ticket)
    values = custom_fields if custom_fields is not None else ticket.custom_fields
    cleaned = check_values(request_type.fields, values) if request_type else {}
    if request_type is None and custom_fields:
        raise ValidationError({"custom_fields": "custom fields need a request type"})
    if ticket.request_type_id != (request_type.pk if request_type else None):
        record(
            ticket,
            actor,
            "request_type",
            field="request_type",
            old=ticket.request_type or "",
            new=request_type or "",
        )
        ticket.request_type = request_type
    if cleaned != ticket.custom_fields:
        record(
            ticket,
            actor,
            "custom_fields",
            field="custom_fields",
            old=ticket.custom_fields,
            new=cleaned,
        )
        ticket.custom_fields = cleaned
    rows.update(ticket)
    sla_clock.on_ticket_event(ticket)
    return ticket


@transaction.atomic
def do_escalate(ticket: Ticket, actor: Actor, reason: str) -> Ticket:
    """Put the ticket in front of the supervisors, whatever its department."""
    check_actor_may_act(actor, ticket)
    ticket = lock(ticket)
    if not ticket.escalated:
        record(ticket, actor, "escalate", field="escalated", old=False, new=True, reason=reason)
        ticket.escalated = True
        rows.update(ticket)
    return ticket
