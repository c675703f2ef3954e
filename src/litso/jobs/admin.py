from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from litso.jobs.models import SchedulerRun, WorkerHeartbeat


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("worker_id", "hostname", "pid", "started_at", "beat_at")


@admin.register(SchedulerRun)
class SchedulerRunAdmin(admin.ModelAdmin):
    list_display = ("name", "last_started_at", "last_finished_at", "last_count", "last_error")


admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    """Failed background work, where admins look for it, with a way to run it again."""

    list_display = ("task_name", "status", "enqueued_at", "finished_at", "queue_name", "error")  # type: ignore[assignment]
    actions = ["run_again"]

    @admin.display(description="error")
    def error(self, obj: DBTaskResult) -> str:
        lines = obj.traceback.strip().splitlines()
        return lines[-1] if lines else ""

    @admin.action(description="Run the selected failed tasks again")
    def run_again(self, request: HttpRequest, queryset: QuerySet[DBTaskResult]) -> None:
        count = queryset.filter(status=TaskResultStatus.FAILED).update(
            status=TaskResultStatus.READY,
            run_after=timezone.now(),
            started_at=None,
            finished_at=None,
            exception_class_path="",
            traceback="",
        )
        self.message_user(request, f"{count} task(s) queued again.", messages.SUCCESS)
