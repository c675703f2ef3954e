"""Parsed records waiting in a batch to be written, and the customer parser they share."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from litso.customers.contacts import normalise
from litso.customers.models import ContactKind
from litso.transfer.format import TransferError
from litso.transfer.reading import REQUIRED, Fields

T = TypeVar("T")

# Well under SQLite's limit on query parameters, whatever its build.
_IN_CHUNK = 900


def in_chunks(values: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), _IN_CHUNK):
        yield values[start:start + _IN_CHUNK]


@dataclass(frozen=True)
class PortalUser:
    username: str
    email: str
    is_active: bool


@dataclass(eq=False)
class CustomerSpec:
    where: str
    row: dict[str, Any]
    created_at: datetime.datetime | None
    contacts: list[tuple[str, str, str]]
    portal: PortalUser | None
    # How a customer without contact points is recognised on the next ticket.
    record_key: str
    pk: int | None = None
    same_as: CustomerSpec | None = None

    def resolved(self) -> int:
        pk = self.same_as.resolved() if self.same_as is not None else self.pk
        if pk is None:
            raise RuntimeError(f"{self.where}: customer used before it was written")
        return pk


@dataclass(eq=False)
class AttachmentSpec:
    where: str
    sha256: str
    row: dict[str, Any]


@dataclass(eq=False)
class MessageSpec:
    row: dict[str, Any]
    created_at: datetime.datetime
    by_ticket_customer: bool
    author: CustomerSpec | None
    attachments: list[AttachmentSpec]


@dataclass(eq=False)
class EventSpec:
    row: dict[str, Any]
    created_at: datetime.datetime


@dataclass(eq=False)
class TicketSpec:
    where: str
    number: int
    row: dict[str, Any]
    created_at: datetime.datetime
    updated_at: datetime.datetime
    customer: CustomerSpec
    tags: list[str]
    messages: list[MessageSpec] = field(default_factory=list)
    events: list[EventSpec] = field(default_factory=list)
    merged_into: int | None = None
    follow_up_of: int | None = None
    # The SLA clock row (or None) and breach rows, keyed by column (see transfer/sla.py).
    sla: tuple[dict[str, Any] | None, list[dict[str, Any]]] = (None, [])


def parse_customer(r: Fields, organisation_id: int | None) -> CustomerSpec:
    contacts: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str]] = set()
    for i, item in enumerate(r.items("contacts"), 1):
        c = Fields(item, f"{r.where}, contact {i}")
        kind = c.choice("kind", ContactKind)
        # Stored normalised, as the desk does, so matching by contact stays exact.
        value = normalise(kind, c.text("value", REQUIRED))
        if not value:
            raise TransferError(f"{c.where}: 'value' is empty")
        if (kind, value) not in seen:
            seen.add((kind, value))
            contacts.append((kind, value, c.text("undeliverable_reason")))
    portal = None
    p = r.nested("portal_user", "portal_user")
    if p is not None:
        portal = PortalUser(username=p.name("username"), email=p.text("email"),
                            is_active=p.flag("is_active", True))
    return CustomerSpec(
        where=r.where,
        row={
            "full_name": r.text("full_name"),
            "address_as": r.text("address_as"),
            "language": r.text("language"),
            "time_zone": r.text("time_zone"),
            "notes": r.text("notes"),
            "organisation_id": organisation_id,
        },
        created_at=r.time("created_at"),
        contacts=contacts,
        portal=portal,
        record_key=json.dumps(
            {k: v for k, v in r.data.items() if k != "type"}, sort_keys=True
        ),
    )
