"""What the ticket page shows: the conversation and the audit trail as one timeline, the
customer beside it, and the SLA clock — each read with a fixed number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from litso.audit.models import Event
from litso.core.choices import Language, Priority
from litso.core.prepared import Prepared
from litso.customers.models import ContactKind, ContactPoint
from litso.mail.quoting import Reply, split_reply, split_reply_html
from litso.sla.models import SlaBreach, TicketSla
from litso.tickets import html
from litso.tickets.access import PreparedVisible
from litso.tickets.models import Attachment, Delivery, Message, MessageKind, Ticket
from litso.workspace import triage_panel

if TYPE_CHECKING:
    from django.contrib.auth.models import User

PREVIOUS_REQUESTS = 10
DUE_LABELS = {
    "first_response_due": "first_response",
    "next_response_due": "next_response",
    "periodic_update_due": "periodic_update",
    "resolution_due": "resolution",
}
# Events that are the messages themselves; the message is shown instead.
MESSAGE_VERBS = {"message", "note"}


@dataclass(frozen=True)
class AbuseMark:
    """A flagged customer message: how sure, why, and what the agent should do about it."""

    score: float
    reasons: list[str]
    guidance: str


@dataclass(frozen=True)
class Entry:
    at: datetime.datetime
    message: Message | None = None
    event: Event | None = None
    reply: Reply | None = None
    safe_html: str = ""
    abuse: AbuseMark | None = None

    @property
    def css(self) -> str:
        if self.message is None:
            return "event"
        return str(self.message.kind)

    @property
    def failed(self) -> bool:
        """A reply the customer did not get, or whose last attempt failed: offer a retry."""
        message = self.message
        if message is None or message.kind != MessageKind.OUTBOUND:
            return False
        if message.delivery in (Delivery.FAILED, Delivery.BOUNCED):
            return True
        return message.delivery == Delivery.QUEUED and bool(message.delivery_error)


def _split(message: Message) -> Reply:
    if message.kind != MessageKind.INBOUND:
        # Our own replies and notes are shown as written.
        return Reply(visible=message.body_text.strip())
    if message.body_text.strip():
        return split_reply(message.body_text)
    return split_reply_html(message.body_html)


def _abuse_mark(message: Message) -> AbuseMark | None:
    flag = triage_panel.flag_of(message)
    if flag is None:
        return None
    reasons = list(flag.reasons or [])
    return AbuseMark(
        score=flag.score,
        reasons=triage_panel.abuse_reasons_text(reasons),
        # Stored in the desk language; shown in the agent's, which is the active one.
        guidance=triage_panel.guidance_for_agent(flag.score, reasons) or flag.guidance,
    )


# The page's queries, compiled once per process (core/prepared.py).
_messages = Prepared(
    lambda ticket_id: (
        Message.objects.filter(ticket_id=ticket_id)
        .select_related("author_agent__agent", "author_customer", "abuse_flag")
        .order_by("created_at", "pk")
    )
)
_attachments = Prepared(
    lambda ticket_id: Attachment.objects.filter(message__ticket_id=ticket_id).order_by("pk")
)
_events = Prepared(
    lambda ticket_id: (
        Event.objects.filter(ticket_id=ticket_id)
        .select_related("actor__agent")
        .order_by("created_at", "pk")
    )
)
_breaches = Prepared(
    lambda ticket_id: SlaBreach.objects.filter(ticket_id=ticket_id).order_by("-breached_at")[:20]
)
_contacts = Prepared(
    lambda customer_id: ContactPoint.objects.filter(customer_id=customer_id).order_by("kind", "pk")
)


def _with_attachments(messages: list[Message], ticket_id: int) -> None:
    """Each message's attachments, as prefetch_related("attachments") would leave them (one
    query for the ticket, not one per message)."""
    by_message: dict[int, list[Attachment]] = {message.pk: [] for message in messages}
    for attachment in _attachments(ticket_id):
        if attachment.message_id in by_message:
            by_message[attachment.message_id].append(attachment)
    for message in messages:
        # What Django's prefetch leaves: a queryset whose rows are already read.
        listed: Any = message.attachments.all()
        listed._result_cache = by_message[message.pk]
        listed._prefetch_done = True
        message.__dict__["_prefetched_objects_cache"] = {"attachments": listed}


def timeline(ticket: Ticket) -> list[Entry]:
    messages = _messages(ticket.pk)
    _with_attachments(messages, ticket.pk)
    shown = {message.pk for message in messages}
    entries = [
        Entry(
            at=message.created_at,
            message=message,
            reply=_split(message),
            # Sanitised when stored; again here, as rows may come from an import.
            safe_html=html.sanitise(message.body_html) if message.body_html else "",
            abuse=_abuse_mark(message),
        )
        for message in messages
    ]
    for event in _events(ticket.pk):
        if event.verb in MESSAGE_VERBS or event.data.get("message") in shown:
            continue
        entries.append(Entry(at=event.created_at, event=event))
    entries.sort(key=lambda entry: entry.at)
    return entries


@dataclass(frozen=True)
class Deadline:
    kind: str
    due: datetime.datetime
    breached: bool


def sla_of(ticket: Ticket) -> TicketSla | None:
    try:
        return ticket.sla
    except TicketSla.DoesNotExist:
        return None


def deadlines(ticket: Ticket, now: datetime.datetime) -> list[Deadline]:
    """The running deadlines of the ticket, soonest first."""
    sla = sla_of(ticket)
    if sla is None:
        return []
    found = [
        Deadline(kind, due, due <= now)
        for name, kind in DUE_LABELS.items()
        if (due := getattr(sla, name)) is not None
    ]
    return sorted(found, key=lambda deadline: deadline.due)


def next_deadline(ticket: Ticket, now: datetime.datetime) -> Deadline | None:
    found = deadlines(ticket, now)
    return found[0] if found else None


def breaches(ticket: Ticket) -> list[SlaBreach]:
    return _breaches(ticket.pk)


def contact_points(ticket: Ticket) -> list[ContactPoint]:
    return _contacts(ticket.customer_id)


def undeliverable(ticket: Ticket, contacts: list[ContactPoint]) -> list[ContactPoint]:
    """Addresses that bounced, shown above the reply box; for mail tickets only."""
    if ticket.channel != "email":
        return []
    return [c for c in contacts if c.kind == ContactKind.EMAIL and c.undeliverable_reason]


def has_deliverable_email(contacts: list[ContactPoint]) -> bool:
    return any(c.kind == ContactKind.EMAIL and not c.undeliverable_reason for c in contacts)


_previous = PreparedVisible(
    lambda tickets, customer_id, ticket_id: (
        tickets.filter(customer_id=customer_id)
        .exclude(pk=ticket_id)
        .order_by("-created_at")[:PREVIOUS_REQUESTS]
    )
)


def previous_requests(ticket: Ticket, user: User) -> list[Ticket]:
    """The customer's other requests the user may see, newest first."""
    return _previous(user, ticket.customer_id, ticket.pk)


