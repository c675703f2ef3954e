from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from litso.jobs.durable import backoff_seconds
from litso.jobs.runner import run_pending_tasks
from tests.jobs import tasks_for_tests


@pytest.fixture(autouse=True)
def _reset_calls():
    tasks_for_tests.CALLS.clear()


def make_due_now():
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())


def test_a_failing_task_is_retried_later_then_succeeds(db):
    tasks_for_tests.flaky.enqueue(1)
    assert run_pending_tasks() == 1
    first = DBTaskResult.objects.get(status=TaskResultStatus.SUCCESSFUL)
    assert first.return_value["retried"] is True
    assert "SMTP down" in first.return_value["error"]
    retry = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    # The retry waits: running now does nothing.
    assert retry.run_after > timezone.now() + datetime.timedelta(seconds=5)
    assert run_pending_tasks() == 0
    make_due_now()
    assert run_pending_tasks() == 1
    retry.refresh_from_db()
    assert retry.status == TaskResultStatus.SUCCESSFUL
    assert retry.return_value == "done"
    assert retry.args_kwargs["kwargs"] == {"_attempt": 2}


def test_a_task_that_keeps_failing_ends_failed_for_admins(db):
    tasks_for_tests.flaky.enqueue(99)
    for _ in range(3):
        make_due_now()
        run_pending_tasks()
    failed = DBTaskResult.objects.filter(status=TaskResultStatus.FAILED)
    assert failed.count() == 1
    assert "SMTP down (call 3)" in failed.get().traceback
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()


def test_backoff_grows_and_is_capped():
    assert 8 <= backoff_seconds(1) <= 12
    assert 32 <= backoff_seconds(3) <= 48
    assert backoff_seconds(30) <= 3600 * 1.2
