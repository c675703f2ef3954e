from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "litso.core"
    label = "core"

    def ready(self) -> None:
        from litso.core import checks  # noqa: F401  (registers the checks)
