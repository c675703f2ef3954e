from django.contrib import admin

from litso.jobs.models import SchedulerRun, WorkerHeartbeat


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("worker_id", "hostname", "pid", "started_at", "beat_at")


@admin.register(SchedulerRun)
class SchedulerRunAdmin(admin.ModelAdmin):
    list_display = ("name", "last_started_at", "last_finished_at", "last_count", "last_error")
