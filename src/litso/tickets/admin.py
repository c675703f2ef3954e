"""The admin shows tickets as the permission rules allow and changes them only via actions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from litso.audit.record import Actor
from litso.tickets.access import tickets_visible_to
from litso.tickets.actions import do_bulk_change
from litso.tickets.models import Attachment, Message, RequestType, Status, Tag, Ticket


class ReadOnly:
    """Rows owned by the action layer: an admin form would change them without an audit event."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MessageInline(ReadOnly, admin.StackedInline):
    model = Message
    extra = 0
    fields = (
        "kind",
        "author_kind",
        "author_agent",
        "channel",
        "subject",
        "body_text",
        "delivery",
        "delivery_error",
        "created_at",
    )
    readonly_fields = fields
    show_change_link = True


@admin.register(Ticket)
class TicketAdmin(ReadOnly, admin.ModelAdmin):
    list_display = (
        "number",
        "subject",
        "status",
        "priority",
        "department",
        "assignee",
        "customer",
        "channel",
        "created_at",
    )
    list_filter = ("status", "priority", "channel", "department", "escalated")
    list_select_related = ("department", "assignee", "customer")
    search_fields = ("=number", "subject")
    inlines = [MessageInline]
    show_full_result_count = False
    actions = ["assign_to_me", "mark_open", "mark_solved", "raise_priority"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Ticket]:
        return tickets_visible_to(request.user).select_related("department", "assignee", "customer")

    def _bulk(self, request: HttpRequest, queryset: QuerySet[Ticket], **change: Any) -> None:
        result = do_bulk_change(queryset, Actor.agent(request.user), **change)  # type: ignore[arg-type]
        if result.changed:
            self.message_user(
                request, f"{len(result.changed)} ticket(s) changed.", messages.SUCCESS
            )
        for number, reason in result.failed.items():
            self.message_user(request, f"#{number}: {reason}", messages.ERROR)

    @admin.action(description="Assign to me")
    def assign_to_me(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> None:
        self._bulk(request, queryset, assignee=request.user)

    @admin.action(description="Set status: open")
    def mark_open(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> None:
        self._bulk(request, queryset, status=Status.OPEN)

    @admin.action(description="Set status: solved")
    def mark_solved(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> None:
        self._bulk(request, queryset, status=Status.SOLVED)

    @admin.action(description="Set priority: high")
    def raise_priority(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> None:
        self._bulk(request, queryset, priority="high")


@admin.register(Message)
class MessageAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("id", "ticket", "kind", "author_kind", "channel", "delivery", "created_at")
    list_filter = ("kind", "delivery", "channel")
    list_select_related = ("ticket",)
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Message]:
        visible = tickets_visible_to(request.user).values("pk")
        return super().get_queryset(request).filter(ticket_id__in=visible)


@admin.register(Attachment)
class AttachmentAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("filename", "content_type", "size", "message")
    list_select_related = ("message",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Attachment]:
        visible = tickets_visible_to(request.user).values("pk")
        return super().get_queryset(request).filter(message__ticket_id__in=visible)


@admin.register(RequestType)
class RequestTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "department", "active")


admin.site.register(Tag)
