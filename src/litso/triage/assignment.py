"""Giving a ticket an owner: on shift, in its department, speaks its language, least loaded.

Round-robin among equally loaded agents (the one assigned longest ago first); nobody over
their maximum load. With nobody available the ticket waits, visibly, and the first agent who
starts a shift — or whose load drops — gets it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from litso.audit.record import Actor, record
from litso.core.process_cache import ProcessCache
from litso.staff.models import AgentProfile
from litso.tickets.models import OPEN_STATUSES, Status, Ticket
from litso.triage.models import TicketTriage


@dataclass(frozen=True)
class Choice:
    user_id: int
    reason: str


def candidates(
    department_id: int, language: str, exclude_user: int | None = None
) -> list[dict[str, Any]]:
    """On-shift agents of the department with room for one more, least loaded first."""
    rows = (
        AgentProfile.objects.filter(on_shift=True, user__is_active=True, departments=department_id)
        .annotate(
            load=Count(
                "user__assigned_tickets",
                filter=Q(user__assigned_tickets__status__in=OPEN_STATUSES),
            )
        )
        .values("user_id", "display_name", "languages", "load", "max_load", "last_assigned_at")
    )
    found: list[dict[str, Any]] = [
        dict(row)
        for row in rows
        if row["load"] < row["max_load"]
        and row["user_id"] != exclude_user
        and (not language or language in (row["languages"] or []))
    ]
    epoch = timezone.now().replace(year=1970)
    found.sort(key=lambda r: (r["load"], r["last_assigned_at"] or epoch, r["user_id"]))
    return found


def _on_shift_languages() -> dict[int, list[list[str]]]:
    """Department id -> the languages of each active agent on shift in it."""
    found: dict[int, list[list[str]]] = defaultdict(list)
    rows = AgentProfile.objects.filter(
        on_shift=True, user__is_active=True, departments__isnull=False
    ).values_list("departments", "languages")
    for department_id, languages in rows:
        found[department_id].append(list(languages or []))
    return dict(found)


# Most new tickets of a desk at night find nobody on shift: that answer is kept per process
# instead of counting every agent's load for each ticket (see ProcessCache; loads change all
# the time and are always counted when somebody is there).
_on_shift = ProcessCache("triage.assignment.on_shift", _on_shift_languages)
_on_shift.depends_on(
    AgentProfile,
    User,
    m2m=[AgentProfile.departments.through],
    ignore_fields={"last_assigned_at", "last_login"},
)


def anyone_could_take(department_id: int, language: str) -> bool:
    """Whether an active agent on shift in the department speaks the language (cached)."""
    return any(
        not language or language in languages
        for languages in _on_shift.get().get(department_id, ())
    )


def pick_agent(
    ticket: Ticket, exclude_user: int | None = None, *, cached: bool = False
) -> Choice | None:
    """The best agent for the ticket; ``cached`` first asks the per-process answer to
    whether anyone is on shift at all, and counts loads only when somebody is."""
    if cached and not anyone_could_take(ticket.department_id, ticket.language):
        return None
    rows = candidates(ticket.department_id, ticket.language, exclude_user)
    if not rows:
        return None
    best = rows[0]
    tied = sum(1 for row in rows if row["load"] == best["load"])
    language = f", speaks {ticket.language}" if ticket.language else ""
    reason = (
        f"on shift in {ticket.department}{language}, least loaded "
        f"({best['load']} of {best['max_load']} open)"
    )
    if tied > 1:
        reason += f", next in turn among {tied} equally loaded"
    return Choice(best["user_id"], reason)


def do_auto_assign(
    ticket: Ticket,
    actor: Actor | None = None,
    *,
    exclude_user: int | None = None,
    new_triage: TicketTriage | None = None,
) -> Ticket:
    """Assign to the best available agent, or mark the ticket as waiting for one.

    ``new_triage`` is the triage row of a ticket being opened, not saved yet: it is changed in
    memory and its caller inserts it. Whether anyone is on shift is then taken from the
    per-process cache, which a change in another process reaches within seconds; a ticket
    that waits meanwhile is handed out by ``assign_waiting``, which always asks the database.
    """
    # Opening a ticket, the caller's transaction is the one to roll back: no savepoint.
    with transaction.atomic(savepoint=new_triage is None):
        return _auto_assign(ticket, actor, exclude_user, new_triage)


def _auto_assign(
    ticket: Ticket,
    actor: Actor | None,
    exclude_user: int | None,
    new_triage: TicketTriage | None,
) -> Ticket:
    from litso.tickets.actions import do_assign

    actor = actor or Actor.system("automatic assignment")
    choice = pick_agent(ticket, exclude_user, cached=new_triage is not None)
    triage = new_triage or TicketTriage.objects.get_or_create(ticket=ticket)[0]
    if choice is None:
        if not triage.waiting_for_agent:
            triage.waiting_for_agent = True
            if new_triage is None:
                triage.save(update_fields=["waiting_for_agent"])
            record(
                ticket,
                actor,
                "waiting_for_agent",
                reason=f"nobody on shift in {ticket.department} with room"
                + (f" who speaks {ticket.language}" if ticket.language else ""),
            )
        return ticket
    # Locking the profile serialises two assignments racing for the same least-loaded agent.
    profile = AgentProfile.objects.select_for_update().get(user_id=choice.user_id)
    profile.last_assigned_at = timezone.now()
    profile.save(update_fields=["last_assigned_at"])
    ticket = do_assign(ticket, choice.user_id, replace(actor, reason=choice.reason))
    if triage.waiting_for_agent:
        triage.waiting_for_agent = False
        if new_triage is None:
            triage.save(update_fields=["waiting_for_agent"])
    return ticket


def needs_owner(ticket: Ticket) -> bool:
    return (
        ticket.assignee_id is None
        and ticket.status in (Status.NEW, Status.OPEN)
        and ticket.department.auto_assign
    )


def assign_waiting(limit: int = 200) -> int:
    """Give waiting tickets to whoever is now available, oldest first. Returns how many."""
    done = 0
    waiting = (
        Ticket.objects.filter(
            triage__waiting_for_agent=True, assignee__isnull=True, status__in=OPEN_STATUSES
        )
        .select_related("department")
        .order_by("created_at")[:limit]
    )
    for ticket in waiting:
        with transaction.atomic():
            ticket = do_auto_assign(ticket, Actor.system("an agent became available"))
        done += ticket.assignee_id is not None
    # Tickets that got an owner some other way, or were solved meanwhile, stop waiting.
    TicketTriage.objects.filter(waiting_for_agent=True).filter(
        Q(ticket__assignee__isnull=False) | ~Q(ticket__status__in=OPEN_STATUSES)
    ).update(waiting_for_agent=False)
    return done


@transaction.atomic
def do_set_on_shift(user_id: int, on_shift: bool, actor: Actor) -> int:
    """Start or end an agent's shift; starting one hands them waiting tickets at once."""
    profile = AgentProfile.objects.select_for_update().get(user_id=user_id)
    if profile.on_shift != on_shift:
        profile.on_shift = on_shift
        profile.save(update_fields=["on_shift"])
    return assign_waiting() if on_shift else 0
