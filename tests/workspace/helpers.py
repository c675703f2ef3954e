"""Small builders for workspace tests."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection
from django.utils import timezone

from litso.sla.models import TicketSla
from litso.tickets.models import Ticket


def set_due(ticket: Ticket, minutes: float, kind: str = "first_response_due") -> TicketSla:
    """Give the ticket an SLA deadline `minutes` from now (negative: already passed)."""
    due = timezone.now() + datetime.timedelta(minutes=minutes)
    sla, _ = TicketSla.objects.update_or_create(ticket=ticket, defaults={kind: due})
    return sla


def update(ticket: Ticket, **fields: Any) -> Ticket:
    """Set columns directly, for situations the actions would take long to reach."""
    Ticket.objects.filter(pk=ticket.pk).update(**fields)
    return Ticket.objects.get(pk=ticket.pk)


def plan_of(queryset: Any) -> str:
    """The database's plan for the queryset, as one string."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        else:
            # The test desk is tiny: make a sequential scan look as dear as it is at scale.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        return " ".join(str(row) for row in cursor.fetchall())
