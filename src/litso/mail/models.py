from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Mailbox(models.Model):
    """An IMAP mailbox polled for one department."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    department = models.ForeignKey(
        "departments.Department", on_delete=models.PROTECT, related_name="mailboxes"
    )
    host = models.CharField(_("IMAP host"), max_length=255)
    port = models.PositiveIntegerField(_("port"), default=993)
    use_ssl = models.BooleanField(_("TLS"), default=True)
    username = models.CharField(_("user name"), max_length=255)
    password = models.CharField(_("password"), max_length=255, blank=True)
    folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    # Empty: stored mail is flagged \Seen and stays; otherwise it is moved here.
    done_folder = models.CharField(_("move processed mail to"), max_length=255, blank=True)
    poll_every = models.PositiveIntegerField(_("poll every (seconds)"), default=60)
    active = models.BooleanField(_("active"), default=True)
    # Claimed by the scheduler; pushed back (with growing pauses) after failures.
    next_poll_at = models.DateTimeField(null=True, blank=True, db_index=True)
    failures = models.PositiveIntegerField(default=0)
    last_error = models.TextField(_("last error"), blank=True)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")

    def __str__(self) -> str:
        return f"{self.name} ({self.username}@{self.host})"


class InboundState(models.TextChoices):
    RECEIVED = "received", _("Received, not processed yet")
    PROCESSED = "processed", _("Processed")
    QUARANTINED = "quarantined", _("Quarantined")
    AUTO_REPLY = "auto_reply", _("Auto-reply")
    BOUNCE = "bounce", _("Bounce")
    COMPLAINT = "complaint", _("Complaint")
    RATE_LIMITED = "rate_limited", _("Held: too much mail from this sender")


class InboundSource(models.TextChoices):
    IMAP = "imap", "IMAP"
    SMTP = "smtp", "SMTP/LMTP"
    FILE = "file", _("File or pipe")


class InboundMail(models.Model):
    """Raw mail exactly as received, stored before anything else happens to it."""

    blob = models.ForeignKey("files.Blob", on_delete=models.PROTECT, related_name="+")
    # The blob's hash again, unique: the same bytes twice are one mail.
    sha256 = models.CharField(max_length=64, unique=True)
    # The mail's Message-ID header (the field name `message_id` is taken by the FK below).
    header_message_id = models.CharField(max_length=500, blank=True, db_index=True)
    source = models.CharField(_("source"), max_length=10, choices=InboundSource.choices)
    mailbox = models.ForeignKey(Mailbox, on_delete=models.SET_NULL, null=True, blank=True)
    envelope_recipients = models.JSONField(default=list, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    state = models.CharField(
        _("state"), max_length=15, choices=InboundState.choices, default=InboundState.RECEIVED,
        db_index=True,
    )
    reason = models.TextField(_("reason"), blank=True)
    sender = models.CharField(_("sender"), max_length=320, blank=True, db_index=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    # Every address on the mail (From, To, Cc), lower case: who is on the ticket's thread.
    participants = models.JSONField(default=list, blank=True)
    # Which threading rule put the mail on its ticket (litso.mail.threading).
    thread_rule = models.CharField(max_length=40, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    message = models.ForeignKey(
        "tickets.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("inbound mail")
        verbose_name_plural = _("inbound mail")
        indexes = [models.Index(fields=["sender", "received_at"], name="inbound_sender_time")]

    def __str__(self) -> str:
        return f"{self.subject or self.header_message_id or self.sha256[:12]} ({self.state})"
