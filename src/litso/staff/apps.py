from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "litso.staff"
    label = "staff"
