from django.contrib import admin
from django.urls import path

from litso.core import views

admin.site.site_header = "Litso"
admin.site.site_title = "Litso"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
