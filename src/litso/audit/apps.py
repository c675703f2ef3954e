from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "litso.audit"
    label = "audit"
