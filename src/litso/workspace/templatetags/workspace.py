"""Small helpers for the workspace templates: SLA countdowns, names, audit lines."""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.utils.translation import gettext as _

from litso.audit.models import Event
from litso.tickets.models import Ticket
from litso.workspace import timeline

register = template.Library()


def span(delta: datetime.timedelta) -> str:
    """A short human duration: 45 min, 3 h 5 min, 2 d 4 h."""
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key)


@register.filter
def countdown(due: datetime.datetime | None, now: datetime.datetime) -> str:
    if due is None:
        return ""
    if due <= now:
        return _("%(span)s overdue") % {"span": span(now - due)}
    return _("in %(span)s") % {"span": span(due - now)}


@register.simple_tag
def next_deadline(ticket: Ticket, now: datetime.datetime) -> timeline.Deadline | None:
    return timeline.next_deadline(ticket, now)


@register.filter
def deadline_label(kind: str) -> str:
    labels = {
        "first_response": _("First response"),
        "next_response": _("Next response"),
        "periodic_update": _("Update to the customer"),
        "resolution": _("Resolution"),
    }
    return labels.get(kind, kind)


@register.filter
def event_text(event: Event) -> str:
    return timeline.describe_event(event)


@register.filter
def agent_name(user: Any) -> str:
    if user is None:
        return ""
    profile = getattr(user, "agent", None)
    if profile is not None and profile.display_name:
        return str(profile.display_name)
    return str(user.get_username())


@register.filter
def actor_name(event: Event) -> str:
    if event.actor is not None:
        return agent_name(event.actor)
    if event.rule_name:
        return _("rule “%(name)s”") % {"name": event.rule_name}
    return {"customer": _("Customer"), "system": _("System")}.get(event.actor_kind, "")


@register.filter
def filesize(size: int) -> str:
    if size < 1024:
        return _("%(size)d B") % {"size": size}
    if size < 1024 * 1024:
        return _("%(size).0f KB") % {"size": size / 1024}
    return _("%(size).1f MB") % {"size": size / 1024 / 1024}
