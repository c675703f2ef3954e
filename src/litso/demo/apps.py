from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "litso.demo"
    label = "demo"
