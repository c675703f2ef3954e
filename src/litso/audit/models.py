from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ActorKind(models.TextChoices):
    AGENT = "agent", _("Agent")
    CUSTOMER = "customer", _("Customer")
    RULE = "rule", _("Rule")
    SYSTEM = "system", _("System")


class AppendOnlyError(RuntimeError):
    pass


class Event(models.Model):
    """One change to a ticket: who, when, which field, old → new, and why. Never edited."""

    # event_ticket_time (Meta) leads with ticket; a second index would only slow writes.
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="events", db_index=False
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    actor_kind = models.CharField(_("actor kind"), max_length=10, choices=ActorKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The rule's name when a rule acted, so "why" is answerable later.
    rule_name = models.CharField(_("rule"), max_length=200, blank=True)
    verb = models.CharField(_("what"), max_length=40)
    field = models.CharField(_("field"), max_length=40, blank=True)
    old_value = models.TextField(_("old"), blank=True)
    new_value = models.TextField(_("new"), blank=True)
    reason = models.TextField(_("why"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [models.Index(fields=["ticket", "created_at"], name="event_ticket_time")]

    def __str__(self) -> str:
        if self.field:
            return f"{self.verb} {self.field}: {self.old_value} → {self.new_value}"
        return self.verb

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("audit events are never changed")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit events are never deleted")
