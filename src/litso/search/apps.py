from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "litso.search"
    label = "search"
