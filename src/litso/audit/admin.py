from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from litso.audit.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "ticket",
        "verb",
        "field",
        "old_value",
        "new_value",
        "actor_kind",
        "actor",
        "rule_name",
    )
    list_filter = ("verb", "actor_kind")
    list_select_related = ("ticket", "actor")
    search_fields = ("ticket__number", "reason", "rule_name")
    raw_id_fields = ("ticket", "actor")

    def get_queryset(self, request: HttpRequest) -> Any:
        from litso.tickets.access import tickets_visible_to

        visible = tickets_visible_to(request.user).values("pk")
        return super().get_queryset(request).filter(ticket_id__in=visible)

    # The trail is append-only: admins read it, nobody edits it.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
