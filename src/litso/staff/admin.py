from django.contrib import admin

from litso.staff.models import AgentProfile


@admin.register(AgentProfile)
class AgentProfileAdmin(admin.ModelAdmin):
    list_display = ("display_name", "user", "role", "on_shift", "max_load", "ui_language")
    list_filter = ("role", "on_shift", "departments")
    search_fields = ("display_name", "user__username", "user__email")
    filter_horizontal = ("departments",)
