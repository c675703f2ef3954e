from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from litso.core.choices import Priority


class Department(models.Model):
    """A queue of requests and the team that works it (Sales, Billing, …)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    # Mail sent to any of these addresses lands in this department.
    inbound_addresses = models.JSONField(_("inbound addresses"), default=list, blank=True)
    default_priority = models.CharField(
        _("default priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    active = models.BooleanField(_("active"), default=True)
    auto_assign = models.BooleanField(
        _("assign new tickets automatically"),
        default=True,
        help_text=_("To the least-loaded on-shift agent who speaks the ticket's language."),
    )
    # Business hours for SLA deadlines of this department's tickets (a policy may override).
    calendar = models.ForeignKey(
        "sla.BusinessCalendar",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="departments",
        verbose_name=_("calendar"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name
