from __future__ import annotations

from django.test import Client
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from litso.jobs.runner import run_pending_tasks
from tests.jobs import tasks_for_tests


def test_admins_see_failed_tasks_and_can_run_them_again(desk, client: Client) -> None:
    tasks_for_tests.CALLS.clear()
    tasks_for_tests.flaky.enqueue(3)
    for _ in range(3):
        DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())
        run_pending_tasks()
    failed = DBTaskResult.objects.get(status=TaskResultStatus.FAILED)
    # The third attempt failed; the task succeeds on the next call.
    desk.admin.is_staff = desk.admin.is_superuser = True
    desk.admin.save()
    client.force_login(desk.admin)
    page = client.get("/admin/django_tasks_database/dbtaskresult/?status__exact=FAILED")
    assert page.status_code == 200
    assert b"SMTP down (call 3)" in page.content

    response = client.post(
        "/admin/django_tasks_database/dbtaskresult/",
        {"action": "run_again", "_selected_action": [str(failed.pk)]},
    )
    assert response.status_code == 302
    assert run_pending_tasks() == 1
    failed.refresh_from_db()
    assert failed.status == TaskResultStatus.SUCCESSFUL
