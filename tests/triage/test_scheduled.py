from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from litso.staff.models import AgentProfile
from litso.triage import scheduled
from litso.triage.assignment import do_auto_assign
from litso.triage.models import TicketTriage, TrainedRouter
from tests.conftest import Desk

pytestmark = pytest.mark.django_db


def training_tasks() -> int:
    return sum(t.task_path.endswith("train_routers") for t in DBTaskResult.objects.all())


def test_a_waiting_ticket_gets_the_agent_who_comes_on_shift_in_the_admin(desk: Desk) -> None:
    AgentProfile.objects.update(on_shift=False)
    ticket = do_auto_assign(desk.open())
    assert TicketTriage.objects.get(ticket=ticket).waiting_for_agent
    AgentProfile.objects.filter(user=desk.agent_a).update(on_shift=True)
    assert scheduled.assign_waiting_tickets() == 1
    ticket.refresh_from_db()
    assert ticket.assignee == desk.agent_a


def test_training_is_queued_at_night_once(monkeypatch: pytest.MonkeyPatch, settings) -> None:  # type: ignore[no-untyped-def]
    settings.LITSO_TRIAGE_TRAIN_AT_ONCE = False
    day = timezone.make_aware(datetime(2026, 5, 4, 14, 0))
    night = timezone.make_aware(datetime(2026, 5, 4, scheduled.TRAIN_HOUR, 5))
    monkeypatch.setattr(scheduled.timezone, "localtime", lambda: day)
    assert scheduled.queue_nightly_training() == 0
    monkeypatch.setattr(scheduled.timezone, "localtime", lambda: night)
    assert scheduled.queue_nightly_training() == 1
    assert training_tasks() == 1
    TrainedRouter.objects.create(target="department", path="x", examples=1, seconds=1)
    TrainedRouter.objects.update(trained_at=night)
    # Trained tonight already: not again.
    assert scheduled.queue_nightly_training() == 0


def test_a_desk_without_a_router_trains_at_once_when_allowed(settings) -> None:  # type: ignore[no-untyped-def]
    settings.LITSO_TRIAGE_TRAIN_AT_ONCE = True
    assert scheduled.queue_nightly_training() == 1
    assert training_tasks() == 1
