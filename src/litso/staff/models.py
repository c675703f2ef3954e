from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from litso.core.choices import Language


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMIN = "admin", _("Administrator")


class AgentProfile(models.Model):
    """What the desk knows about a staff member beyond their sign-in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent"
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.AGENT)
    departments = models.ManyToManyField(
        "departments.Department", related_name="agents", blank=True, verbose_name=_("departments")
    )
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    # The name customers see ("my name is Elena"), never the sign-in name.
    display_name = models.CharField(_("display name"), max_length=100)
    max_load = models.PositiveIntegerField(_("maximum open tickets"), default=25)
    on_shift = models.BooleanField(_("on shift"), default=False)
    # Round-robin among equally loaded agents: the one assigned longest ago goes first.
    last_assigned_at = models.DateTimeField(_("last assigned"), null=True, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    ui_language = models.CharField(
        _("interface language"), max_length=5, choices=Language.choices, default=Language.EN
    )

    class Meta:
        verbose_name = _("agent profile")
        verbose_name_plural = _("agent profiles")

    def __str__(self) -> str:
        return f"{self.display_name} ({self.get_role_display()})"

    def department_ids(self) -> list[int]:
        """The agent's departments' ids, from the process's memberships (memberships.py),
        read once per profile object (that is, per request)."""
        from litso.staff.memberships import department_ids_of

        ids: list[int] | None = self.__dict__.get("_department_ids")
        if ids is None:
            ids = department_ids_of(self.pk)
            self.__dict__["_department_ids"] = ids
        return ids

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_supervisor(self) -> bool:
        return self.role in (Role.SUPERVISOR, Role.ADMIN)


@receiver(m2m_changed, sender=AgentProfile.departments.through)
def _forget_department_ids(sender: object, instance: object, **kwargs: object) -> None:
    if isinstance(instance, AgentProfile):
        instance.__dict__.pop("_department_ids", None)
