from django.contrib import admin
from django.urls import include, path

from litso.core import views

admin.site.site_header = "Litso"
admin.site.site_title = "Litso"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # The agent workspace: `/` is the inbox.
    path("", include("litso.workspace.urls")),
]
