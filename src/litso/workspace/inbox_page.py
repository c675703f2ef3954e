"""A page of an inbox list: which tickets (their ids, in the list's order) and what each row
shows (``Listed``), read as plain values.

Turning a page's joined rows into seven model objects each (ticket, customer, department,
owner and profile, clock, triage) took 4 of the page's 7 ms at a million tickets; a row
shows a dozen values, so that is what is read.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db.models import OuterRef, QuerySet, Subquery

from litso.core.prepared import Prepared
from litso.customers.models import Customer
from litso.departments.models import Department
from litso.sla.models import TicketSla
from litso.staff.models import AgentProfile
from litso.tickets.models import Ticket
from litso.workspace.inbox import DUE_FIELDS, sort_tickets
from litso.workspace.timeline import DUE_LABELS, Deadline

PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class Listed:
    """A ticket as a list shows it."""

    pk: int
    number: int
    subject: str
    status: str
    priority: str
    escalated: bool
    language: str
    updated_at: datetime.datetime
    created_at: datetime.datetime
    customer: str
    department: str
    assignee: str  # the owner's display name ("" for nobody)
    dues: tuple[tuple[str, datetime.datetime], ...]  # (kind, due) of the running deadlines
    chase_count: int
    abusive: bool
    needs_review: bool

    def next_deadline(self, now: datetime.datetime) -> Deadline | None:
        if not self.dues:
            return None
        kind, due = min(self.dues, key=lambda pair: pair[1])
        return Deadline(kind, due, due <= now)


@dataclass
class Page:
    rows: list[Listed]
    number: int
    has_next: bool
    first_index: int = field(default=0)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def last_index(self) -> int:
        return self.first_index + len(self.rows) - 1 if self.rows else 0


def page_of(tickets: QuerySet[Ticket], number: int, size: int = 0) -> Page:
    """One page, in two queries: the sorted ids, then those rows with everything they show.

    A sort no index answers sorts every matching row; sorting ids and keys only, instead of
    rows joined with their customer, owner and clock, makes that several times cheaper.
    """
    size = size or PAGE_SIZE
    number = max(1, number)
    start = (number - 1) * size
    return _page(list(tickets.values_list("pk", flat=True)[start : start + size + 1]), number, size)


def page_sorted(tickets: QuerySet[Ticket], sort: str, number: int, size: int = 0) -> Page:
    """``page_of(sort_tickets(tickets, sort), number)``, with the first-response queue read in
    the order of its deadline index (``first_response_ids``)."""
    size = size or PAGE_SIZE
    if sort != "first-response":
        return page_of(sort_tickets(tickets, sort), number, size)
    number = max(1, number)
    start = (number - 1) * size
    return _page(first_response_ids(tickets, start, start + size + 1), number, size)


def first_response_ids(tickets: QuerySet[Ticket], start: int, stop: int) -> list[int]:
    """Ids ``[start:stop]`` of ``tickets`` by first-response deadline, then those without one
    by age: the "first-response" sort, ties on a deadline broken by id.

    Sorting every unanswered ticket of an agent's departments by its deadline (11,000 at a
    million tickets) took 18-30 ms. Walking the deadline index in order instead, and keeping
    each clock whose ticket is in ``tickets`` (looked up by primary key), stops after a page:
    under 1 ms on SQLite and PostgreSQL. The lookup is a scalar subquery, not EXISTS: an
    EXISTS PostgreSQL turns into a join, whose size it underestimates (it cannot know that
    unanswered tickets are the ones with a first-response deadline), and then hashes and
    sorts all 11,000 again. Tickets without a deadline are read only by a page reaching them.
    """
    by_due = first_response_order(tickets)
    ids = list(by_due[start:stop])
    if len(ids) == stop - start:
        return ids
    # The page goes past the dated tickets: the rest follow, oldest first.
    dated_count = start + len(ids) if ids else by_due.count()
    dated = TicketSla.objects.filter(first_response_due__isnull=False).values("ticket_id")
    undated = tickets.exclude(pk__in=dated).order_by("created_at", "pk")
    skip = max(0, start - dated_count)
    wanted = stop - start - len(ids)
    return ids + list(undated.values_list("pk", flat=True)[skip : skip + wanted])


def first_response_order(tickets: QuerySet[Ticket]) -> QuerySet[TicketSla, int]:
    """The ids of ``tickets`` with a first-response deadline, earliest first."""
    in_view = Subquery(tickets.order_by().filter(pk=OuterRef("ticket_id")).values("pk")[:1])
    return (
        TicketSla.objects.filter(first_response_due__isnull=False)
        .alias(in_view=in_view)
        .filter(in_view__isnull=False)
        .order_by("first_response_due", "ticket_id")
        .values_list("ticket_id", flat=True)
    )


def _page(ids: list[int], number: int, size: int) -> Page:
    start = (number - 1) * size
    by_id = read_rows(ids[:size])
    rows = [by_id[pk] for pk in ids[:size] if pk in by_id]
    return Page(rows=rows, number=number, has_next=len(ids) > size, first_index=start + 1)


COLUMNS = (
    "pk", "number", "subject", "status", "priority", "escalated", "language", "updated_at",
    "created_at", "customer_id",
    *(f"sla__{name}" for name in DUE_FIELDS),
    "triage__chase_count", "triage__abusive", "triage__needs_review",
)  # fmt: skip
DUE_KINDS = tuple(DUE_LABELS[name] for name in DUE_FIELDS)


def _names() -> dict[str, Subquery]:
    """The customer's, department's and owner's names, each a lookup by key per row.

    Joined in, they made a seven-table join whose planning PostgreSQL repeated on every page
    (2-3 ms, more than running it), and whose plan hashed all customers for fifty rows.
    The clock and triage rows stay joined: one to one, by the ticket's key.
    """

    def name(model: type[Any], key: str, column: str, by: str = "pk") -> Subquery:
        return Subquery(model.objects.filter(**{by: OuterRef(key)}).values(column)[:1])

    return {
        "customer_name": name(Customer, "customer_id", "full_name"),
        "department_name": name(Department, "department_id", "name"),
        "agent_name": name(AgentProfile, "assignee_id", "display_name", by="user_id"),
        "username": name(User, "assignee_id", "username"),
    }


def _rows_of(*ids: int) -> Any:  # a values_list() queryset: tuples
    names = _names()
    return (
        Ticket.objects.filter(pk__in=list(ids))
        .order_by()
        .annotate(**names)
        .values_list(*COLUMNS, *names)
    )


# Compiled once per process and page length (core/prepared.py).
_rows = Prepared(_rows_of)


def read_rows(ids: list[int]) -> dict[int, Listed]:
    """What the rows of these tickets show, by id, in one query."""
    found: dict[int, Listed] = {}
    if not ids:
        return found
    for (pk, number, subject, status, priority, escalated, language, updated_at, created_at,
         customer_id, *rest) in _rows(*ids):  # fmt: skip
        *due_values, chase_count, abusive, needs_review = rest[:-4]
        customer_name, department, agent_name, username = rest[-4:]
        found[pk] = Listed(
            pk=pk,
            number=number,
            subject=subject,
            status=status,
            priority=priority,
            escalated=escalated,
            language=language,
            updated_at=updated_at,
            created_at=created_at,
            customer=customer_name or f"customer #{customer_id}",  # as Customer.__str__
            department=department,
            assignee=agent_name or username or "",  # as display.agent_name
            dues=tuple((k, due) for k, due in zip(DUE_KINDS, due_values, strict=True) if due),
            chase_count=chase_count or 0,
            abusive=bool(abusive),
            needs_review=bool(needs_review),
        )
    return found
