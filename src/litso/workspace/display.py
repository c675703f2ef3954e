"""Words and times as agents read them: SLA countdowns, deadline names, agent names."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from typing import Any

from django.utils.dateformat import DateFormat, re_escaped, re_formatchars
from django.utils.formats import get_format
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
    """In the active (the agent's) time zone, in the active language's short format: what
    ``date_format(localtime(moment), "SHORT_DATETIME_FORMAT")`` writes, in a fifth of the
    time (an inbox page writes a hundred of them)."""
    return format_datetime(localtime(moment), get_format("SHORT_DATETIME_FORMAT"))


Piece = Callable[[datetime.datetime], str] | str

# Django's DateFormat parses the format string and builds an object for every value; the
# common letters are written directly, the others (a.m./p.m., month names) still by Django.
_DIRECT: dict[str, Callable[[datetime.datetime], str]] = {
    "d": lambda d: f"{d.day:02d}",
    "j": lambda d: str(d.day),
    "m": lambda d: f"{d.month:02d}",
    "n": lambda d: str(d.month),
    "Y": lambda d: f"{d.year:04d}",
    "y": lambda d: f"{d.year % 100:02d}",
    "H": lambda d: f"{d.hour:02d}",
    "G": lambda d: str(d.hour),
    "i": lambda d: f"{d.minute:02d}",
    "s": lambda d: f"{d.second:02d}",
}


@functools.lru_cache(maxsize=64)
def _compiled(fmt: str) -> tuple[Piece, ...]:
    pieces: list[Piece] = []
    for i, piece in enumerate(re_formatchars.split(fmt)):
        if i % 2:
            pieces.append(_DIRECT.get(piece) or functools.partial(_by_django, piece))
        elif piece:
            pieces.append(re_escaped.sub(r"\1", piece))
    return tuple(pieces)


def _by_django(letter: str, moment: datetime.datetime) -> str:
    return str(getattr(DateFormat(moment), letter)())


def format_datetime(moment: datetime.datetime, fmt: str) -> str:
    """``django.utils.dateformat.format(moment, fmt)`` for a datetime."""
    return "".join(p if isinstance(p, str) else p(moment) for p in _compiled(fmt))


def agent_name(user: Any) -> str:
    if user is None:
        return ""
    profile = getattr(user, "agent", None)
    if profile is not None and profile.display_name:
        return str(profile.display_name)
    return str(user.get_username())
