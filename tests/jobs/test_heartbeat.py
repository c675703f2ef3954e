from __future__ import annotations

import datetime

from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from litso.jobs.heartbeat import beat, requeue_orphaned_tasks
from litso.jobs.models import WorkerHeartbeat
from tests.jobs import tasks_for_tests


def running_task(worker_id: str, started_minutes_ago: int) -> DBTaskResult:
    result = tasks_for_tests.flaky.enqueue(0)
    started = timezone.now() - datetime.timedelta(minutes=started_minutes_ago)
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, worker_ids=[worker_id], started_at=started
    )
    return DBTaskResult.objects.get(pk=result.id)


def test_task_of_a_dead_worker_goes_back_to_the_queue(db):
    beat("alive", timezone.now())
    beat("dead", timezone.now())
    WorkerHeartbeat.objects.filter(worker_id="dead").update(
        beat_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    orphan = running_task("dead", started_minutes_ago=5)
    healthy = running_task("alive", started_minutes_ago=5)
    fresh = running_task("just-started", started_minutes_ago=0)

    assert requeue_orphaned_tasks() == 1
    statuses = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert statuses[orphan.pk] == TaskResultStatus.READY
    assert statuses[healthy.pk] == TaskResultStatus.RUNNING
    assert statuses[fresh.pk] == TaskResultStatus.RUNNING
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["alive"]
