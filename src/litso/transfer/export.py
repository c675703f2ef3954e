"""Writing the desk as JSON Lines: a header, reference data, then one line per ticket.

Tickets are read in number order, a chunk at a time, each chunk with a fixed set of queries
(select_related for the foreign keys, prefetch_related for the lists), so memory stays flat
and the number of queries grows with the number of chunks, never with the number of messages.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO, TypeVar

from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from litso.audit.models import Event
from litso.customers.models import ContactPoint, Customer, Organisation
from litso.departments.models import Department
from litso.files.models import storage_name
from litso.tickets.models import Attachment, Message, RequestType, Tag, Ticket
from litso.transfer import sla
from litso.transfer.format import FORMAT, VERSION, dump_line, iso

CHUNK = 500
_COPY_BUFFER = 1 << 20

M = TypeVar("M", bound=models.Model)


@dataclass
class ExportStats:
    tickets: int = 0
    messages: int = 0
    attachments: int = 0
    events: int = 0
    files_copied: int = 0
    # Blobs whose bytes could not be copied: (sha256, why).
    file_problems: list[tuple[str, str]] = field(default_factory=list)


def export_desk(
    out: TextIO,
    *,
    since: datetime.datetime | None = None,
    files_dir: Path | None = None,
    chunk_size: int = CHUNK,
) -> ExportStats:
    stats = ExportStats()
    with _snapshot():
        out.write(dump_line({
            "type": FORMAT,
            "version": VERSION,
            "exported_at": iso(timezone.now()),
            "since": iso(since),
        }))
        for record in _reference_records(since, chunk_size):
            out.write(dump_line(record))
        for chunk in _chunks(_ticket_queryset(since), "number", chunk_size):
            for ticket in chunk:
                out.write(dump_line(ticket_record(ticket, stats)))
                if files_dir is not None:
                    _copy_files(ticket, files_dir, stats)
    return stats


@contextlib.contextmanager
def _snapshot() -> Iterator[None]:
    """On PostgreSQL, read every chunk from one snapshot so the backup is consistent.

    SQLite is left alone: our connections BEGIN IMMEDIATE, which would take the write lock and
    stop the desk for as long as the export runs.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def _chunks(queryset: models.QuerySet[M], key: str, size: int) -> Iterator[list[M]]:
    # Keyset pages, not OFFSET: each page costs the same however deep into the table it is.
    last: Any = None
    while True:
        page = queryset.order_by(key)
        if last is not None:
            page = page.filter(**{f"{key}__gt": last})
        rows = list(page[:size])
        if not rows:
            return
        yield rows
        last = getattr(rows[-1], key)


def _reference_records(
    since: datetime.datetime | None, chunk_size: int
) -> Iterator[dict[str, Any]]:
    yield from sla.calendar_records()
    for dept in Department.objects.select_related("calendar").order_by("name"):
        yield {
            "type": "department",
            "name": dept.name,
            "description": dept.description,
            "inbound_addresses": dept.inbound_addresses,
            "default_priority": dept.default_priority,
            "active": dept.active,
            "calendar": dept.calendar.name if dept.calendar else None,
        }
    for rtype in RequestType.objects.select_related("department").order_by("name"):
        yield {
            "type": "request_type",
            "name": rtype.name,
            "department": rtype.department.name if rtype.department else None,
            "fields": rtype.fields,
            "active": rtype.active,
        }
    for org in Organisation.objects.order_by("name"):
        yield {"type": "organisation", "name": org.name, "domains": org.domains,
               "notes": org.notes}
    yield from sla.policy_records()
    yield from _agent_records()
    # Customers reached through a ticket travel inside it; these are the others (portal
    # sign-ups, people added by hand), so a backup loses nobody.
    lonely = _customer_queryset().filter(tickets__isnull=True)
    if since is not None:
        lonely = lonely.filter(created_at__gte=since)
    for chunk in _chunks(lonely, "pk", chunk_size):
        for customer in chunk:
            yield {"type": "customer", **customer_record(customer)}


