"""Small helpers for the workspace templates: SLA countdowns, names, audit lines."""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.utils.translation import gettext as _

from litso.audit.models import Event
from litso.tickets.models import Ticket
from litso.workspace import display, timeline

register = template.Library()


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key)


@register.filter
def countdown(due: datetime.datetime | None, now: datetime.datetime) -> str:
    return display.countdown(due, now)


@register.simple_tag
def next_deadline(ticket: Ticket, now: datetime.datetime) -> timeline.Deadline | None:
    return timeline.next_deadline(ticket, now)


@register.filter
def deadline_label(kind: str) -> str:
    return display.deadline_label(kind)


@register.filter
def event_text(event: Event) -> str:
    return timeline.describe_event(event)


@register.filter
def agent_name(user: Any) -> str:
    return display.agent_name(user)


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
