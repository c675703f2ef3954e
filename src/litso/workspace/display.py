"""Words and times as agents read them: SLA countdowns, deadline names, agent names."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DEADLINE_LABELS = {
    "first_response": gettext_lazy("First response"),
    "next_response": gettext_lazy("Next response"),
    "periodic_update": gettext_lazy("Update to the customer"),
    "resolution": gettext_lazy("Resolution"),
}


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


def countdown(due: datetime.datetime | None, now: datetime.datetime) -> str:
    if due is None:
        return ""
    if due <= now:
        return _("%(span)s overdue") % {"span": span(now - due)}
    return _("in %(span)s") % {"span": span(due - now)}


def deadline_label(kind: str) -> str:
    return str(DEADLINE_LABELS.get(kind, kind))


def short_datetime(moment: datetime.datetime) -> str:
    """In the active (the agent's) time zone, in the active language's short format."""
    return date_format(localtime(moment), "SHORT_DATETIME_FORMAT")


def agent_name(user: Any) -> str:
    if user is None:
        return ""
    profile = getattr(user, "agent", None)
    if profile is not None and profile.display_name:
        return str(profile.display_name)
    return str(user.get_username())
