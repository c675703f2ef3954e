from django.apps import AppConfig


class DepartmentsConfig(AppConfig):
    name = "litso.departments"
    label = "departments"
