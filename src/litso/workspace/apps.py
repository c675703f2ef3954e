from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "litso.workspace"
    label = "workspace"
