"""What every ticket action needs: resolving inputs, checking the actor, saving with events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from litso.audit.models import ActorKind
from litso.audit.record import Actor
from litso.core import rows
from litso.core.choices import Priority
from litso.departments.models import Department
from litso.tickets.access import tickets_visible_to
from litso.tickets.models import Ticket


@dataclass(frozen=True)
class NewAttachment:
    filename: str
    content_type: str
    data: bytes
    content_id: str = ""


def resolve_department(value: Department | int | str) -> Department:
    if isinstance(value, Department):
        return value
    found = None
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        found = Department.objects.filter(pk=int(value)).first()
    if found is None and isinstance(value, str):
        found = Department.objects.filter(name__iexact=value.strip()).first()
    if found is None:
        raise ValidationError({"department": f"unknown department {value!r}"})
    if not found.active:
        raise ValidationError({"department": f"department {found.name!r} is not active"})
    return found


def resolve_agent(value: User | int | str) -> User:
    if isinstance(value, User):
        user: User | None = value
    else:
        lookup = {"pk": int(value)} if str(value).isdigit() else {"username": value}
        user = User.objects.filter(**lookup).select_related("agent").first()
    if user is None:
        raise ValidationError({"assignee": f"unknown agent {value!r}"})
    if not user.is_active or getattr(user, "agent", None) is None:
        raise ValidationError({"assignee": f"{user.get_username()!r} is not an active agent"})
    return user


def check_priority(value: str) -> str:
    value = str(value)
    if value not in Priority.values:
        raise ValidationError(
            {"priority": f"unknown priority {value!r}; use one of {', '.join(Priority.values)}"}
        )
    return value


def check_actor_may_act(actor: Actor, ticket: Ticket) -> None:
    """An agent may change only the tickets they may see; rules and the system act for the desk."""
    if actor.kind != ActorKind.AGENT:
        return
    if actor.user is None:
        raise ValidationError("an agent action needs the agent")
    if not tickets_visible_to(actor.user).filter(pk=ticket.pk).exists():
        raise PermissionDenied(f"{actor.user} may not change ticket #{ticket.number}")


class PermissionDenied(ValidationError):
    """Raised when the actor may not touch this ticket; views turn it into 403/404."""


def lock(ticket: Ticket) -> Ticket:
    """Re-read the ticket under a row lock, so two actions on one ticket do not interleave.

    ``Ticket.objects.select_for_update().get(pk=...)`` by plain SQL (`litso.core.rows.get`):
    every action starts here, and compiling the query cost more than running it."""
    found = rows.get(Ticket, ticket.pk, for_update=True)
    if found is None:
        raise Ticket.DoesNotExist(f"ticket {ticket.pk} does not exist")
    return found


def changed_fields(ticket: Ticket, **values: Any) -> dict[str, tuple[Any, Any]]:
    changes = {}
    for name, new in values.items():
        old = getattr(ticket, name)
        if old != new:
            changes[name] = (old, new)
            setattr(ticket, name, new)
    return changes
