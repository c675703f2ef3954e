"""The tickets a search may return, as SQL the backends embed in their queries.

It is always ``tickets_visible_to(user)`` (narrowed by an e-mail address in the query): the
backends never decide who sees what, they only test membership in this queryset.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from litso.tickets.models import Ticket


@dataclass(frozen=True)
class Scope:
    visible: QuerySet[Ticket]
    # Customers find their conversation, never internal notes or system messages.
    public_only: bool

    @property
    def everything(self) -> bool:
        """True when the scope is every ticket (an administrator): nothing to check."""
        return not self.visible.query.where

    def ids_sql(self) -> tuple[str, tuple[Any, ...]]:
        """SELECT of the ids of the tickets in scope."""
        sql, params = self.visible.order_by().values("pk").query.sql_with_params()
        return sql, tuple(params)

    def contains_sql(self, ticket_id: str, suffix: str = "") -> tuple[str, tuple[Any, ...]]:
        """EXISTS (…): whether the ticket whose id is the SQL expression ``ticket_id`` (a column
        of the outer query) is in scope. ``suffix`` ends the subquery (PostgreSQL needs
        "OFFSET 0" to keep it a per-row probe instead of a join over every visible ticket)."""
        # ticket_id is a column name written in our own backends, never user input.
        outer = RawSQL(ticket_id, ())  # noqa: S611
        inner = self.visible.order_by().filter(pk=outer).values("pk")
        sql, params = inner.query.sql_with_params()
        return f"EXISTS ({sql}{suffix})", tuple(params)
