from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SearchConfig(AppConfig):
    name = "litso.search"
    label = "search"

    def ready(self) -> None:
        post_migrate.connect(_repair_index, sender=self)


def _repair_index(using: str = "default", **kwargs: Any) -> None:
    # Other apps' migrations can drop the index's triggers on SQLite (see schema.py).
    from litso.search.schema import repair

    repair(using)
