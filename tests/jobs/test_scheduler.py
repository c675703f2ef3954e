from __future__ import annotations

import datetime

from django.core.management import call_command
from django.utils import timezone

from litso.audit.models import Event
from litso.audit.record import Actor
from litso.jobs.models import SchedulerRun
from litso.jobs.scheduler import _JOBS, PeriodicJob, Scheduler
from litso.tickets.actions import do_change_status
from litso.tickets.models import Status, Ticket


def test_solved_tickets_are_closed_when_due_and_only_once(desk):
    due = desk.open()
    later = desk.open()
    for ticket in (due, later):
        do_change_status(ticket, Status.SOLVED, Actor.agent(desk.agent_a))
    Ticket.objects.filter(pk=due.pk).update(
        auto_close_at=timezone.now() - datetime.timedelta(minutes=1)
    )

    first = Scheduler().run_once()
    assert first["tickets.auto_close_solved"] == 1
    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, due.auto_close_at) == (Status.CLOSED, None)
    assert due.closed_at is not None
    assert later.status == Status.SOLVED
    event = Event.objects.get(ticket=due, verb="status", new_value="closed")
    assert event.actor_kind == "system"
    assert "unanswered" in event.reason

    assert Scheduler().run_once()["tickets.auto_close_solved"] == 0
    assert SchedulerRun.objects.get(name="tickets.auto_close_solved").last_count == 0


def test_one_failing_job_does_not_stop_the_others(db, monkeypatch):
    def broken() -> int:
        raise RuntimeError("boom")

    jobs = {"broken": PeriodicJob("broken", 1, broken), **_JOBS}
    monkeypatch.setattr("litso.jobs.scheduler.jobs", lambda: jobs)
    done = Scheduler().run_once()
    assert done["broken"] == 0
    assert "tickets.auto_close_solved" in done
    assert SchedulerRun.objects.get(name="broken").last_error == "RuntimeError: boom"


def test_jobs_wait_for_their_interval(db):
    scheduler = Scheduler()
    assert scheduler.run_once()
    assert scheduler.run_once() == {}


def test_scheduler_command_once(db, capsys):
    call_command("scheduler", "--once")
    assert "tickets.auto_close_solved: 0" in capsys.readouterr().out
