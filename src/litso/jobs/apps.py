from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "litso.jobs"
    label = "jobs"