def describe_event(event: Event) -> str:
    """One line for the timeline, in the agent's language."""
    values = {"old": event.old_value or "—", "new": event.new_value or "—"}
    verb = event.verb
    if verb == "created":
        return _("Ticket opened")
    if verb == "status":
        return _("Status: %(old)s → %(new)s") % _status_labels(values)
    if verb == "priority":
        return _("Priority: %(old)s → %(new)s") % _priority_labels(values)
    if verb == "assign":
        if not event.new_value:
            return _("Unassigned (was %(old)s)") % values
        return _("Assigned to %(new)s") % values
    if verb == "department":
        return _("Department: %(old)s → %(new)s") % values
    if verb == "forward":
        return _("Forwarded from %(old)s to %(new)s") % values
    if verb == "tags":
        return _("Tags: %(new)s") % values
    if verb == "merge":
        if event.field == "merged_into":
            return _("Merged into %(new)s") % values
        return _("Merged %(new)s into this ticket") % values
    if verb == "escalate":
        return _("Escalated to the supervisors")
    if verb == "follow_up":
        return _("Follow-up opened: %(new)s") % values
    if verb == "retry_delivery":
        return _("Delivery retried")
    triage = _triage_event(verb, values)
    if triage:
        return triage
    # Verbs of other apps (triage, mail, SLA) the workspace has no sentence for yet.
    label = verb.replace("_", " ").capitalize()
    if event.field and event.field != verb:
        label = f"{label} ({event.field.replace('_', ' ')})"
    if event.field or event.new_value:
        return f"{label}: {values['old']} → {values['new']}"
    return label


def _triage_event(verb: str, values: dict[str, str]) -> str:
    if verb == "needs_review":
        return _("Waiting in triage for a person to confirm the department")
    if verb == "route_confirmed":
        return _("Department confirmed: %(new)s") % values
    if verb == "chase":
        return _("The customer asked again (%(new)s times so far)") % values
    if verb == "chase_of":
        return _("Chases the open request %(new)s") % values
    if verb == "waiting_for_agent":
        return _("Waiting for an agent: nobody on shift could take it")
    if verb == "language":
        names = dict(Language.choices)
        return _("Language detected: %(new)s") % {"new": names.get(values["new"], values["new"])}
    if verb == "abuse_flag":
        return _("Flagged as abusive or very angry (score %(new)s)") % values
    return ""


def _status_labels(values: dict[str, str]) -> dict[str, str]:
    from litso.tickets.models import Status

    labels = dict(Status.choices)
    return {key: str(labels.get(value, value)) for key, value in values.items()}


def _priority_labels(values: dict[str, str]) -> dict[str, str]:
    labels = dict(Priority.choices)
    return {key: str(labels.get(value, value)) for key, value in values.items()}
