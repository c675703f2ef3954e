from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LoginFailure(models.Model):
    """One failed sign-in: counted per user name and address to lock out password guessing.

    Rows, not the cache: the count must hold across web processes and restarts, and a few
    rows per failure are nothing next to the argon2 hash every attempt already costs.
    """

    username = models.CharField(max_length=150)
    ip = models.CharField(max_length=45)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["username", "ip", "at"], name="login_failure_key")]

    def __str__(self) -> str:
        return f"{self.username} from {self.ip} at {self.at:%Y-%m-%d %H:%M}"


class Presence(models.Model):
    """An agent with a ticket open ("viewing"), or typing a reply to it, until it goes stale.

    A table, not the cache: web processes (and hosts) share no memory, and the default cache
    is per process. One row per agent and ticket, upserted by the live stream's heartbeat and
    by the reply box; a row whose ``seen_at`` is older than ``presence.TTL`` means nobody.
    """

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(db_index=True)
    replying_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # Leads with ticket: "who else is on this ticket" is the query asked every poll.
            models.UniqueConstraint(fields=["ticket", "user"], name="presence_ticket_user")
        ]

    def __str__(self) -> str:
        return f"user {self.user_id} on ticket {self.ticket_id} at {self.seen_at:%H:%M:%S}"


class CannedAnswer(models.Model):
    """A prepared reply an agent inserts and edits, written once per desk language.

    Three text fields rather than JSON: the admin form then shows and checks each language
    on its own, with the error next to the text that has it. English is required, as the
    fallback for tickets in a language with no text of its own.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    text_en = models.TextField(_("text in English"))
    text_ru = models.TextField(_("text in Russian"), blank=True)
    text_pl = models.TextField(_("text in Polish"), blank=True)
    departments = models.ManyToManyField(
        "departments.Department",
        blank=True,
        related_name="+",
        verbose_name=_("departments"),
        help_text=_("Offered on tickets of these departments only; none means every department."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("canned answer")
        verbose_name_plural = _("canned answers")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from litso.workspace.canned import check_placeholders

        check_placeholders(self)


class SavedView(models.Model):
    """An agent's own inbox view: a queue with filters and a sort, under a name they chose.

    The filters are kept as the query string the inbox reads (``status=open&sort=oldest``),
    so a saved view is exactly the page the agent was looking at, and filters the inbox
    learns later need no change here.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(_("name"), max_length=60)
    # The inbox view (queue) the filters apply to: "mine", "department-3", …
    view = models.CharField(_("inbox view"), max_length=40)
    query = models.CharField(_("filters"), max_length=500, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_view_user_name")
        ]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")

    def __str__(self) -> str:
        return self.name
