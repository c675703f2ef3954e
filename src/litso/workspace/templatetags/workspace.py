"""Small helpers for the workspace templates: SLA countdowns, names, audit lines."""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.forms import BoundField
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
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


@register.filter
def short_datetime(moment: datetime.datetime | None) -> str:
    """``|date:"SHORT_DATETIME_FORMAT"``, written by display.Words (a fraction of the time)."""
    return display.words().short_datetime(moment) if moment else ""


@register.filter
def short_date(moment: datetime.datetime | None) -> str:
    """``|date:"SHORT_DATE_FORMAT"``, as ``short_datetime``."""
    return display.words().short_date(moment) if moment else ""


@register.filter
def iso_datetime(moment: datetime.datetime | None) -> str:
    """``|date:"c"``: in the active time zone, ISO 8601."""
    return localtime(moment).isoformat() if moment else ""


@register.simple_tag
def form_errors(form: Any) -> SafeString:
    """The errors of the form as a whole, one paragraph each."""
    if form is None or not hasattr(form, "non_field_errors"):
        return mark_safe("")
    return format_html_join("", '<p class="error">{}</p>', ((e,) for e in form.non_field_errors()))


@register.simple_tag
def form_field(field: BoundField) -> SafeString:
    """A form field as the workspace shows it: label, widget, help and errors. Written here,
    not by a template included per field (a ticket page has eight). A form without the field
    (a bound stand-in, when another action on the page failed) shows nothing."""
    if not isinstance(field, BoundField):
        return mark_safe("")
    errors = field.errors
    parts = [
        format_html('<div class="field{}">', " has-error" if errors else ""),
        format_html('<label for="{}">{}</label>', field.id_for_label, field.label),
        str(field),
    ]
    if field.help_text:
        parts.append(format_html('<small class="help">{}</small>', field.help_text))
    error_line = '<p class="error" id="{}-error">{}</p>'
    parts += [format_html(error_line, field.auto_id, error) for error in errors]
    parts.append("</div>")
    return mark_safe("\n".join(parts))  # noqa: S308 (every part escaped or safe)
