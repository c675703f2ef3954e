"""Writing a batch of parsed tickets: a fixed number of statements per batch, whatever its size.

Rows go in with bulk_create; Django's auto_now/auto_now_add overwrite created_at and
updated_at on insert, so the exported times are put back right after, in the same transaction,
with one prepared UPDATE run for all rows (Django's bulk_update builds a CASE per row, which
made it most of an import's time).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import Model

from litso.audit.models import Event
from litso.customers.models import ContactPoint, Customer
from litso.files.models import Blob, storage_name
from litso.files.store import store_bytes
from litso.tickets.models import Attachment, Message, Tag, Ticket
from litso.transfer.format import TransferError
from litso.transfer.sla import write_ticket_sla
from litso.transfer.specs import AttachmentSpec, CustomerSpec, TicketSpec, in_chunks


@dataclass
class ImportStats:
    departments: int = 0
    request_types: int = 0
    organisations: int = 0
    agents: int = 0
    customers: int = 0
    tickets: int = 0
    messages: int = 0
    attachments: int = 0
    events: int = 0
    files_stored: int = 0
    # Blobs recorded without their bytes (--allow-missing-files).
    missing_files: list[str] = field(default_factory=list)
    # merged_into / follow_up_of pointing at a ticket not in the file (a --since export).
    dropped_links: list[str] = field(default_factory=list)


class Writer:
    def __init__(self, stats: ImportStats, *, files_dir: Path | None,
                 allow_missing_files: bool) -> None:
        self.stats = stats
        self.files_dir = files_dir
        self.allow_missing_files = allow_missing_files
        self.tags = dict(Tag.objects.values_list("name", "pk"))
        # Customers are matched by any contact point they share; ones without contacts, by
        # being exactly the same record.
        self.contact_owner: dict[tuple[str, str], int] = {
            (kind, value): owner
            for kind, value, owner in ContactPoint.objects.values_list("kind", "value",
                                                                       "customer_id")
        }
        self.anonymous: dict[str, int] = {}
        self.links: list[tuple[int, int | None, int | None, str]] = []
        self.max_number = 0

    def write(self, tickets: list[TicketSpec], lonely: list[CustomerSpec]) -> None:
        self._resolve_customers([
            *lonely,
            *(t.customer for t in tickets),
            *(m.author for t in tickets for m in t.messages if m.author is not None),
        ])
        if not tickets:
            return
        self._check_numbers(tickets)
        self._ensure_tags({name for t in tickets for name in t.tags})
        self._ensure_blobs([a for t in tickets for m in t.messages for a in m.attachments])

        rows = [Ticket(customer_id=t.customer.resolved(), **t.row) for t in tickets]
        Ticket.objects.bulk_create(rows)
        _restore_times(Ticket, ["created_at", "updated_at"], [
            (row.pk, spec.created_at, spec.updated_at)
            for row, spec in zip(rows, tickets, strict=True)
        ])
        self.links.extend(
            (row.pk, spec.merged_into, spec.follow_up_of, spec.where)
            for row, spec in zip(rows, tickets, strict=True)
            if spec.merged_into or spec.follow_up_of
        )
        write_ticket_sla([(row.pk, *spec.sla) for row, spec in zip(rows, tickets, strict=True)])
        through = Ticket.tags.through
        through._default_manager.bulk_create(
            through(ticket_id=row.pk, tag_id=self.tags[name])
            for row, spec in zip(rows, tickets, strict=True) for name in spec.tags
        )

        messages: list[Message] = []
        attachments: list[Attachment] = []
        message_specs = [(row, m) for row, t in zip(rows, tickets, strict=True)
                         for m in t.messages]
        for row, m in message_specs:
            author = (row.customer_id if m.by_ticket_customer
                      else m.author.resolved() if m.author else None)
            messages.append(Message(ticket_id=row.pk, author_customer_id=author, **m.row))
        Message.objects.bulk_create(messages)
        _restore_times(Message, ["created_at"], [
            (message.pk, m.created_at)
            for message, (_, m) in zip(messages, message_specs, strict=True)
        ])
        for message, (_, m) in zip(messages, message_specs, strict=True):
            attachments.extend(Attachment(message_id=message.pk, blob_id=a.sha256, **a.row)
                               for a in m.attachments)
        Attachment.objects.bulk_create(attachments)

        event_specs = [(row, e) for row, t in zip(rows, tickets, strict=True) for e in t.events]
        events = [Event(ticket_id=row.pk, **e.row) for row, e in event_specs]
        Event.objects.bulk_create(events)
        # Audit events are never edited; this puts back the time they happened, which
        # auto_now_add replaced a moment ago in this same transaction.
        _restore_times(Event, ["created_at"], [
            (event.pk, e.created_at)
            for event, (_, e) in zip(events, event_specs, strict=True)
        ])

        self.max_number = max(self.max_number, *(t.number for t in tickets))
        self.stats.tickets += len(rows)
        self.stats.messages += len(messages)
        self.stats.attachments += len(attachments)
        self.stats.events += len(events)

    def _resolve_customers(self, specs: list[CustomerSpec]) -> None:
        new: list[CustomerSpec] = []
        by_contact: dict[tuple[str, str], CustomerSpec] = {}
        by_record: dict[str, CustomerSpec] = {}
        for spec in specs:
            keys = [(kind, value) for kind, value, _ in spec.contacts]
            owner = (next((self.contact_owner[k] for k in keys if k in self.contact_owner), None)
                     if keys else self.anonymous.get(spec.record_key))
            if owner is not None:
                spec.pk = owner
                continue
            twin = (next((by_contact[k] for k in keys if k in by_contact), None)
                    if keys else by_record.get(spec.record_key))
            if twin is not None:
                spec.same_as = twin
                continue
            new.append(spec)
            for key in keys:
                by_contact.setdefault(key, spec)
            if not keys:
                by_record[spec.record_key] = spec
        self._create_customers(new)

    def _create_customers(self, new: list[CustomerSpec]) -> None:
        if not new:
            return
        self._link_portal_users(new)
        rows = [Customer(**spec.row) for spec in new]
        Customer.objects.bulk_create(rows)
        for row, spec in zip(rows, new, strict=True):
            spec.pk = row.pk
            for kind, value, _ in spec.contacts:
                self.contact_owner[(kind, value)] = row.pk
            if not spec.contacts:
                self.anonymous[spec.record_key] = row.pk
        _restore_times(Customer, ["created_at"], [
            (spec.pk, spec.created_at) for spec in new if spec.created_at is not None
        ])
        ContactPoint.objects.bulk_create(
            ContactPoint(customer_id=spec.resolved(), kind=kind, value=value,
                         undeliverable_reason=reason)
            for spec in new for kind, value, reason in spec.contacts
        )
        self.stats.customers += len(new)

    def _link_portal_users(self, new: list[CustomerSpec]) -> None:
        """Portal logins come back without a password; the customer signs in afresh."""
        wanted: dict[str, CustomerSpec] = {}
        for spec in new:
            if spec.portal is None:
                continue
            if spec.portal.username in wanted:
                raise TransferError(f"{spec.where}: portal user {spec.portal.username!r} "
                                    f"also belongs to {wanted[spec.portal.username].where}")
            wanted[spec.portal.username] = spec
        if not wanted:
            return
        User = get_user_model()
        existing: dict[str, int] = {}
        for part in in_chunks(list(wanted)):
            existing.update(User.objects.filter(username__in=part)
                            .values_list("username", "pk"))
        taken = set(Customer.objects.filter(user_id__in=existing.values())
                    .values_list("user_id", flat=True))
        for username, pk in existing.items():
            if pk in taken:
                raise TransferError(f"{wanted[username].where}: portal user {username!r} "
                                    "already belongs to another customer of this desk")
        created = [
            User(username=username, email=spec.portal.email, is_active=spec.portal.is_active,
                 password=make_password(None))
            for username, spec in wanted.items() if spec.portal and username not in existing
        ]
        User.objects.bulk_create(created)
        existing.update((user.get_username(), user.pk) for user in created)
        for username, spec in wanted.items():
            spec.row["user_id"] = existing[username]

    def _check_numbers(self, tickets: list[TicketSpec]) -> None:
        where = {t.number: t.where for t in tickets}
        for part in in_chunks(list(where)):
            clash = Ticket.objects.filter(number__in=part).values_list("number", flat=True)
            for number in clash:
                raise TransferError(f"{where[number]}: ticket #{number} appears twice in "
                                    "the file")

    def _ensure_tags(self, names: set[str]) -> None:
        missing = sorted(names - set(self.tags))
        created = Tag.objects.bulk_create(Tag(name=name) for name in missing)
        self.tags.update((tag.name, tag.pk) for tag in created)

    def _ensure_blobs(self, attachments: list[AttachmentSpec]) -> None:
        first_use: dict[str, AttachmentSpec] = {}
        for attachment in attachments:
            first_use.setdefault(attachment.sha256, attachment)
        present: set[str] = set()
        for part in in_chunks(list(first_use)):
            present.update(Blob.objects.filter(sha256__in=part)
                           .values_list("sha256", flat=True))
        for sha, attachment in first_use.items():
            if sha not in present:
                self._add_blob(attachment)

    def _add_blob(self, a: AttachmentSpec) -> None:
        if self.files_dir is not None:
            path = self.files_dir / "blobs" / a.sha256
            if path.is_file():
                data = path.read_bytes()
                actual = hashlib.sha256(data).hexdigest()
                if actual != a.sha256:
                    raise TransferError(f"{a.where}: {path} holds other bytes (sha256 "
                                        f"{actual}); the copy of the files is damaged")
                if len(data) != a.row["size"]:
                    raise TransferError(f"{a.where}: 'size' is {a.row['size']} but {path} "
                                        f"has {len(data)} bytes")
                store_bytes(data)
                self.stats.files_stored += 1
                return
        name = storage_name(a.sha256)
        if default_storage.exists(name):
            Blob.objects.create(sha256=a.sha256, size=default_storage.size(name))
            return
        if not self.allow_missing_files:
            place = f"in {self.files_dir}/blobs nor " if self.files_dir else ""
            raise TransferError(
                f"{a.where}: the bytes of {a.row['filename']!r} (sha256 {a.sha256}) are "
                f"neither {place}in this desk's storage; pass --files DIR (the directory "
                "given to `litso export --with-files`), or --allow-missing-files to keep "
                "the attachment's details without its content"
            )
        # The row points at bytes that are not there: downloads of it fail until the file is
        # copied to its storage name, but the conversation keeps its record of the file.
        Blob.objects.create(sha256=a.sha256, size=a.row["size"])
        self.stats.missing_files.append(a.sha256)

    def link(self) -> None:
        """Second pass: a ticket can point at one later in the file, so links come last."""
        if not self.links:
            return
        wanted = sorted({n for _, merged, follow, _ in self.links for n in (merged, follow) if n})
        pks: dict[int, int] = {}
        for part in in_chunks(wanted):
            pks.update(Ticket.objects.filter(number__in=part).values_list("number", "pk"))
        rows = []
        for pk, merged, follow, where in self.links:
            row = Ticket(pk=pk)
            row.merged_into_id = pks.get(merged) if merged else None
            row.follow_up_of_id = pks.get(follow) if follow else None
            for label, number in (("merged_into", merged), ("follow_up_of", follow)):
                if number and number not in pks:
                    self.stats.dropped_links.append(
                        f"{where}: {label} #{number} is not in the file; link dropped")
            rows.append(row)
        Ticket.objects.bulk_update(rows, ["merged_into", "follow_up_of"])


def _restore_times(model: type[Model], fields: list[str],
                   rows: list[tuple[Any, ...]]) -> None:
    """Set ``fields`` (date-times) per row; each row is (pk, value, value, …)."""
    if not rows:
        return
    opts, ops = model._meta, connection.ops
    columns = ", ".join(f"{ops.quote_name(_column(model, name))} = %s" for name in fields)
    sql = (f"UPDATE {ops.quote_name(opts.db_table)} SET {columns} "
           f"WHERE {ops.quote_name(_column(model, 'pk'))} = %s")
    with connection.cursor() as cursor:
        cursor.executemany(sql, [
            [*(ops.adapt_datetimefield_value(value) for value in values), pk]
            for pk, *values in rows
        ])


def _column(model: type[Model], name: str) -> str:
    field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    column = getattr(field, "column", None)
    if not isinstance(column, str):
        raise TypeError(f"{model.__name__}.{name} has no column")
    return column
