"""Writing the audit trail. Every do_* action calls this inside its transaction.

A caller doing many changes in one transaction (a batch of inbound mail records about four
events a mail) wraps it in `deferred_events`: the events are then prepared as recorded (their
time is the time of the change) and written by one prepared statement when it ends, before the
transaction commits. An event recorded inside a savepoint that rolled back is not written: each
is tied to a no-op ``on_commit`` callback, which Django drops with the savepoint.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction

from litso.audit.models import ActorKind, Event
from litso.core.rows import insert, insert_prepared, prepared_insert

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
    pending = _pending.get()
    if pending is not None and connection.in_atomic_block:
        # Written when the deferred_events block ends: the returned event has no key yet.
        pending.add(prepared_insert(event, save_override_ok=True))
        return event
    # Every mail records several events: without the ORM's insert compiler (Event.save only
    # refuses changes to saved events).
    return insert(event, save_override_ok=True)


class _Marker:
    """A no-op on_commit callback: while Django keeps it, its savepoints were not rolled back."""

    __slots__ = ()

    def __call__(self) -> None:
        return None


class _Pending:
    def __init__(self) -> None:
        self.rows: list[tuple[_Marker, list[Any]]] = []
        self._marker: _Marker | None = None
        self._savepoints: tuple[str | None, ...] = ()

    def add(self, params: list[Any]) -> None:
        savepoints = tuple(connection.savepoint_ids)
        if self._marker is None or savepoints != self._savepoints:
            # Savepoint ids are never reused on a connection: one marker per set of them.
            self._marker, self._savepoints = _Marker(), savepoints
            transaction.on_commit(self._marker)
        self.rows.append((self._marker, params))

    def flush(self) -> None:
        alive = {id(entry[1]) for entry in connection.run_on_commit}
        rows = [params for marker, params in self.rows if id(marker) in alive]
        self.rows.clear()
        self._marker = None
        insert_prepared(Event, rows)


_pending: contextvars.ContextVar[_Pending | None] = contextvars.ContextVar(
    "litso_audit_pending", default=None
)


@contextmanager
def deferred_events() -> Iterator[None]:
    """Events recorded inside are written when it ends (see the module docstring). Use inside
    the transaction, so they commit with the changes they describe."""
    pending = _Pending()
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    pending.flush()


def _text(value: object) -> str:
    if value is None:
        return ""
    return str(value)
