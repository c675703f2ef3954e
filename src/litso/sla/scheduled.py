"""Firing SLA warnings and breaches, claimed from TicketSla.next_timer_at by the scheduler.

A timer is marked fired (its key stored in TicketSla.fired) in the same transaction as its
actions, under the row lock `claim_due` takes, so it fires once even with several schedulers
and even after a crash: timers that came due while the desk was down fire on the next round
(a breach that is due too makes its own warning moot).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from litso.audit.models import Event
from litso.audit.record import Actor, record
from litso.core.choices import PRIORITY_RANK, Priority
from litso.jobs.scheduler import claim_due, periodic
from litso.sla.clock import (
    BREACH,
    WARNING,
    Timer,
    active_policies,
    clear,
    policy_for,
    safe_recompute,
)
from litso.sla.customer_update import send_still_working
from litso.sla.models import SlaBreach, SlaPolicy, TicketSla
from litso.sla.tasks import ClockWriter, notify_sla, notify_sla_many
from litso.staff.models import AgentProfile, Role
from litso.tickets.models import OPEN_STATUSES, Ticket

logger = logging.getLogger(__name__)
# Small batches: an agent acting on a claimed ticket waits for its batch to commit.
BATCH = 25
PERIODIC = "periodic_update"


@dataclass
class _Round:
    """Rows a round writes at its end, one statement each: audit events, breaches, clocks.

    Only tickets whose timers merely record and notify go here; a ticket whose policy acts
    (raises priority, hands over, writes to the customer or a note) is written as it goes,
    so its trail keeps the order of what happened.
    """

    events: list[Event] = field(default_factory=list)
    breaches: list[SlaBreach] = field(default_factory=list)
    clocks: list[TicketSla] = field(default_factory=list)
    # Per user, [ticket id, kind, stage, due at]: one notification task per user and round.
    notes: dict[int, list[list[Any]]] = field(default_factory=dict)

    def write(self) -> None:
        Event.objects.bulk_create(self.events)
        SlaBreach.objects.bulk_create(self.breaches)
        ClockWriter(TicketSla).update(self.clocks)
        for user_id, notes in self.notes.items():
            if len(notes) == 1:
                ticket_id, kind, stage, due = notes[0]
                notify_sla.enqueue(ticket_id, user_id, kind, stage, due)
            else:
                notify_sla_many.enqueue(user_id, notes)


@periodic("sla.fire_due_timers", every_seconds=5)
def fire_due_timers() -> int:
    """Fire every warning and breach whose time has come; returns how many fired."""
    total = 0
    while True:
        handled = 0
        with transaction.atomic():
            now = timezone.now()
            claimed = claim_due(
                TicketSla.objects.filter(next_timer_at__lte=now).order_by("next_timer_at"), BATCH
            )
            policies = active_policies() if claimed else []
            # One query locks the round's tickets; one an action holds is skipped (see fire).
            # The department comes along for its calendar; only the tickets are locked.
            tickets = (
                Ticket.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("department")
                .in_bulk([sla.ticket_id for sla in claimed])
            )
            batch = _Round()
            for sla in claimed:
                ticket = tickets.get(sla.ticket_id)
                fired = None if ticket is None else fire(sla, now, policies, ticket, batch)
                if fired is not None:
                    handled += 1
                    total += fired
            batch.write()
        # A round where every ticket was busy is left for the next tick rather than spun on.
        if len(claimed) < BATCH or not handled:
            return total


def fire(
    sla: TicketSla,
    now: datetime,
    policies: list[SlaPolicy],
    ticket: Ticket | None = None,
    batch: _Round | None = None,
) -> int | None:
    """Fire the due timers of one claimed row (inside the claiming transaction).

    Returns how many fired, or None when an action holds the ticket: ticket actions lock the
    ticket and then its clock, so waiting here for the ticket while holding the clock could
    deadlock them; the action recomputes the clock itself, and the next round fires the rest.
    `ticket` is the row already locked by the round; `batch` collects the round's writes.
    """
    if ticket is None:
        ticket = Ticket.objects.select_for_update(skip_locked=True).filter(pk=sla.ticket_id).first()
    if ticket is None:
        return None
    policy = policy_for(ticket, policies)
    if policy is None:
        clear(sla)
        sla.save()
        return 0
    if _acts(policy):
        batch = None
    timers = safe_recompute(ticket, sla, policy, now)
    done = set(sla.fired)
    ready = [timer for timer in timers if timer.key not in done and timer.at <= now]
    breached = {timer.kind for timer in ready if timer.stage == BREACH}
    sla.fired = [*sla.fired, *(timer.key for timer in ready)]
    # A raised priority goes through do_change_priority, which recomputes the clock from its
    # row: only then must the row be saved before acting and read again after.
    reread = policy.raise_priority and any(t.stage == BREACH and t.kind != PERIODIC for t in ready)
    if reread:
        sla.save()
    fired = 0
    restart_updates = False
    for timer in ready:
        if timer.stage == WARNING and timer.kind in breached:
            continue
        restart_updates |= _act(ticket, policy, timer, now, batch)
        fired += 1
    if reread:
        sla = TicketSla.objects.get(pk=sla.pk)
        ticket = Ticket.objects.get(pk=ticket.pk)
    _finish(sla, ticket, now, restart_updates, silence=PERIODIC in breached, policies=policies)
    if batch is None:
        sla.save()
    else:
        batch.clocks.append(sla)
    return fired


def _acts(policy: SlaPolicy) -> bool:
    """Whether the policy's timers may run ticket actions (which write their own rows)."""
    return (
        policy.raise_priority
        or policy.reassign_on_shift
        or policy.remind_agent
        or policy.send_customer_update
    )


