"""Calendars and policies for SLA tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litso.sla.models import BusinessCalendar, SlaPolicy
from litso.tickets.models import Ticket

WARSAW_SPEC = {
    "timezone": "Europe/Warsaw",
    "week": {
        day: [["09:00", "13:00"], ["14:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")
    },
    "holidays": "PL",
}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def make_calendar(
    name: str = "Warsaw office", spec: dict[str, Any] | None = None
) -> BusinessCalendar:
    return BusinessCalendar.objects.create(name=name, spec=spec or WARSAW_SPEC)


def make_policy(name: str = "Standard", **fields: Any) -> SlaPolicy:
    departments = fields.pop("departments", [])
    policy = SlaPolicy.objects.create(name=name, **fields)
    policy.departments.set(departments)
    return policy


def backdate(ticket: Ticket, created_at: datetime) -> Ticket:
    Ticket.objects.filter(pk=ticket.pk).update(created_at=created_at)
    return Ticket.objects.get(pk=ticket.pk)


def age(ticket: Ticket, minutes: int) -> Ticket:
    """Pretend the ticket was opened `minutes` ago, and recompute its clock."""
    from datetime import timedelta

    from django.utils import timezone

    from litso.sla.clock import on_ticket_event
    from litso.sla.models import TicketSla

    created = timezone.now() - timedelta(minutes=minutes)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=created)
    TicketSla.objects.filter(ticket=ticket).update(update_cycle_start=created)
    ticket = Ticket.objects.get(pk=ticket.pk)
    on_ticket_event(ticket)
    return ticket
