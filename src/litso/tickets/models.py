from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from litso.core.choices import Channel, Priority


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING_CUSTOMER = "pending_customer", _("Waiting for customer")
    ON_HOLD = "on_hold", _("On hold")
    SOLVED = "solved", _("Solved")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING_CUSTOMER, Status.ON_HOLD)


class RequestType(models.Model):
    """A kind of request with the fields the team needs to solve it (see tickets.fields)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    department = models.ForeignKey(
        "departments.Department", on_delete=models.SET_NULL, null=True, blank=True
    )
    fields = models.JSONField(_("field definitions"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("request type")
        verbose_name_plural = _("request types")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from litso.tickets.fields import check_definitions

        check_definitions(self.fields)


class Tag(models.Model):
    name = models.SlugField(_("name"), max_length=64, unique=True, allow_unicode=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TicketCounter(models.Model):
    """The ticket-number counter where the database has no sequences (SQLite)."""

    last_value = models.BigIntegerField()

    def __str__(self) -> str:
        return str(self.last_value)


class Ticket(models.Model):
    number = models.BigIntegerField(_("number"), unique=True, editable=False)
    subject = models.CharField(_("subject"), max_length=500)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    # The composite indexes in Meta lead with these columns; single ones would only slow writes.
    department = models.ForeignKey(
        "departments.Department",
        on_delete=models.PROTECT,
        db_index=False,
        related_name="tickets",
        verbose_name=_("department"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,
        related_name="assigned_tickets",
        verbose_name=_("assignee"),
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        db_index=False,
        related_name="tickets",
        verbose_name=_("customer"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    request_type = models.ForeignKey(
        RequestType, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("type")
    )
    language = models.CharField(_("language"), max_length=5, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets", verbose_name=_("tags"))
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    # Supervisors see escalated tickets of every department.
    escalated = models.BooleanField(_("escalated"), default=False)
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_from"
    )
    # A customer who writes about a closed ticket gets a new one, linked to the old.
    follow_up_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="follow_ups"
    )

    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    solved_at = models.DateTimeField(_("solved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Claimed by the scheduler: a solved ticket nobody answers is closed at this time.
    auto_close_at = models.DateTimeField(null=True, blank=True, db_index=True)

    customer_messages = models.PositiveIntegerField(default=0)
    agent_replies = models.PositiveIntegerField(default=0)
    reopens = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["department", "status", "-created_at"], name="ticket_dept_status"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_status"),
            models.Index(fields=["customer", "-created_at"], name="ticket_customer"),
            # Inbox lists at a million tickets: an agent's "all" (one department, newest
            # first), "recently updated", and the status views of admins who see every department.
            models.Index(fields=["department", "-created_at"], name="ticket_dept_created"),
            models.Index(fields=["-updated_at"], name="ticket_updated"),
            models.Index(fields=["status", "-created_at"], name="ticket_status_created"),
            # "Needs first response" and "Escalated": few tickets each, so small partial indexes
            # answer them without reading the open tickets of the department (SQLite at a
            # million tickets: 171 -> 3 ms and 230 -> 6 ms).
            models.Index(
                fields=["department", "status", "created_at"],
                name="ticket_unanswered",
                condition=models.Q(first_response_at__isnull=True),
            ),
            models.Index(
                fields=["status", "department"],
                name="ticket_escalated",
                condition=models.Q(escalated=True),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class MessageKind(models.TextChoices):
    INBOUND = "inbound", _("From the customer")
    OUTBOUND = "outbound", _("Reply to the customer")
    NOTE = "note", _("Internal note")
    SYSTEM = "system", _("System")


class AuthorKind(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    AGENT = "agent", _("Agent")
    SYSTEM = "system", _("System")


class Delivery(models.TextChoices):
    NOT_APPLICABLE = "", _("Not sent")
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    BOUNCED = "bounced", _("Bounced")


class Message(models.Model):
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=10, choices=MessageKind.choices)
    author_kind = models.CharField(_("author"), max_length=10, choices=AuthorKind.choices)
    author_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_customer = models.ForeignKey(
        "customers.Customer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    body_text = models.TextField(_("text"), blank=True)
    # Always sanitised (tickets.html.sanitise) before it is stored.
    body_html = models.TextField(_("HTML"), blank=True)
    # Detected by triage from the text (the ticket's language is the conversation's).
    language = models.CharField(_("language"), max_length=5, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    # Message-ID for mail, the chat or API id elsewhere.
    external_id = models.CharField(max_length=500, blank=True, db_index=True)
    delivery = models.CharField(
        _("delivery"), max_length=10, choices=Delivery.choices, blank=True, default=""
    )
    delivery_error = models.TextField(blank=True)
    delivery_attempts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="message_ticket_time"),
            # Search turns a thousand matching message ids into their tickets (and kinds, for
            # a customer's search): on SQLite through this narrow index (litso.search.sqlite
            # names it), not the table's own rows, whose bodies spread a lookup over far more
            # pages (2,000 lookups at a million tickets: 8-9 -> 4-5 ms).
            models.Index(fields=["id", "ticket", "kind"], name="message_id_ticket"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on #{self.ticket.number}"

    @property
    def is_public(self) -> bool:
        return self.kind in (MessageKind.INBOUND, MessageKind.OUTBOUND)


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    blob = models.ForeignKey("files.Blob", on_delete=models.PROTECT, related_name="attachments")
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=255)
    size = models.BigIntegerField(_("size"))
    # Set for inline images that the HTML body refers to as cid:…
    content_id = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename
