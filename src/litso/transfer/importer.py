"""Reading a JSON Lines export back into an empty desk: a raw restore, not new activity.

Nothing here goes through the do_* actions, on purpose: they would write a second audit trail
dated today, stamp today's times, renumber tickets and enqueue mail to customers about
conversations that ended years ago. Rows are written as exported, with bulk_create, and the
auto_now/auto_now_add timestamps (which Django overwrites on insert) are put back right after.

The whole import is one transaction: a bad line anywhere, even the last, leaves the database
as it was. That holds the write lock for the length of the import, which is acceptable for a
restore into an empty desk that nobody is using yet. Only attachment files written to storage
survive a failed import; they are content-addressed, so a retry reuses them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import DatabaseError, connection, transaction

from litso.audit.models import ActorKind
from litso.core.choices import Channel, Language, Priority
from litso.customers.models import Organisation
from litso.departments.models import Department
from litso.staff.models import AgentProfile, Role
from litso.tickets.fields import check_definitions
from litso.tickets.models import (
    AuthorKind,
    Delivery,
    Message,
    MessageKind,
    RequestType,
    Status,
    Ticket,
)
from litso.tickets.numbering import ensure_numbers_above
from litso.transfer.format import FORMAT, VERSION, TransferError
from litso.transfer.reading import REQUIRED, Fields, read_records
from litso.transfer.sla import SlaImport
from litso.transfer.specs import (
    AttachmentSpec,
    CustomerSpec,
    EventSpec,
    MessageSpec,
    TicketSpec,
    parse_customer,
)
from litso.transfer.writing import ImportStats, Writer

BATCH = 500
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


def _default(value: int | None, default: int) -> int:
    return default if value is None else value


class Importer:
    def __init__(self, *, files_dir: Path | None = None, allow_missing_files: bool = False,
                 batch_size: int = BATCH) -> None:
        self.files_dir = files_dir
        self.allow_missing_files = allow_missing_files
        self.batch_size = batch_size
        self.stats = ImportStats()
        self.writer: Writer | None = None
        self.batch: list[TicketSpec] = []
        self.batch_numbers: dict[int, str] = {}
        self.lonely: list[CustomerSpec] = []
        self.first_line = 0
        self.users: dict[str, int] = {}
        self.departments: dict[str, int] = {}
        self.request_types: dict[str, int] = {}
        self.organisations: dict[str, int] = {}

    def run(self, lines: Iterable[bytes]) -> ImportStats:
        with transaction.atomic():
            existing = Ticket.objects.count()
            if existing:
                raise TransferError(
                    f"this desk already has {existing} ticket(s); import restores into an "
                    "empty desk only (it does not merge two desks)"
                )
            self._load()
            handlers = {
                "business_calendar": self.sla.calendar,
                "department": self._department,
                "request_type": self._request_type,
                "organisation": self._organisation,
                "sla_policy": self.sla.policy,
                "agent": self._agent,
                "customer": self._customer,
                "ticket": self._ticket,
            }
            seen_header = False
            for number, record in read_records(lines):
                kind = record.text("type", REQUIRED)
                if not seen_header:
                    self._header(record, kind)
                    seen_header = True
                    continue
                handler = handlers.get(kind)
                if kind == FORMAT:
                    raise TransferError(f"{record.where}: a second header; import one export "
                                        "at a time, into an empty desk")
                if handler is None:
                    raise TransferError(
                        f"{record.where}: unknown line type {kind!r}; expected one of "
                        + ", ".join(repr(k) for k in handlers)
                    )
                if not self.batch and not self.lonely:
                    self.first_line = number
                try:
                    handler(record)
                except DatabaseError as exc:  # a value too long for its column, say
                    raise TransferError(
                        f"{record.where}: the database refused it: {exc}") from None
            if not seen_header:
                raise TransferError(f"the file is empty: expected a {FORMAT!r} header line")
            self._flush()
            writer = self._writer()
            writer.link()
            if writer.max_number:
                ensure_numbers_above(writer.max_number)
            # Messages keep their ids (events' data refers to them), so the id sequence must
            # move past them or the next new message would collide.
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), [Message]):
                    cursor.execute(sql)
        return self.stats

    def _load(self) -> None:
        self.departments = dict(Department.objects.values_list("name", "pk"))
        self.request_types = dict(RequestType.objects.values_list("name", "pk"))
        self.organisations = dict(Organisation.objects.values_list("name", "pk"))
        self.sla = SlaImport(self._department_id, self._organisation_id, self._request_type_id)

    def _header(self, record: Fields, kind: str) -> None:
        if kind != FORMAT:
            raise TransferError(
                f"{record.where}: the first line must be the {FORMAT!r} header, "
                f"not a {kind!r} line"
            )
        version = record.count("version", REQUIRED)
        if version != VERSION:
            raise TransferError(
                f"{record.where}: this is format version {version}; this desk reads "
                f"version {VERSION}"
            )

    # Reference data is written at once: it is small, and tickets look it up by name.

    def _department(self, r: Fields) -> None:
        name = r.name("name")
        dept, _ = Department.objects.update_or_create(name=name, defaults={
            "description": r.text("description"),
            "inbound_addresses": r.texts("inbound_addresses"),
            "default_priority": r.choice("default_priority", Priority, Priority.NORMAL),
            "active": r.flag("active", True),
            "calendar_id": self.sla.calendar_id(r.optional_text("calendar"), r.where),
        })
        self.departments[name] = dept.pk
        self.stats.departments += 1

    def _request_type(self, r: Fields) -> None:
        name = r.name("name")
        dept = r.optional_text("department")
        definitions = r.items("fields")
        try:
            check_definitions(definitions)
        except ValidationError as exc:
            raise TransferError(f"{r.where}: {'; '.join(exc.messages)}") from None
        rtype, _ = RequestType.objects.update_or_create(name=name, defaults={
            "department_id": self._department_id(dept, r.where) if dept else None,
            "fields": definitions,
            "active": r.flag("active", True),
        })
        self.request_types[name] = rtype.pk
        self.stats.request_types += 1

    def _organisation(self, r: Fields) -> None:
        name = r.name("name")
        org, _ = Organisation.objects.update_or_create(name=name, defaults={
            "domains": r.texts("domains"), "notes": r.text("notes"),
        })
        self.organisations[name] = org.pk
        self.stats.organisations += 1

    def _agent(self, r: Fields) -> None:
        username = r.name("username")
        role = r.optional_text("role")
        if role is not None and role not in Role.values:
            raise TransferError(f"{r.where}: 'role' is {role!r}, not one of {Role.values}")
        values = {
            "email": r.text("email"),
            "first_name": r.text("first_name"),
            "last_name": r.text("last_name"),
            "is_active": r.flag("is_active", True),
            "is_staff": r.flag("is_staff"),
            "is_superuser": r.flag("is_superuser"),
        }
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, **values)
            # No hash travels in an export: restored staff set a new password.
            user.set_unusable_password()
        else:
            for name, value in values.items():
                setattr(user, name, value)
        user.save()
        if role is not None:
            departments = [self._department_id(n, r.where) for n in r.texts("departments")]
            profile, _ = AgentProfile.objects.update_or_create(user=user, defaults={
                "role": role,
                "languages": r.texts("languages"),
                "display_name": r.optional_text("display_name") or username,
                "max_load": _default(r.optional_count("max_load"), 25),
                "on_shift": r.flag("on_shift"),
                "time_zone": r.optional_text("time_zone") or "UTC",
                "ui_language": r.optional_text("ui_language") or Language.EN,
            })
            profile.departments.set(departments)
        self.users[username] = user.pk
        self.stats.agents += 1

    def _customer(self, r: Fields) -> None:
        self.lonely.append(self._parse_customer(r))
        if len(self.lonely) >= self.batch_size:
            self._flush()

    def _parse_customer(self, r: Fields) -> CustomerSpec:
        org = r.optional_text("organisation")
        return parse_customer(r, self._organisation_id(org, r.where) if org else None)

    def _ticket(self, r: Fields) -> None:
        number = r.count("number", REQUIRED)
        line = r.where
        r = Fields(r.data, f"{line}, ticket #{number}")
        if number in self.batch_numbers:
            raise TransferError(f"{r.where}: ticket #{number} appears twice in the file "
                                f"(also at {self.batch_numbers[number]})")
        created_at = r.when("created_at")
        customer = r.nested("customer", "customer")
        if customer is None:
            raise TransferError(f"{r.where}: missing 'customer'")
        assignee = r.optional_text("assignee")
        rtype = r.optional_text("request_type")
        channel = r.choice("channel", Channel)
        tags = r.texts("tags")
        if any(not name.strip() for name in tags):
            raise TransferError(f"{r.where}: 'tags' has an empty name")
        spec = TicketSpec(
            where=r.where,
            number=number,
            row={
                "number": number,
                "subject": r.text("subject", REQUIRED),
                "status": r.choice("status", Status),
                "priority": r.choice("priority", Priority),
                "department_id": self._department_id(r.name("department"), r.where),
                "assignee_id": self._user_id(assignee, r.where) if assignee else None,
                "channel": channel,
                "request_type_id": self._request_type_id(rtype, r.where) if rtype else None,
                "language": r.text("language"),
                "custom_fields": r.mapping("custom_fields"),
                "escalated": r.flag("escalated"),
                "first_response_at": r.time("first_response_at"),
                "solved_at": r.time("solved_at"),
                "closed_at": r.time("closed_at"),
                "auto_close_at": r.time("auto_close_at"),
                "customer_messages": r.count("customer_messages"),
                "agent_replies": r.count("agent_replies"),
                "reopens": r.count("reopens"),
            },
            created_at=created_at,
            updated_at=r.time("updated_at") or created_at,
            customer=self._parse_customer(customer),
            tags=sorted(set(tags)),
            messages=[self._parse_message(Fields(item, f"{r.where}, message {i}"), channel)
                      for i, item in enumerate(r.items("messages"), 1)],
            events=[self._parse_event(Fields(item, f"{r.where}, event {i}"))
                    for i, item in enumerate(r.items("events"), 1)],
            merged_into=r.optional_count("merged_into"),
            follow_up_of=r.optional_count("follow_up_of"),
            sla=self.sla.parse_ticket(r),
        )
        self.batch.append(spec)
        self.batch_numbers[number] = line
        if len(self.batch) >= self.batch_size:
            self._flush()

    def _parse_message(self, m: Fields, channel: str) -> MessageSpec:
        author = m.data.get("author_customer")
        if author is not None and author != "ticket" and not isinstance(author, dict):
            raise TransferError(
                f"{m.where}: 'author_customer' must be \"ticket\", an object or null"
            )
        message_id = m.optional_count("id")
        agent = m.optional_text("author_agent")
        created_at = m.when("created_at")
        row = {
            "kind": m.choice("kind", MessageKind),
            "author_kind": m.choice("author_kind", AuthorKind),
            "author_agent_id": self._user_id(agent, m.where) if agent else None,
            "channel": m.choice("channel", Channel, channel),
            "subject": m.text("subject"),
            "body_text": m.text("body_text"),
            "body_html": m.text("body_html"),
            "external_id": m.text("external_id"),
            "delivery": m.choice("delivery", Delivery, Delivery.NOT_APPLICABLE),
            "delivery_error": m.text("delivery_error"),
            "delivery_attempts": m.count("delivery_attempts"),
        }
        if message_id:
            row["id"] = message_id
        attachments = []
        for i, item in enumerate(m.items("attachments"), 1):
            a = Fields(item, f"{m.where}, attachment {i}")
            sha = a.text("sha256", REQUIRED)
            if not _SHA256_RE.match(sha):
                # Also keeps a crafted "sha256" from reading files outside --files DIR.
                raise TransferError(f"{a.where}: 'sha256' is not 64 lower-case hex digits")
            attachments.append(AttachmentSpec(where=a.where, sha256=sha, row={
                "filename": a.name("filename"),
                "content_type": a.text("content_type", "application/octet-stream"),
                "size": a.count("size", REQUIRED),
                "content_id": a.text("content_id"),
            }))
        return MessageSpec(
            row=row,
            created_at=created_at,
            by_ticket_customer=author == "ticket",
            author=(self._parse_customer(Fields(author, f"{m.where}, author_customer"))
                    if isinstance(author, dict) else None),
            attachments=attachments,
        )

    def _parse_event(self, e: Fields) -> EventSpec:
        actor = e.optional_text("actor")
        created_at = e.when("created_at")
        return EventSpec(created_at=created_at, row={
            "actor_kind": e.choice("actor_kind", ActorKind),
            "actor_id": self._user_id(actor, e.where) if actor else None,
            "rule_name": e.text("rule_name"),
            "verb": e.name("verb"),
            "field": e.text("field"),
            "old_value": e.text("old_value"),
            "new_value": e.text("new_value"),
            "reason": e.text("reason"),
            "data": e.mapping("data"),
        })

    def _department_id(self, name: str, where: str) -> int:
        if name not in self.departments:
            raise TransferError(f"{where}: unknown department {name!r} "
                                "(no department line before it)")
        return self.departments[name]

    def _request_type_id(self, name: str, where: str) -> int:
        if name not in self.request_types:
            raise TransferError(f"{where}: unknown request type {name!r} "
                                "(no request_type line before it)")
        return self.request_types[name]

    def _organisation_id(self, name: str, where: str) -> int:
        if name not in self.organisations:
            raise TransferError(f"{where}: unknown organisation {name!r} "
                                "(no organisation line before it)")
        return self.organisations[name]

    def _user_id(self, username: str, where: str) -> int:
        if username not in self.users:
            pk = (get_user_model().objects.filter(username=username)
                  .values_list("pk", flat=True).first())
            if pk is None:
                raise TransferError(f"{where}: unknown agent {username!r} "
                                    "(no agent line before it)")
            self.users[username] = pk
        return self.users[username]

    # Writing a batch of tickets: a fixed number of statements per batch, whatever its size.

    def _flush(self) -> None:
        tickets, self.batch = self.batch, []
        lonely, self.lonely = self.lonely, []
        self.batch_numbers = {}
        if not tickets and not lonely:
            return
        try:
            self._writer().write(tickets, lonely)
        except DatabaseError as exc:
            raise TransferError(
                f"lines {self.first_line} and after: the database refused them: {exc}"
            ) from None

    def _writer(self) -> Writer:
        # Made on first use, inside the transaction: it loads what the desk already has.
        if self.writer is None:
            self.writer = Writer(self.stats, files_dir=self.files_dir,
                                 allow_missing_files=self.allow_missing_files)
        return self.writer
