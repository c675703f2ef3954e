from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from litso.audit.record import Actor, record
from litso.sla import clock as sla_clock
from litso.tickets.actions.common import check_actor_may_act, lock
from litso.tickets.models import Tag, Ticket

_TAG_RE = re.compile(r"^[\w-]{1,64}$", re.UNICODE)


def check_tags(names: Iterable[str]) -> list[str]:
    cleaned = []
    for name in names:
        tag = name.strip().lower().replace(" ", "-")
        if not _TAG_RE.match(tag):
            raise ValidationError({"tags": f"{name!r} is not a tag (letters, digits, - and _)"})
        cleaned.append(tag)
    return sorted(set(cleaned))


def apply_tags(
    ticket: Ticket, actor: Actor, *, add: Iterable[str] = (), remove: Iterable[str] = ()
) -> None:
    to_add, to_remove = check_tags(add), check_tags(remove)
    current = set(ticket.tags.values_list("name", flat=True))
    new_names = [name for name in to_add if name not in current]
    gone = [name for name in to_remove if name in current]
    if new_names:
        for name in new_names:
            Tag.objects.get_or_create(name=name)
        ticket.tags.add(*Tag.objects.filter(name__in=new_names))
    if gone:
        ticket.tags.remove(*Tag.objects.filter(name__in=gone))
    if new_names or gone:
        record(
            ticket,
            actor,
            "tags",
            field="tags",
            old=" ".join(sorted(current)),
            new=" ".join(sorted((current | set(new_names)) - set(gone))),
        )


@transaction.atomic
def do_change_tags(
    ticket: Ticket, actor: Actor, *, add: Iterable[str] = (), remove: Iterable[str] = ()
) -> Ticket:
    check_actor_may_act(actor, ticket)
    ticket = lock(ticket)
    apply_tags(ticket, actor, add=add, remove=remove)
    ticket.save(update_fields=["updated_at"])
    # Policies may match on tags.
    sla_clock.on_ticket_event(ticket)
    return ticket
