"""Admin pages: triage rules (edited here), and what triage decided (read-only)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from litso.core.admin import ReadOnlyAdmin
from litso.triage.models import MessageFlag, TicketTriage, TrainedRouter, TriageRule


@admin.register(TriageRule)
class TriageRuleAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "position",
        "active",
        "stop_processing",
        "set_department",
        "set_priority",
    )
    list_editable = ("position", "active")
    list_filter = ("active",)
    search_fields = ("name",)
    fieldsets = (
        (None, {"fields": ("name", "position", "active", "stop_processing")}),
        (
            _("Conditions (every one given must match)"),
            {
                "fields": (
                    "senders",
                    "recipients",
                    "subject_contains",
                    "body_contains",
                    "pattern",
                    "channel",
                    "organisation",
                    "language",
                    ("time_from", "time_until"),
                )
            },
        ),
        (
            _("Actions"),
            {
                "fields": (
                    "set_department",
                    "set_priority",
                    "set_request_type",
                    "add_tags",
                    "set_assignee",
                )
            },
        ),
    )


@admin.register(TicketTriage)
class TicketTriageAdmin(ReadOnlyAdmin):
    list_display = (
        "ticket",
        "language",
        "routed_by",
        "needs_review",
        "abusive",
        "chase_count",
        "waiting_for_agent",
    )
    list_filter = ("needs_review", "abusive", "waiting_for_agent", "language")
    list_select_related = ("ticket",)
    raw_id_fields = ("ticket", "chase_of")


@admin.register(MessageFlag)
class MessageFlagAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "score", "created_at")
    list_select_related = ("ticket",)
    raw_id_fields = ("message", "ticket")


@admin.register(TrainedRouter)
class TrainedRouterAdmin(ReadOnlyAdmin):
    list_display = (
        "target",
        "trained_at",
        "examples",
        "corrections",
        "holdout_accuracy",
        "seconds",
    )
    list_filter = ("target",)
