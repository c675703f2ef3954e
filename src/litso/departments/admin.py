from django.contrib import admin

from litso.departments.models import Department


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "default_priority", "calendar", "active")
    list_filter = ("active",)
    search_fields = ("name", "description")
