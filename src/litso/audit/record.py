"""Writing the audit trail. Every do_* action calls this inside its transaction.

A caller doing many changes in one transaction (a batch of inbound mail records about four
events a mail) wraps it in `litso.core.rows.deferred_inserts`: the events are then prepared as
recorded (their time is the time of the change) and written by one statement when it ends,
before the transaction commits; those of a savepoint that rolled back are not written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from litso.audit.models import ActorKind, Event
from litso.core.rows import insert_later

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from litso.tickets.models import Ticket


@dataclass(frozen=True)
class Actor:
    """Who is acting, and in whose name: an agent, the customer, a named rule, or the system."""

    kind: str
    user: User | None = None
    rule_name: str = ""
    reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def agent(cls, user: User, reason: str = "") -> Actor:
        return cls(ActorKind.AGENT, user=user, reason=reason)

    @classmethod
    def system(cls, reason: str = "") -> Actor:
        return cls(ActorKind.SYSTEM, reason=reason)

    @classmethod
    def customer(cls) -> Actor:
        return cls(ActorKind.CUSTOMER)

    @classmethod
    def rule(cls, name: str, reason: str = "") -> Actor:
        return cls(ActorKind.RULE, rule_name=name, reason=reason)

    def describe(self) -> str:
        if self.kind == ActorKind.RULE:
            return f"rule {self.rule_name!r}"
        if self.user is not None:
            return str(self.user)
        return str(self.kind)


def record(
    ticket: Ticket,
    actor: Actor,
    verb: str,
    *,
    field: str = "",
    old: object = "",
    new: object = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> Event:
    event = Event(
        ticket=ticket,
        actor_kind=actor.kind,
        actor=actor.user,
        rule_name=actor.rule_name,
        verb=verb,
        field=field,
        old_value=_text(old),
        new_value=_text(new),
        reason=reason or actor.reason,
        data=data or {},
    )
    # Every mail records several events: without the ORM's insert compiler (Event.save only
    # refuses changes to saved events); in a batch, all of them in one statement at its end.
    return insert_later(event, save_override_ok=True)


def _text(value: object) -> str:
    if value is None:
        return ""
    return str(value)
