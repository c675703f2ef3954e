from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "litso.staff"
    label = "staff"

    def ready(self) -> None:
        # Connects the memberships cache to the signals that drop it, before any change.
        from litso.staff import memberships  # noqa: F401
