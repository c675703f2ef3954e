"""Triage's time-driven work: waiting tickets get owners; the routers relearn every night."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from litso.jobs.scheduler import periodic
from litso.triage.assignment import assign_waiting
from litso.triage.models import TrainedRouter

# Local hour at which the nightly training is queued.
TRAIN_HOUR = 3


@periodic("triage.assign_waiting", every_seconds=30)
def assign_waiting_tickets() -> int:
    """Covers shifts started outside the action (the admin) and agents whose load dropped."""
    return assign_waiting()


@periodic("triage.nightly_training", every_seconds=600)
def queue_nightly_training() -> int:
    from litso.triage.tasks import train_routers

    now = timezone.localtime()
    newest = TrainedRouter.objects.order_by("-trained_at").values_list("trained_at", flat=True)
    last = newest.first()
    due = last is None or now - last > timedelta(hours=20)
    if due and (now.hour == TRAIN_HOUR or (last is None and settings.LITSO_TRIAGE_TRAIN_AT_ONCE)):
        train_routers.enqueue()
        return 1
    return 0
