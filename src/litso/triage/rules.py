"""Admin-defined triage rules: conditions on a new request → actions, in order, each audited."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time
from functools import lru_cache

from django.utils import timezone

from litso.audit.record import Actor
from litso.core.process_cache import ProcessCache
from litso.tickets.models import Message, RequestType, Ticket
from litso.triage.models import TriageRule


@dataclass(frozen=True)
class Incoming:
    """What the rules look at: the request as it arrived."""

    subject: str
    body: str
    sender: str = ""
    recipients: tuple[str, ...] = ()
    channel: str = ""
    organisation_id: int | None = None
    language: str = ""
    received_at: datetime | None = None


@dataclass
class RulesOutcome:
    """Which ticket fields the rules decided, so the router leaves them alone."""

    ticket: Ticket
    applied: list[str] = field(default_factory=list)
    decided: set[str] = field(default_factory=set)


def _lines(text: str) -> list[str]:
    return [line.strip().lower() for line in text.replace(",", "\n").splitlines() if line.strip()]


def _sender_matches(patterns: list[str], sender: str) -> bool:
    sender = sender.lower()
    domain = sender.rpartition("@")[2]
    for pattern in patterns:
        if "@" in pattern.lstrip("@"):
            if sender == pattern:
                return True
        elif domain == pattern.lstrip("@") or domain.endswith("." + pattern.lstrip("@")):
            return True
    return False


@lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _in_window(start: time, end: time, moment: time) -> bool:
    # A window like 22:00–06:00 wraps midnight.
    if start <= end:
        return start <= moment < end
    return moment >= start or moment < end


def matches(rule: TriageRule, incoming: Incoming) -> bool:
    """True when every condition the rule gives holds for the request."""
    checks: list[bool] = []
    if rule.senders:
        checks.append(_sender_matches(_lines(rule.senders), incoming.sender))
    if rule.recipients:
        wanted = set(_lines(rule.recipients))
        checks.append(any(r.lower() in wanted for r in incoming.recipients))
    if rule.subject_contains:
        subject = incoming.subject.lower()
        checks.append(any(word in subject for word in _lines(rule.subject_contains)))
    if rule.body_contains:
        body = incoming.body.lower()
        checks.append(any(word in body for word in _lines(rule.body_contains)))
    if rule.pattern:
        try:
            regex = _regex(rule.pattern)
        except re.error:
            # The admin form refuses bad patterns; one saved some other way never matches.
            return False
        text = f"{incoming.subject}\n{incoming.body}"
        checks.append(regex.search(text) is not None)
    if rule.channel:
        checks.append(rule.channel == incoming.channel)
    if rule.organisation_id:
        checks.append(rule.organisation_id == incoming.organisation_id)
    if rule.language:
        checks.append(rule.language == incoming.language)
    if rule.time_from is not None and rule.time_until is not None:
        moment = timezone.localtime(incoming.received_at or timezone.now()).time()
        checks.append(_in_window(rule.time_from, rule.time_until, moment))
    return bool(checks) and all(checks)


def _load_rules() -> tuple[TriageRule, ...]:
    # The request type comes along: the shared instances are only read, never filled lazily.
    return tuple(
        TriageRule.objects.filter(active=True)
        .select_related("set_request_type")
        .order_by("position", "pk")
    )


# Every new ticket runs the rules; they change when an admin edits one (see ProcessCache for
# how soon each process sees that).
_rules = ProcessCache("triage.rules", _load_rules)
_rules.depends_on(TriageRule, RequestType)


def active_rules() -> list[TriageRule]:
    return list(_rules.get())


def apply_rules(
    ticket: Ticket, message: Message, incoming: Incoming, rules: list[TriageRule] | None = None
) -> RulesOutcome:
    """Run the rules in order on a new ticket; every change is an action in the rule's name."""
    from litso.tickets.actions import (
        do_assign,
        do_change_department,
        do_change_priority,
        do_change_tags,
        do_set_request_type,
    )

    outcome = RulesOutcome(ticket)
    for rule in active_rules() if rules is None else rules:
        if not matches(rule, incoming):
            continue
        actor = Actor.rule(rule.name, reason=f"triage rule {rule.name!r} matched")
        outcome.applied.append(rule.name)
        if rule.set_department_id:
            ticket = do_change_department(ticket, rule.set_department_id, actor)
            outcome.decided.add("department")
        if rule.set_priority:
            ticket = do_change_priority(ticket, rule.set_priority, actor)
            outcome.decided.add("priority")
        if rule.set_request_type_id:
            ticket = do_set_request_type(ticket, rule.set_request_type, actor)
            outcome.decided.add("request_type")
        if rule.add_tags:
            ticket = do_change_tags(ticket, actor, add=_lines(rule.add_tags))
        if rule.set_assignee_id:
            ticket = do_assign(ticket, rule.set_assignee_id, actor)
            outcome.decided.add("assignee")
        outcome.ticket = ticket
        if rule.stop_processing:
            break
    return outcome
