"""Admin pages for calendars and SLA policies; a ticket's clock and breaches, read-only.

Calendars and policies are edited through the forms of `litso.sla.forms` (hours per weekday,
multi-selects of conditions), whose checks name the problem next to the field; both are
still stored as the JSON the engine reads.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from litso.core.admin import ReadOnlyAdmin
from litso.sla.forms import BusinessCalendarForm, SlaPolicyForm
from litso.sla.models import BusinessCalendar, SlaBreach, SlaPolicy, TicketSla
from litso.sla.spec import WEEKDAYS


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    form = BusinessCalendarForm
    list_display = ("name", "timezone")
    search_fields = ("name",)
    fieldsets = (
        (None, {"fields": ("name", "timezone")}),
        (_("Weekly hours"), {"fields": WEEKDAYS}),
        (_("Exceptions"), {"fields": ("holidays", "closed", "open")}),
    )

    @admin.display(description="time zone")
    def timezone(self, obj: BusinessCalendar) -> str:
        return str(obj.spec.get("timezone", "")) if isinstance(obj.spec, dict) else ""


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    form = SlaPolicyForm
    list_display = (
        "name",
        "position",
        "active",
        "calendar",
        "first_response_minutes",
        "next_response_minutes",
        "periodic_update_minutes",
        "resolution_minutes",
    )
    list_editable = ("position", "active")
    list_filter = ("active", "calendar")
    filter_horizontal = ("departments", "organisations", "request_types")
    fieldsets = (
        (None, {"fields": ("name", "position", "active", "calendar", "business_time")}),
        (
            _("Conditions (empty matches every ticket)"),
            {
                "fields": (
                    "priorities",
                    "channels",
                    "tags",
                    "departments",
                    "organisations",
                    "request_types",
                )
            },
        ),
        (
            _("Targets, in minutes"),
            {
                "fields": (
                    "first_response_minutes",
                    "next_response_minutes",
                    "periodic_update_minutes",
                    "resolution_minutes",
                    "paused_statuses",
                    "warn_at_percent",
                )
            },
        ),
        (
            _("Actions"),
            {
                "fields": (
                    "notify_assignee",
                    "notify_supervisor",
                    "raise_priority",
                    "reassign_on_shift",
                    "send_customer_update",
                    "remind_agent",
                )
            },
        ),
    )


@admin.register(TicketSla)
class TicketSlaAdmin(ReadOnlyAdmin):
    list_display = (
        "ticket",
        "policy",
        "first_response_due",
        "next_response_due",
        "periodic_update_due",
        "resolution_due",
        "next_timer_at",
        "silence_gaps",
    )
    list_select_related = ("ticket", "policy")
    raw_id_fields = ("ticket",)


@admin.register(SlaBreach)
class SlaBreachAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "kind", "due_at", "breached_at", "policy")
    list_filter = ("kind",)
    list_select_related = ("ticket", "policy")
    raw_id_fields = ("ticket",)
