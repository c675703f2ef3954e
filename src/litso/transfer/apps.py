from django.apps import AppConfig


class TransferConfig(AppConfig):
    name = "litso.transfer"
    label = "transfer"