def _agent_records() -> Iterator[dict[str, Any]]:
    """Staff accounts: everyone with an agent profile or who is not a customer's portal login.

    Password hashes never leave the desk; imported accounts must set a new password.
    """
    users = (
        get_user_model().objects
        .filter(Q(agent__isnull=False) | Q(customer__isnull=True))
        .select_related("agent")
        .prefetch_related(Prefetch("agent__departments",
                                   queryset=Department.objects.order_by("name")))
        .order_by("username")
    )
    for user in users:
        profile = getattr(user, "agent", None)
        yield {
            "type": "agent",
            "username": user.get_username(),
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "is_active": user.is_active,
            "is_staff": user.is_staff,
            "is_superuser": user.is_superuser,
            "role": profile.role if profile else None,
            "departments": [d.name for d in profile.departments.all()] if profile else [],
            "languages": profile.languages if profile else [],
            "display_name": profile.display_name if profile else None,
            "max_load": profile.max_load if profile else None,
            "on_shift": profile.on_shift if profile else None,
            "time_zone": profile.time_zone if profile else None,
            "ui_language": profile.ui_language if profile else None,
        }


def _customer_queryset() -> models.QuerySet[Customer]:
    return Customer.objects.select_related("organisation", "user").prefetch_related(
        Prefetch("contacts", queryset=_ordered_contacts(), to_attr="x_contacts"))


def _ticket_queryset(since: datetime.datetime | None) -> models.QuerySet[Ticket]:
    # to_attr lists, not managers: Django then skips building a queryset per related object,
    # which was most of the export's time.
    tickets = Ticket.objects.select_related(
        "department", "assignee", "customer__organisation", "customer__user", "request_type",
        "merged_into", "follow_up_of", "sla__policy",
    ).prefetch_related(
        *sla.ticket_prefetches(),
        Prefetch("tags", queryset=Tag.objects.order_by("name"), to_attr="x_tags"),
        Prefetch("customer__contacts", queryset=_ordered_contacts(), to_attr="x_contacts"),
        Prefetch("messages", queryset=Message.objects.select_related(
            "author_agent", "author_customer__organisation", "author_customer__user",
        ).order_by("created_at", "pk"), to_attr="x_messages"),
        Prefetch("x_messages__author_customer__contacts", queryset=_ordered_contacts(),
                 to_attr="x_contacts"),
        Prefetch("x_messages__attachments", queryset=Attachment.objects.order_by("pk"),
                 to_attr="x_attachments"),
        Prefetch("events", queryset=Event.objects.select_related("actor")
                 .order_by("created_at", "pk"), to_attr="x_events"),
    )
    if since is not None:
        tickets = tickets.filter(updated_at__gte=since)
    return tickets


def _ordered_contacts() -> models.QuerySet[ContactPoint]:
    return ContactPoint.objects.order_by("kind", "value")


def _prefetched(obj: models.Model, name: str) -> list[Any]:
    items: list[Any] = getattr(obj, name)
    return items


