"""Each ticket's SLA clock: which policy applies, its deadlines, and the next timer.

The ticket actions call `on_ticket_event` inside their transaction after changing a ticket;
it tells what happened from the ticket's counters (a customer message, an agent reply) and
status, so it needs no query of messages. Deadlines follow these rules:

* first response and resolution run from the ticket's creation;
* next response runs from the first customer message not yet answered, once the first
  response was given; an agent reply ends it;
* periodic update runs from the last public update (an agent reply or the 'still working on
  it' message) while the ticket is open;
* a status named in the policy's ``paused_statuses`` stops the clock: the stopped time is
  added to every deadline running across it;
* solved and closed tickets have no deadlines; the time a ticket spends solved is paused
  time too, so a reopened ticket resumes where it stopped.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone

from litso.core.process_cache import ProcessCache
from litso.departments.models import Department
from litso.sla.calendar import (
    Calendar,
    CalendarError,
    add_business_minutes,
    business_minutes_between,
)
from litso.sla.models import BusinessCalendar, SlaPolicy, TicketSla
from litso.tickets.models import OPEN_STATUSES, Status, Ticket

logger = logging.getLogger(__name__)
WARNING = "warning"
BREACH = "breach"


@dataclass(frozen=True)
class Timer:
    kind: str
    stage: str
    at: datetime
    due: datetime
    key: str


@dataclass(frozen=True)
class _Snapshot:
    stamp: tuple[int, object]
    policies: list[SlaPolicy]


_snapshot = _Snapshot((0, None), [])


def _checked_snapshot() -> _Snapshot:
    """The active policies, read again only when the table's stamp moved.

    Any change to a policy, its conditions or any calendar moves the newest `updated_at`
    (see signals); a deletion changes the count.
    """
    global _snapshot
    # Plain SQL: compiling the ORM query cost more than running it.
    # The timestamp is only compared, so its database type does not matter.
    table = connection.ops.quote_name(SlaPolicy._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), MAX(updated_at) FROM {table}")
        count, newest = cursor.fetchone()
    stamp = (count, newest)
    snapshot = _snapshot
    if stamp != snapshot.stamp:
        policies = list(
            SlaPolicy.objects.filter(active=True)
            .select_related("calendar")
            .prefetch_related("departments", "organisations", "request_types")
        )
        snapshot = _snapshot = _Snapshot(stamp, policies)
    return snapshot


# Every ticket event (twice for a new ticket) needs the policies: even the stamp query is not
# asked every time. A change in this process is seen at once (the signals it depends on); one in
# another process within ProcessCache's seconds. That is no new kind of race: a ticket whose
# transaction began before a policy change may commit after the recompute it enqueued has
# passed, too; the recompute itself always asks (`active_policies(fresh=True)`).
_policies = ProcessCache("sla.policies", _checked_snapshot)
_policies.depends_on(
    SlaPolicy,
    BusinessCalendar,
    Department,
    m2m=[
        SlaPolicy.departments.through,
        SlaPolicy.organisations.through,
        SlaPolicy.request_types.through,
    ],
)


def active_policies(*, fresh: bool = False) -> list[SlaPolicy]:
    """The active policies with their conditions and calendars, by position.

    ``fresh`` checks the stamp now rather than trusting this process's last check (a
    recompute after a change made in another process).
    """
    if fresh:
        _policies.invalidate()
    return _policies.get().policies


def _ids(manager: object) -> set[int]:
    return {item.pk for item in manager.all()}  # type: ignore[attr-defined]


def matches(policy: SlaPolicy, ticket: Ticket, tag_names: set[str] | None = None) -> bool:
    def tags() -> set[str]:
        return tag_names if tag_names is not None else ticket_tag_names(ticket)

    return matches_values(
        policy,
        priority=ticket.priority,
        channel=ticket.channel,
        department_id=ticket.department_id,
        request_type_id=ticket.request_type_id,
        organisation_id=lambda: ticket.customer.organisation_id,
        tag_names=tags,
    )


def ticket_tag_names(ticket: Ticket) -> set[str]:
    return set(ticket.tags.values_list("name", flat=True))


def matches_values(
    policy: SlaPolicy,
    *,
    priority: str,
    channel: str,
    department_id: int | None,
    request_type_id: int | None,
    organisation_id: Callable[[], int | None],
    tag_names: Callable[[], set[str]],
) -> bool:
    """The policy's conditions on plain values; the bulk recompute matches without tickets.

    The organisation and the tags cost a query each on a ticket, so they are asked for only
    when a condition needs them.
    """
    if policy.priorities and priority not in policy.priorities:
        return False
    if policy.channels and channel not in policy.channels:
        return False
    departments = _ids(policy.departments)
    if departments and department_id not in departments:
        return False
    request_types = _ids(policy.request_types)
    if request_types and request_type_id not in request_types:
        return False
    organisations = _ids(policy.organisations)
    if organisations and organisation_id() not in organisations:
        return False
    return not policy.tags or bool(tag_names() & set(policy.tags))


def policy_for(ticket: Ticket, policies: Iterable[SlaPolicy] | None = None) -> SlaPolicy | None:
    """The first active policy, by position, whose conditions the ticket meets."""
    tag_names: set[str] | None = None
    for policy in active_policies() if policies is None else policies:
        if policy.tags and tag_names is None:
            tag_names = ticket_tag_names(ticket)
        if matches(policy, ticket, tag_names):
            return policy
    return None


def engine_calendar(policy: SlaPolicy, ticket: Ticket) -> Calendar:
    if policy.calendar_id is not None:
        return policy.engine_calendar()
    department = ticket.department
    return policy.engine_calendar(department.calendar if department.calendar_id else None)


class Measure:
    """Minutes as the policy counts them: business minutes of a calendar, or elapsed minutes."""

    def __init__(self, policy: SlaPolicy, calendar: Calendar) -> None:
        self.business = policy.business_time
        self.calendar = calendar

    def between(self, start: datetime, end: datetime) -> int:
        if self.business:
            return business_minutes_between(self.calendar, start, end)
        return elapsed_minutes(start, end)

    def add(self, start: datetime, minutes: int) -> datetime:
        if self.business:
            return add_business_minutes(self.calendar, start, minutes)
        return start + timedelta(minutes=minutes)


def elapsed_minutes(start: datetime, end: datetime) -> int:
    return int((end - start).total_seconds() // 60)


def _record_first_response(
    created: datetime, answered: datetime, sla: TicketSla, calendar: Calendar
) -> None:
    """The first response time in both measures, less the time the clock stood still.

    The stopped time is what had been paused by the answer: the finished pauses, and the one
    still running if the answer came while paused.
    """
    paused_business = sla.paused_business_minutes
    paused_calendar = sla.paused_calendar_minutes
    if sla.paused_since is not None:
        paused_business += max(0, business_minutes_between(calendar, sla.paused_since, answered))
        paused_calendar += max(0, elapsed_minutes(sla.paused_since, answered))
    calendar_minutes = elapsed_minutes(created, answered)
    business_minutes = business_minutes_between(calendar, created, answered)
    sla.first_response_calendar_minutes = max(0, calendar_minutes - paused_calendar)
    sla.first_response_business_minutes = max(0, business_minutes - paused_business)


def _warn_minutes(target: int, percent: int) -> int:
    return max(1, math.ceil(target * percent / 100))


def recompute(ticket: Ticket, sla: TicketSla, policy: SlaPolicy, now: datetime) -> list[Timer]:
    """Bring `sla` up to date with the ticket (no save); return the timers of running targets."""
    measure = Measure(policy, engine_calendar(policy, ticket))
    sla.policy = policy
    if sla.update_cycle_start is None:
        # A new clock: what the ticket went through before had no SLA and is no event now.
        sla.update_cycle_start = ticket.created_at
        sla.seen_agent_replies = ticket.agent_replies
        sla.seen_customer_messages = ticket.customer_messages
    # Time spent solved does not count either: a reopened ticket resumes where it stopped.
    paused = ticket.status in policy.paused_statuses or ticket.status == Status.SOLVED
    if paused and sla.paused_since is None:
        sla.paused_since = now
    elif not paused and sla.paused_since is not None:
        sla.paused_minutes += max(0, measure.between(sla.paused_since, now))
        sla.paused_business_minutes += max(
            0, business_minutes_between(measure.calendar, sla.paused_since, now)
        )
        sla.paused_calendar_minutes += max(0, elapsed_minutes(sla.paused_since, now))
        sla.paused_since = None
    if ticket.agent_replies > sla.seen_agent_replies:
        # A public answer: the customer is no longer waiting, nor in silence.
        sla.response_cycle_start = None
        sla.update_cycle_start = now
        sla.update_cycle_pause = sla.paused_minutes
    elif (
        ticket.customer_messages > sla.seen_customer_messages
        and sla.seen_customer_messages
        and sla.response_cycle_start is None
    ):
        # The customer wrote again; a second message before the answer keeps the first start.
        sla.response_cycle_start = now
        sla.response_cycle_pause = sla.paused_minutes
    sla.seen_agent_replies = ticket.agent_replies
    sla.seen_customer_messages = ticket.customer_messages
    if ticket.first_response_at and sla.first_response_calendar_minutes is None:
        _record_first_response(ticket.created_at, ticket.first_response_at, sla, measure.calendar)

    starts: dict[str, tuple[datetime, int] | None] = {
        "first_response": None
        if ticket.first_response_at
        else (ticket.created_at, sla.paused_minutes),
        "next_response": (sla.response_cycle_start, sla.paused_minutes - sla.response_cycle_pause)
        if sla.response_cycle_start and ticket.first_response_at
        else None,
        "periodic_update": (sla.update_cycle_start, sla.paused_minutes - sla.update_cycle_pause),
        "resolution": (ticket.created_at, sla.paused_minutes),
    }
    timers: list[Timer] = []
    running = ticket.status in OPEN_STATUSES and not paused
    for kind, start in starts.items():
        target = policy.target(kind)
        due = None
        if running and start is not None and target is not None:
            begun, pause = start
            due = measure.add(begun, target + pause)
            cycle = begun.isoformat()
            warn = measure.add(begun, _warn_minutes(target, policy.warn_at_percent) + pause)
            timers.append(Timer(kind, WARNING, warn, due, f"{kind}:{WARNING}:{cycle}"))
            timers.append(Timer(kind, BREACH, due, due, f"{kind}:{BREACH}:{cycle}"))
        setattr(sla, f"{kind}_due", due)
    sla.fired = _still_relevant(sla)
    fired = set(sla.fired)
    pending = [timer.at for timer in timers if timer.key not in fired]
    sla.next_timer_at = min(pending) if pending else None
    return timers


def _still_relevant(sla: TicketSla) -> list[str]:
    """Drop the keys of answered cycles, which never come back; keep all the others.

    First response and resolution run from the creation, so theirs stay for good: a reopened
    ticket must not be told twice that it missed them.
    """
    cycles = {
        "next_response": sla.response_cycle_start,
        "periodic_update": sla.update_cycle_start,
    }
    kept = []
    for key in sla.fired:
        kind, _, cycle = key.split(":", 2)
        if kind not in cycles:
            kept.append(key)
            continue
        start = cycles[kind]
        if start is not None and cycle == start.isoformat():
            kept.append(key)
    return kept


def clear(sla: TicketSla) -> None:
    """No policy applies any more: no deadlines, no timers; what was measured stays."""
    sla.policy = None
    for kind in ("first_response", "next_response", "periodic_update", "resolution"):
        setattr(sla, f"{kind}_due", None)
    sla.next_timer_at = None


def on_ticket_event(
    ticket: Ticket, now: datetime | None = None, *, opened: bool = False
) -> TicketSla | None:
    """Recompute the ticket's deadlines after an action changed it; call inside its transaction.

    ``opened`` says the ticket was created in this transaction, so it has no clock yet and
    the lookup is skipped (opening is the hottest path).
    """
    now = now or timezone.now()
    policies = active_policies()
    if not policies:
        # A desk without SLA pays one query; clocks left by a removed policy are cleared by
        # the bulk recompute that its removal enqueues.
        return None
    policy = policy_for(ticket, policies)
    sla = None if opened else TicketSla.objects.filter(pk=ticket.pk).first()
    if policy is None:
        if sla is not None and sla.policy_id is not None:
            clear(sla)
            sla.save()
        return sla
    created = sla is None
    if sla is None:
        sla = TicketSla(ticket=ticket)
    safe_recompute(ticket, sla, policy, now)
    # The key is the ticket's, so save() would try an UPDATE first; a new clock is inserted.
    sla.save(force_insert=created)
    return sla


def safe_recompute(ticket: Ticket, sla: TicketSla, policy: SlaPolicy, now: datetime) -> list[Timer]:
    """`recompute`, but a calendar that cannot answer never fails the ticket action.

    Calendars are checked when saved, yet one made only of "open" dates runs out of business
    time, and a spec written around the admin may be broken: the ticket then runs without
    deadlines and the problem is logged for the administrator.
    """
    try:
        return recompute(ticket, sla, policy, now)
    except CalendarError:
        logger.exception("SLA policy %r: no deadlines for ticket %s", policy.name, ticket.pk)
        clear(sla)
        sla.policy = policy
        return []
