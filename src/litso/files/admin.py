from django.contrib import admin

from litso.files.models import Blob


@admin.register(Blob)
class BlobAdmin(admin.ModelAdmin):
    list_display = ("sha256", "size", "created_at")
    search_fields = ("sha256",)
