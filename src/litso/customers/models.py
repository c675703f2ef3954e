from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from litso.core.choices import Language


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    domains = models.JSONField(_("mail domains"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Customer(models.Model):
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    # How the customer asked to be addressed ("Pani Anno", "Иван Петрович", "Sam").
    address_as = models.CharField(_("address as"), max_length=200, blank=True)
    language = models.CharField(
        _("preferred language"), max_length=5, choices=Language.choices, blank=True
    )
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customers",
        verbose_name=_("organisation"),
    )
    notes = models.TextField(_("notes"), blank=True)
    # Set when the customer signs in to the portal.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customer",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["full_name", "pk"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return self.full_name or f"customer #{self.pk}"

    @property
    def salutation(self) -> str:
        return self.address_as or self.full_name


class ContactKind(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    CHAT = "chat", _("Chat id")


class ContactPoint(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(_("kind"), max_length=10, choices=ContactKind.choices)
    # Stored normalised (see customers.contacts.normalise) so lookups are exact.
    value = models.CharField(_("value"), max_length=320)
    # Set when mail to this address bounced: agents must see the customer did not get it.
    undeliverable_reason = models.CharField(_("undeliverable"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="contact_unique_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"
