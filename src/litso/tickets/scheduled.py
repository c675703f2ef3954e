"""Time-driven ticket work, claimed from indexed due-at columns by the scheduler loop."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from litso.audit.record import Actor
from litso.jobs.scheduler import claim_due, periodic
from litso.tickets.actions.changes import apply_status
from litso.tickets.models import Status, Ticket
from litso.triage.models import TicketTriage

BATCH = 500


@periodic("tickets.auto_close_solved", every_seconds=60)
def auto_close_solved() -> int:
    """Close solved tickets the customer has not answered within LITSO_AUTO_CLOSE_DAYS."""
    total = 0
    actor = Actor.system(f"solved and unanswered for {settings.LITSO_AUTO_CLOSE_DAYS} days")
    while True:
        with transaction.atomic():
            due = claim_due(
                Ticket.objects.filter(auto_close_at__lte=timezone.now(), status=Status.SOLVED)
                # An abusive or very angry customer's ticket is never closed by a timer. (A
                # subquery, not a join: PostgreSQL cannot lock rows of an outer join.)
                .exclude(Exists(TicketTriage.objects.filter(ticket=OuterRef("pk"), abusive=True)))
                .order_by("auto_close_at"),
                BATCH,
            )
            for ticket in due:
                apply_status(ticket, Status.CLOSED, actor)
                ticket.save(update_fields=["status", "closed_at", "auto_close_at", "updated_at"])
        total += len(due)
        if len(due) < BATCH:
            return total
