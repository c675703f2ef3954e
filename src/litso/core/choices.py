"""Vocabularies shared by several apps."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


PRIORITY_RANK = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2, Priority.URGENT: 3}


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    WEB = "web", _("Web form")
    CHAT = "chat", _("Chat")
    PHONE = "phone", _("Phone")
    API = "api", _("API")


class Language(models.TextChoices):
    EN = "en", "English"
    RU = "ru", "Русский"
    PL = "pl", "Polski"
