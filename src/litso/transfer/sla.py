"""The SLA part of an export: calendars, policies, and each ticket's clock and breaches.

Exported as the desk holds them, and imported raw like the rest (see importer.py): calendars
and policies are written without the model signals, so a restore enqueues no recompute, and
clocks come back with the deadlines, pauses and fired timers they had, so the scheduler goes
on where the old desk stopped. References are by name, as everywhere in the format.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.db.models import Prefetch

from litso.core.choices import Channel, Priority
from litso.sla.calendar import Calendar, CalendarError
from litso.sla.models import TARGETS, BusinessCalendar, SlaBreach, SlaPolicy, TicketSla
from litso.tickets.models import Status, Ticket
from litso.transfer.format import TransferError, iso
from litso.transfer.reading import REQUIRED, Fields

POLICY_FLAGS = (
    "active",
    "business_time",
    "notify_assignee",
    "notify_supervisor",
    "raise_priority",
    "reassign_on_shift",
    "send_customer_update",
    "remind_agent",
)
FLAG_DEFAULTS = {
    field.name: field.default
    for field in SlaPolicy._meta.concrete_fields
    if field.name in POLICY_FLAGS
}
TARGET_FIELDS = tuple(f"{kind}_minutes" for kind in TARGETS)
CLOCK_TIMES = (
    "first_response_due",
    "next_response_due",
    "periodic_update_due",
    "resolution_due",
    "next_timer_at",
    "paused_since",
    "response_cycle_start",
    "update_cycle_start",
)
CLOCK_COUNTS = (
    "paused_minutes",
    "paused_business_minutes",
    "paused_calendar_minutes",
    "response_cycle_pause",
    "update_cycle_pause",
    "seen_customer_messages",
    "seen_agent_replies",
    "silence_gaps",
)
CLOCK_OPTIONAL_COUNTS = ("first_response_business_minutes", "first_response_calendar_minutes")
OPEN_STATUSES = [Status.NEW, Status.OPEN, Status.PENDING_CUSTOMER, Status.ON_HOLD]


# --- Export -------------------------------------------------------------------------------


def calendar_records() -> Iterator[dict[str, Any]]:
    for calendar in BusinessCalendar.objects.order_by("name"):
        yield {"type": "business_calendar", "name": calendar.name, "spec": calendar.spec}


def policy_records() -> Iterator[dict[str, Any]]:
    policies = SlaPolicy.objects.select_related("calendar").prefetch_related(
        "departments", "organisations", "request_types"
    )
    for policy in policies.order_by("position", "name"):
        yield {
            "type": "sla_policy",
            "name": policy.name,
            "position": policy.position,
            "calendar": policy.calendar.name if policy.calendar else None,
            "priorities": policy.priorities,
            "channels": policy.channels,
            "tags": policy.tags,
            "departments": sorted(d.name for d in policy.departments.all()),
            "organisations": sorted(o.name for o in policy.organisations.all()),
            "request_types": sorted(t.name for t in policy.request_types.all()),
            **{name: getattr(policy, name) for name in TARGET_FIELDS},
            "paused_statuses": policy.paused_statuses,
            "warn_at_percent": policy.warn_at_percent,
            **{name: getattr(policy, name) for name in POLICY_FLAGS},
        }


def ticket_prefetches() -> list[Prefetch[Any]]:
    breaches = SlaBreach.objects.select_related("policy").order_by("breached_at", "pk")
    return [Prefetch("breaches", queryset=breaches, to_attr="x_breaches")]


def ticket_sla_record(ticket: Ticket) -> dict[str, Any]:
    """The "sla" and "breaches" keys of a ticket line (the queryset selects "sla__policy")."""
    clock: TicketSla | None = getattr(ticket, "sla", None)
    record: dict[str, Any] | None = None
    if clock is not None:
        record = {"policy": clock.policy.name if clock.policy else None}
        record.update({name: iso(getattr(clock, name)) for name in CLOCK_TIMES})
        record["fired"] = clock.fired
        record.update({name: getattr(clock, name) for name in CLOCK_COUNTS})
        record.update({name: getattr(clock, name) for name in CLOCK_OPTIONAL_COUNTS})
    breaches = [
        {
            "kind": breach.kind,
            "policy": breach.policy.name if breach.policy else None,
            "due_at": iso(breach.due_at),
            "breached_at": iso(breach.breached_at),
        }
        for breach in getattr(ticket, "x_breaches")  # noqa: B009 - a prefetched attribute
    ]
    return {"sla": record, "breaches": breaches}


# --- Import -------------------------------------------------------------------------------


def _checked_list(r: Fields, key: str, allowed: list[str]) -> list[str]:
    values = r.texts(key)
    unknown = [value for value in values if value not in allowed]
    if unknown:
        raise TransferError(f"{r.where}: '{key}' has {unknown}, not among {allowed}")
    return values


class SlaImport:
    """Calendars and policies as their lines come; clocks and breaches parsed per ticket."""

    def __init__(
        self,
        department_id: Callable[[str, str], int],
        organisation_id: Callable[[str, str], int],
        request_type_id: Callable[[str, str], int],
    ) -> None:
        self.department_id = department_id
        self.organisation_id = organisation_id
        self.request_type_id = request_type_id
        self.calendars: dict[str, int] = dict(BusinessCalendar.objects.values_list("name", "pk"))
        self.policies: dict[str, int] = dict(SlaPolicy.objects.values_list("name", "pk"))

    def calendar(self, r: Fields) -> None:
        name = r.name("name")
        spec = r.mapping("spec")
        try:
            Calendar.from_spec(spec)
        except CalendarError as error:
            raise TransferError(f"{r.where}: 'spec': {error}") from None
        # QuerySet writes, not save(): the model signals would enqueue a recompute.
        if not BusinessCalendar.objects.filter(name=name).update(spec=spec):
            BusinessCalendar.objects.bulk_create([BusinessCalendar(name=name, spec=spec)])
        self.calendars[name] = BusinessCalendar.objects.get(name=name).pk

    def calendar_id(self, name: str | None, where: str) -> int | None:
        if name is None:
            return None
        if name not in self.calendars:
            raise TransferError(
                f"{where}: unknown calendar {name!r} (no business_calendar line before it)"
            )
        return self.calendars[name]

    def policy(self, r: Fields) -> None:
        name = r.name("name")
        values: dict[str, Any] = {
            "position": r.count("position"),
            "calendar_id": self.calendar_id(r.optional_text("calendar"), r.where),
            "priorities": _checked_list(r, "priorities", list(Priority.values)),
            "channels": _checked_list(r, "channels", list(Channel.values)),
            "tags": r.texts("tags"),
            "paused_statuses": _checked_list(r, "paused_statuses", list(OPEN_STATUSES))
            if "paused_statuses" in r.data
            else ["pending_customer", "on_hold"],
            "warn_at_percent": r.count("warn_at_percent", 75),
        }
        values.update({field: r.optional_count(field) for field in TARGET_FIELDS})
        values.update({flag: r.flag(flag, FLAG_DEFAULTS[flag]) for flag in POLICY_FLAGS})
        departments = [self.department_id(n, r.where) for n in r.texts("departments")]
        organisations = [self.organisation_id(n, r.where) for n in r.texts("organisations")]
        types = [self.request_type_id(n, r.where) for n in r.texts("request_types")]
        if not SlaPolicy.objects.filter(name=name).update(**values):
            SlaPolicy.objects.bulk_create([SlaPolicy(name=name, **values)])
        policy = SlaPolicy.objects.get(name=name)
        # Through rows directly: m2m_changed would enqueue a recompute too.
        relations: list[tuple[Any, list[int]]] = [
            (SlaPolicy.departments, departments),
            (SlaPolicy.organisations, organisations),
            (SlaPolicy.request_types, types),
        ]
        for relation, ids in relations:
            through = relation.through
            column = relation.field.m2m_reverse_field_name()
            through._default_manager.filter(slapolicy_id=policy.pk).delete()
            through._default_manager.bulk_create(
                through(slapolicy_id=policy.pk, **{f"{column}_id": pk}) for pk in ids
            )
        self.policies[name] = policy.pk

    def policy_id(self, name: str | None, where: str) -> int | None:
        if name is None:
            return None
        if name not in self.policies:
            raise TransferError(f"{where}: unknown SLA policy {name!r} (no sla_policy line)")
        return self.policies[name]

    def parse_ticket(self, r: Fields) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """The ticket's clock row and breach rows, without the ticket id (not known yet)."""
        clock: dict[str, Any] | None = None
        s = r.nested("sla", "sla")
        if s is not None:
            clock = {"policy_id": self.policy_id(s.optional_text("policy"), s.where)}
            clock.update({name: s.time(name) for name in CLOCK_TIMES})
            clock["fired"] = s.texts("fired")
            clock.update({name: s.count(name) for name in CLOCK_COUNTS})
            clock.update({name: s.optional_count(name) for name in CLOCK_OPTIONAL_COUNTS})
        breaches = []
        for i, item in enumerate(r.items("breaches"), 1):
            b = Fields(item, f"{r.where}, breach {i}")
            kind = b.text("kind", REQUIRED)
            if kind not in TARGETS:
                raise TransferError(f"{b.where}: 'kind' is {kind!r}, not one of {list(TARGETS)}")
            breaches.append(
                {
                    "kind": kind,
                    "policy_id": self.policy_id(b.optional_text("policy"), b.where),
                    "due_at": b.when("due_at"),
                    "breached_at": b.when("breached_at"),
                }
            )
        return clock, breaches


def write_ticket_sla(rows: list[tuple[int, dict[str, Any] | None, list[dict[str, Any]]]]) -> None:
    """Bulk-create the clocks and breaches of a batch of tickets: (ticket id, clock, breaches)."""
    TicketSla.objects.bulk_create(
        TicketSla(ticket_id=pk, **clock) for pk, clock, _ in rows if clock is not None
    )
    SlaBreach.objects.bulk_create(
        SlaBreach(ticket_id=pk, **breach) for pk, _, breaches in rows for breach in breaches
    )
