from django.contrib import admin

from litso.tickets.models import Attachment, Message, RequestType, Tag, Ticket


class MessageInline(admin.StackedInline):
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
        "created_at",
    )
    readonly_fields = fields
    can_delete = False
    show_change_link = True


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
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
    raw_id_fields = ("customer", "assignee", "merged_into", "follow_up_of")
    readonly_fields = (
        "number",
        "created_at",
        "updated_at",
        "first_response_at",
        "solved_at",
        "closed_at",
        "customer_messages",
        "agent_replies",
        "reopens",
    )
    inlines = [MessageInline]
    show_full_result_count = False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("id", "ticket", "kind", "author_kind", "channel", "delivery", "created_at")
    list_filter = ("kind", "delivery", "channel")
    list_select_related = ("ticket",)
    raw_id_fields = ("ticket", "author_agent", "author_customer")
    show_full_result_count = False


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ("filename", "content_type", "size", "message")
    raw_id_fields = ("message", "blob")


@admin.register(RequestType)
class RequestTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "department", "active")


admin.site.register(Tag)