def _username(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def customer_record(customer: Customer) -> dict[str, Any]:
    portal = customer.user
    return {
        "full_name": customer.full_name,
        "address_as": customer.address_as,
        "language": customer.language,
        "time_zone": customer.time_zone,
        "organisation": customer.organisation.name if customer.organisation else None,
        "notes": customer.notes,
        "created_at": iso(customer.created_at),
        "contacts": [
            {"kind": c.kind, "value": c.value, "undeliverable_reason": c.undeliverable_reason}
            for c in _prefetched(customer, "x_contacts")
        ],
        "portal_user": {
            "username": portal.get_username(),
            "email": portal.email,
            "is_active": portal.is_active,
        } if portal is not None else None,
    }


def ticket_record(ticket: Ticket, stats: ExportStats | None = None) -> dict[str, Any]:
    messages = [_message_record(ticket, m) for m in _prefetched(ticket, "x_messages")]
    events = [_event_record(e) for e in _prefetched(ticket, "x_events")]
    if stats is not None:
        stats.tickets += 1
        stats.messages += len(messages)
        stats.attachments += sum(len(m["attachments"]) for m in messages)
        stats.events += len(events)
    return {
        "type": "ticket",
        "number": ticket.number,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "department": ticket.department.name,
        "assignee": _username(ticket.assignee),
        "customer": customer_record(ticket.customer),
        "channel": ticket.channel,
        "request_type": ticket.request_type.name if ticket.request_type else None,
        "language": ticket.language,
        "tags": [tag.name for tag in _prefetched(ticket, "x_tags")],
        "custom_fields": ticket.custom_fields,
        "escalated": ticket.escalated,
        "merged_into": ticket.merged_into.number if ticket.merged_into else None,
        "follow_up_of": ticket.follow_up_of.number if ticket.follow_up_of else None,
        "created_at": iso(ticket.created_at),
        "updated_at": iso(ticket.updated_at),
        "first_response_at": iso(ticket.first_response_at),
        "solved_at": iso(ticket.solved_at),
        "closed_at": iso(ticket.closed_at),
        "auto_close_at": iso(ticket.auto_close_at),
        "customer_messages": ticket.customer_messages,
        "agent_replies": ticket.agent_replies,
        "reopens": ticket.reopens,
        "messages": messages,
        "events": events,
        **sla.ticket_sla_record(ticket),
    }


def _message_record(ticket: Ticket, message: Message) -> dict[str, Any]:
    author: dict[str, Any] | str | None = None
    if message.author_customer_id is not None:
        # The ticket's own customer is the usual author; after a merge a message can come
        # from the customer of the merged ticket, who then travels with the message.
        author = ("ticket" if message.author_customer_id == ticket.customer_id
                  else customer_record(message.author_customer))  # type: ignore[arg-type]
    return {
        "id": message.pk,
        "kind": message.kind,
        "author_kind": message.author_kind,
        "author_agent": _username(message.author_agent),
        "author_customer": author,
        "channel": message.channel,
        "subject": message.subject,
        "body_text": message.body_text,
        "body_html": message.body_html,
        "created_at": iso(message.created_at),
        "external_id": message.external_id,
        "delivery": message.delivery,
        "delivery_error": message.delivery_error,
        "delivery_attempts": message.delivery_attempts,
        "attachments": [
            {
                "sha256": a.blob_id,
                "filename": a.filename,
                "content_type": a.content_type,
                "size": a.size,
                "content_id": a.content_id,
            }
            for a in _prefetched(message, "x_attachments")
        ],
    }


def _event_record(event: Event) -> dict[str, Any]:
    return {
        "created_at": iso(event.created_at),
        "actor_kind": event.actor_kind,
        "actor": _username(event.actor),
        "rule_name": event.rule_name,
        "verb": event.verb,
        "field": event.field,
        "old_value": event.old_value,
        "new_value": event.new_value,
        "reason": event.reason,
        "data": event.data,
    }


def _copy_files(ticket: Ticket, files_dir: Path, stats: ExportStats) -> None:
    target = files_dir / "blobs"
    target.mkdir(parents=True, exist_ok=True)
    for message in _prefetched(ticket, "x_messages"):
        for attachment in _prefetched(message, "x_attachments"):
            sha = attachment.blob_id
            dest = target / sha
            if dest.exists():
                continue  # content-addressed: the same name holds the same bytes
            problem = _copy_blob(sha, dest)
            if problem:
                stats.file_problems.append((sha, problem))
            else:
                stats.files_copied += 1


def _copy_blob(sha: str, dest: Path) -> str:
    """Copy one blob, checking its hash on the way; return what went wrong, or ''."""
    name = storage_name(sha)
    if not default_storage.exists(name):
        return "not in storage"
    partial = dest.with_name(dest.name + ".partial")
    digest = hashlib.sha256()
    # Written aside and renamed, so an interrupted copy never looks like a complete blob.
    with default_storage.open(name, "rb") as src, partial.open("wb") as fh:
        while block := src.read(_COPY_BUFFER):
            digest.update(block)
            fh.write(block)
    if digest.hexdigest() != sha:
        partial.unlink()
        return f"stored bytes hash to {digest.hexdigest()}"
    os.replace(partial, dest)
    return ""
