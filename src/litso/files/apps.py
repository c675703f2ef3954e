from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "litso.files"
    label = "files"