def _finish(
    sla: TicketSla,
    ticket: Ticket,
    now: datetime,
    restart_updates: bool,
    silence: bool,
    policies: list[SlaPolicy],
) -> None:
    if silence:
        sla.silence_gaps += 1
    if restart_updates:
        # The customer was just told: the next periodic update is due a full target later.
        sla.update_cycle_start = now
        sla.update_cycle_pause = sla.paused_minutes
    # The actions may have moved the ticket to another policy (a raised priority).
    policy = policy_for(ticket, policies)
    if policy is None:
        clear(sla)
    else:
        safe_recompute(ticket, sla, policy, now)
    if sla.next_timer_at is not None and sla.next_timer_at <= now:
        # Never the case by construction; a guard so a bug cannot spin the loop.
        logger.error("SLA timer of ticket %s did not advance", sla.pk)
        sla.next_timer_at = now + timedelta(minutes=1)


def _act(
    ticket: Ticket, policy: SlaPolicy, timer: Timer, now: datetime, batch: _Round | None
) -> bool:
    """Record and act on one timer; True when the customer was sent an update."""
    actor = Actor.rule(policy.name, reason=f"{timer.kind.replace('_', ' ')} {timer.stage}")
    verb, due = f"sla_{timer.stage}", timer.due.isoformat()
    data = {"kind": timer.kind, "due_at": due}
    if batch is None:
        record(ticket, actor, verb, field=timer.kind, new=due, data=data)
    else:
        # The row `record` would insert, kept for the round's one insert.
        batch.events.append(
            Event(
                ticket=ticket,
                actor_kind=actor.kind,
                actor=actor.user,
                rule_name=actor.rule_name,
                verb=verb,
                field=timer.kind,
                new_value=due,
                reason=actor.reason,
                data=data,
            )
        )
    for user_id in recipients(ticket, policy, timer.stage):
        if batch is None:
            notify_sla.enqueue(ticket.pk, user_id, timer.kind, timer.stage, due)
        else:
            batch.notes.setdefault(user_id, []).append([ticket.pk, timer.kind, timer.stage, due])
    if timer.stage == WARNING:
        return False
    breach = SlaBreach(
        ticket=ticket, policy=policy, kind=timer.kind, due_at=timer.due, breached_at=now
    )
    if batch is None:
        breach.save()
    else:
        batch.breaches.append(breach)
    if timer.kind == PERIODIC:
        return _break_silence(ticket, policy, actor)
    if policy.raise_priority:
        _raise_priority(ticket, actor)
    if policy.reassign_on_shift:
        _hand_to_on_shift(ticket, actor)
    return False


def recipients(ticket: Ticket, policy: SlaPolicy, stage: str) -> list[int]:
    """Who hears of a warning or a breach: the assignee and/or the department's supervisors,
    as the policy's actions say.

    A warning about a ticket nobody holds goes to the supervisors even when the policy names
    only the assignee: they are the ones who can still hand it to somebody in time.
    """
    users: list[int] = []
    if policy.notify_assignee and ticket.assignee_id is not None:
        users.append(ticket.assignee_id)
    unheld_warning = stage == WARNING and policy.notify_assignee and ticket.assignee_id is None
    if policy.notify_supervisor or unheld_warning:
        users.extend(user_id for user_id in _supervisors(ticket) if user_id not in users)
    return users


def _break_silence(ticket: Ticket, policy: SlaPolicy, actor: Actor) -> bool:
    from litso.tickets.actions import do_add_note

    if policy.remind_agent:
        do_add_note(
            ticket,
            actor,
            body_text="No public update for this ticket within the SLA: "
            "please tell the customer where their request stands.",
        )
    if policy.send_customer_update and ticket.status in OPEN_STATUSES:
        send_still_working(ticket, actor)
        return True
    return False


def _supervisors(ticket: Ticket) -> list[int]:
    return list(
        AgentProfile.objects.filter(
            role=Role.SUPERVISOR, departments=ticket.department_id, user__is_active=True
        ).values_list("user_id", flat=True)
    )


def _raise_priority(ticket: Ticket, actor: Actor) -> None:
    from litso.tickets.actions import do_change_priority

    ordered = sorted(PRIORITY_RANK, key=PRIORITY_RANK.__getitem__)
    current = Ticket.objects.only("priority").get(pk=ticket.pk).priority
    rank = PRIORITY_RANK[Priority(current)]
    if rank + 1 < len(ordered):
        do_change_priority(ticket, ordered[rank + 1], actor, reason=actor.reason)


def _hand_to_on_shift(ticket: Ticket, actor: Actor) -> None:
    """Give the ticket to another on-shift agent of its department who speaks its language,
    least loaded first — the same choice as triage's automatic assignment."""
    from litso.triage.assignment import do_auto_assign

    current = Ticket.objects.select_related("department").get(pk=ticket.pk)
    do_auto_assign(current, actor, exclude_user=current.assignee_id)
