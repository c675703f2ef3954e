from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "litso.triage"
    label = "triage"
