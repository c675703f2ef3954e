"""Bulk changes: the single-ticket actions, once per ticket, each in its own transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from litso.audit.record import Actor
from litso.tickets.actions.changes import (
    do_assign,
    do_change_department,
    do_change_priority,
    do_change_status,
)
from litso.tickets.actions.tags import do_change_tags
from litso.tickets.models import Ticket

CHANGES = ("status", "priority", "department", "assignee", "add_tags", "remove_tags")


@dataclass
class BulkResult:
    changed: list[int] = field(default_factory=list)
    # Ticket number → why it was not changed; one bad ticket does not stop the rest.
    failed: dict[int, str] = field(default_factory=dict)


def do_bulk_change(tickets: Iterable[Ticket], actor: Actor, **changes: Any) -> BulkResult:
    unknown = set(changes) - set(CHANGES)
    if unknown:
        raise ValidationError({"changes": f"unknown bulk change {sorted(unknown)[0]!r}"})
    result = BulkResult()
    for ticket in tickets:
        try:
            if "department" in changes:
                ticket = do_change_department(ticket, changes["department"], actor)
            if "assignee" in changes:
                ticket = do_assign(ticket, changes["assignee"], actor)
            if "priority" in changes:
                ticket = do_change_priority(ticket, changes["priority"], actor)
            if "status" in changes:
                ticket = do_change_status(ticket, changes["status"], actor)
            if "add_tags" in changes or "remove_tags" in changes:
                ticket = do_change_tags(
                    ticket,
                    actor,
                    add=changes.get("add_tags", ()),
                    remove=changes.get("remove_tags", ()),
                )
        except ValidationError as exc:
            result.failed[ticket.number] = "; ".join(exc.messages)
        else:
            result.changed.append(ticket.number)
    return result
