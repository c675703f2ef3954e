"""What triage decided about a ticket, the admin's rules, and the trained routers."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from litso.core.choices import Channel, Language, Priority


class TriageRule(models.Model):
    """If every condition given matches a new ticket, apply every action given.

    Rules run in order of position before the learned router; a department set by a rule is
    final for the router. Conditions are plain fields, not JSON, so the admin form explains
    itself and validates each one.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    position = models.PositiveIntegerField(_("position"), default=100)
    active = models.BooleanField(_("active"), default=True)
    stop_processing = models.BooleanField(
        _("stop after this rule"),
        default=False,
        help_text=_("When this rule matches, later rules are not evaluated."),
    )

    senders = models.TextField(
        _("sender is"),
        blank=True,
        help_text=_("One per line: an address (anna@example.com) or a domain (example.com)."),
    )
    recipients = models.TextField(
        _("sent to"), blank=True, help_text=_("One address per line: the desk address written to.")
    )
    subject_contains = models.CharField(
        _("subject contains"),
        max_length=200,
        blank=True,
        help_text=_("Any of these words or phrases, separated by commas; case does not matter."),
    )
    body_contains = models.CharField(
        _("text contains"),
        max_length=200,
        blank=True,
        help_text=_("Any of these words or phrases, separated by commas; case does not matter."),
    )
    pattern = models.CharField(
        _("subject or text matches"),
        max_length=300,
        blank=True,
        help_text=_("A regular expression, searched in the subject and the text."),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, blank=True)
    organisation = models.ForeignKey(
        "customers.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        verbose_name=_("customer organisation"),
    )
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, blank=True)
    time_from = models.TimeField(
        _("received from"), null=True, blank=True, help_text=_("In the desk's time zone.")
    )
    time_until = models.TimeField(_("received until"), null=True, blank=True)

    set_department = models.ForeignKey(
        "departments.Department",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("send to department"),
    )
    set_priority = models.CharField(
        _("set priority"), max_length=10, choices=Priority.choices, blank=True
    )
    set_request_type = models.ForeignKey(
        "tickets.RequestType",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("set request type"),
    )
    add_tags = models.CharField(
        _("add tags"), max_length=200, blank=True, help_text=_("Separated by commas.")
    )
    set_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("assign to"),
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("triage rule")
        verbose_name_plural = _("triage rules")

    def __str__(self) -> str:
        return self.name

    CONDITIONS = (
        "senders",
        "recipients",
        "subject_contains",
        "body_contains",
        "pattern",
        "channel",
        "organisation",
        "language",
        "time_from",
    )
    ACTIONS = ("set_department", "set_priority", "set_request_type", "add_tags", "set_assignee")

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if not any(getattr(self, name) for name in self.CONDITIONS):
            errors["senders"] = str(_("A rule needs at least one condition."))
        if not any(getattr(self, name) for name in self.ACTIONS):
            errors["set_department"] = str(_("A rule needs at least one action."))
        if self.pattern:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                errors["pattern"] = str(_("Not a valid regular expression: %(error)s")) % {
                    "error": exc
                }
        if (self.time_from is None) != (self.time_until is None):
            errors["time_until"] = str(_("Give both times of the window, or neither."))
        if errors:
            raise ValidationError(errors)


class TicketTriage(models.Model):
    """Triage's view of one ticket: language, predictions and why, abuse, chasing, waiting."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, primary_key=True, related_name="triage"
    )
    language = models.CharField(_("detected language"), max_length=5, blank=True)
    # {"department": {"label", "confidence", "alternatives", "evidence"}, "request_type": …}
    predictions = models.JSONField(_("predictions"), default=dict, blank=True)
    routed_by = models.CharField(_("routed by"), max_length=120, blank=True)
    # The router was not sure: a person must confirm the department (the triage view).
    needs_review = models.BooleanField(_("needs review"), default=False, db_index=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    abuse_score = models.FloatField(_("abuse score"), default=0.0)
    abuse_reasons = models.JSONField(_("abuse reasons"), default=list, blank=True)
    abusive = models.BooleanField(_("abusive"), default=False, db_index=True)
    chase_count = models.PositiveIntegerField(_("chases"), default=0)
    last_chased_at = models.DateTimeField(null=True, blank=True)
    chase_of = models.ForeignKey(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chases",
        verbose_name=_("chase of"),
    )
    # Needs an owner but nobody who can take it is on shift; assigned when someone starts.
    waiting_for_agent = models.BooleanField(_("waiting for an agent"), default=False)

    class Meta:
        verbose_name = _("ticket triage")
        verbose_name_plural = _("ticket triage")
        # The inbox asks for "abusive" as a bare boolean term, which no plain index answers.
        indexes = [
            models.Index(
                fields=["ticket"], name="triage_abusive", condition=models.Q(abusive=True)
            ),
            models.Index(
                fields=["ticket"], name="triage_needs_review", condition=models.Q(needs_review=True)
            ),
            # The dashboard's "waiting for an agent on shift" and the assignment on a shift
            # change. Few tickets wait; a plain index on the flag is one SQLite's statistics
            # call useless (half the rows per value), so it scanned every triage row (a million
            # rows, 60 ms, twice a dashboard).
            models.Index(
                fields=["ticket"], name="triage_waiting", condition=models.Q(waiting_for_agent=True)
            ),
            # Almost every ticket chases nothing: SQLite's statistics then call the plain
            # chase_of index useless and scan the table; this one holds only the chases.
            models.Index(
                fields=["chase_of"],
                name="triage_chase_of",
                condition=models.Q(chase_of__isnull=False),
            ),
            # The dashboard's "customers chasing", most chased first: walked in this order
            # until enough visible open tickets are found, instead of a scan of every triage
            # row (one per ticket) and a sort of every chased ticket. On PostgreSQL migration
            # 0005 rebuilds it with last_chased_at DESC NULLS LAST (SQLite's order already;
            # its CREATE INDEX takes no NULLS clause): keep that if this index ever changes.
            models.Index(
                fields=["-chase_count", "-last_chased_at", "ticket"],
                name="triage_chased",
                condition=models.Q(chase_count__gt=0),
            ),
        ]

    def __str__(self) -> str:
        return f"triage of ticket {self.ticket_id}"


class MessageFlag(models.Model):
    """An abusive, obscene or very angry customer message, with its score and the reasons."""

    message = models.OneToOneField(
        "tickets.Message", on_delete=models.CASCADE, related_name="abuse_flag"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="abuse_flags"
    )
    score = models.FloatField(_("score"))
    reasons = models.JSONField(_("reasons"), default=list)
    guidance = models.TextField(_("guidance for the agent"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("abusive message")
        verbose_name_plural = _("abusive messages")

    def __str__(self) -> str:
        return f"message {self.message_id}: {self.score:.2f}"


class TrainedRouter(models.Model):
    """A router trained on the desk's history; the model itself is a file in the data folder."""

    target = models.CharField(_("predicts"), max_length=20)
    path = models.CharField(max_length=500)
    trained_at = models.DateTimeField(auto_now_add=True)
    examples = models.PositiveIntegerField(_("examples"))
    corrections = models.PositiveIntegerField(_("agents' corrections"), default=0)
    classes = models.JSONField(default=list)
    holdout_accuracy = models.FloatField(_("accuracy on held-out tickets"), null=True)
    seconds = models.FloatField(_("training seconds"))

    class Meta:
        ordering = ["-trained_at"]
        verbose_name = _("trained router")
        verbose_name_plural = _("trained routers")

    def __str__(self) -> str:
        return f"{self.target} router of {self.trained_at:%Y-%m-%d %H:%M}"
