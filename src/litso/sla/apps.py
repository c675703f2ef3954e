from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "litso.sla"
    label = "sla"
    verbose_name = "SLA"

    def ready(self) -> None:
        # Saving a calendar or a policy recomputes the open tickets' deadlines.
        from litso.sla import signals  # noqa: F401
