"""Who else has a ticket open, and who is typing a reply to it.

The live stream of a ticket page beats every ``HEARTBEAT`` (``seen_at``); the reply box
reports typing, which holds "replying" for ``REPLYING_FOR``. Rows live in the database so
every web process sees them (see models.Presence); each write is one upsert. Nothing here is
audited: presence is a hint to colleagues, not a change to the ticket.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from litso.workspace.models import Presence

if TYPE_CHECKING:
    from django.contrib.auth.models import User

HEARTBEAT = datetime.timedelta(seconds=10)
# Three missed heartbeats: the tab was closed, the laptop slept, the network went.
TTL = datetime.timedelta(seconds=30)
REPLYING_FOR = datetime.timedelta(seconds=8)
# Rows this old are swept by the scheduler (a closed tab usually deletes its own row).
KEEP = datetime.timedelta(hours=1)


@dataclass(frozen=True)
class Visitor:
    user_id: int
    name: str
    replying: bool

    @property
    def text(self) -> str:
        if self.replying:
            return _("%(name)s is replying…") % {"name": self.name}
        return _("%(name)s is viewing") % {"name": self.name}


def _upsert(user: User, ticket_id: int, now: datetime.datetime, replying: bool) -> None:
    row = Presence(
        ticket_id=ticket_id,
        user=user,
        seen_at=now,
        replying_until=now + REPLYING_FOR if replying else None,
    )
    # A heartbeat leaves replying_until alone: typing reported a second ago still stands.
    fields = ["seen_at", "replying_until"] if replying else ["seen_at"]
    Presence.objects.bulk_create(
        [row], update_conflicts=True, unique_fields=["ticket", "user"], update_fields=fields
    )


def mark_viewing(user: User, ticket_id: int, now: datetime.datetime | None = None) -> None:
    _upsert(user, ticket_id, now or timezone.now(), replying=False)


def mark_replying(user: User, ticket_id: int, now: datetime.datetime | None = None) -> None:
    _upsert(user, ticket_id, now or timezone.now(), replying=True)


def stop_replying(user: User, ticket_id: int) -> None:
    Presence.objects.filter(ticket_id=ticket_id, user=user).update(replying_until=None)


def leave(user: User, ticket_id: int) -> None:
    Presence.objects.filter(ticket_id=ticket_id, user=user).delete()


def others_on(
    ticket_id: int, user: User, now: datetime.datetime | None = None
) -> list[Visitor]:
    """The other agents on the ticket now, in a stable order; one query."""
    now = now or timezone.now()
    rows = (
        Presence.objects.filter(ticket_id=ticket_id, seen_at__gte=now - TTL)
        .exclude(user=user)
        .order_by("user_id")
        .values_list("user_id", "user__agent__display_name", "user__username", "replying_until")
    )
    return [
        Visitor(
            user_id=user_id,
            name=display_name or username,
            replying=replying_until is not None and replying_until > now,
        )
        for user_id, display_name, username, replying_until in rows
    ]


def forget_stale(now: datetime.datetime | None = None) -> int:
    cutoff = (now or timezone.now()) - KEEP
    deleted, _counts = Presence.objects.filter(seen_at__lt=cutoff).delete()
    return deleted
