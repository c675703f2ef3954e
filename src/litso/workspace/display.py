"""Words and times as agents read them: SLA countdowns, deadline names, agent names."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.dateformat import DateFormat, re_escaped, re_formatchars
from django.utils.formats import get_format
from django.utils.timezone import localtime
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

DEADLINE_LABELS = {
    "first_response": gettext_lazy("First response"),
    "next_response": gettext_lazy("Next response"),
    "periodic_update": gettext_lazy("Update to the customer"),
    "resolution": gettext_lazy("Resolution"),
}

Piece = Callable[[datetime.datetime], str] | str


@dataclass(frozen=True)
class Words:
    """The active language's words for times, translated once per language and process.

    Every ``gettext`` looks the active translation up through a context-local; an inbox page
    asked for about 250 of them, the same dozen words over and over.
    """

    days_hours: str
    hours_minutes: str
    minutes: str
    overdue: str
    within: str
    labels: dict[str, str]
    short_datetime_format: tuple[Piece, ...]
    short_date_format: tuple[Piece, ...]

    def span(self, delta: datetime.timedelta) -> str:
        """A short human duration: 45 min, 3 h 5 min, 2 d 4 h."""
        minutes = int(abs(delta).total_seconds() // 60)
        days, rest = divmod(minutes, 24 * 60)
        hours, minutes = divmod(rest, 60)
        if days:
            return self.days_hours % {"days": days, "hours": hours}
        if hours:
            return self.hours_minutes % {"hours": hours, "minutes": minutes}
        return self.minutes % {"minutes": minutes}

    def countdown(self, due: datetime.datetime | None, now: datetime.datetime) -> str:
        if due is None:
            return ""
        if due <= now:
            return self.overdue % {"span": self.span(now - due)}
        return self.within % {"span": self.span(due - now)}

    def deadline_label(self, kind: str) -> str:
        return self.labels.get(kind, kind)

    def short_datetime(self, moment: datetime.datetime) -> str:
        """In the active (the agent's) time zone, in the language's short format: what
        ``date_format(localtime(moment), "SHORT_DATETIME_FORMAT")`` writes, in a fraction of
        the time (an inbox page writes a hundred of them)."""
        local = localtime(moment)
        return "".join(p if isinstance(p, str) else p(local) for p in self.short_datetime_format)

    def short_date(self, moment: datetime.datetime) -> str:
        """As ``short_datetime``, the date alone (SHORT_DATE_FORMAT)."""
        local = localtime(moment)
        return "".join(p if isinstance(p, str) else p(local) for p in self.short_date_format)


def words() -> Words:
    """The words of the active language."""
    return _words(get_language() or settings.LANGUAGE_CODE)


@functools.lru_cache(maxsize=16)
def _words(language: str) -> Words:
    # Called with ``language`` active, so the words are its.
    return Words(
        days_hours=_("%(days)d d %(hours)d h"),
        hours_minutes=_("%(hours)d h %(minutes)d min"),
        minutes=_("%(minutes)d min"),
        overdue=_("%(span)s overdue"),
        within=_("in %(span)s"),
        labels={kind: str(label) for kind, label in DEADLINE_LABELS.items()},
        short_datetime_format=_compiled(get_format("SHORT_DATETIME_FORMAT"), _clock_words()),
        short_date_format=_compiled(get_format("SHORT_DATE_FORMAT"), _clock_words()),
    )


def countdown(due: datetime.datetime | None, now: datetime.datetime) -> str:
    return words().countdown(due, now)


def deadline_label(kind: str) -> str:
    return words().deadline_label(kind)


# Django's DateFormat parses the format string and builds an object for every value; the
# common letters are written directly, the others (month names, time zones) still by Django.
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


def _clock_words() -> dict[str, str]:
    # The words of Django's "a" and "P" (django.utils.dateformat), in the active language.
    return {"am": _("a.m."), "pm": _("p.m."), "midnight": _("midnight"), "noon": _("noon")}


def _twelve_hour(clock: dict[str, str]) -> dict[str, Callable[[datetime.datetime], str]]:
    """Django's "a", "f" and "P" with their words given."""

    def a(d: datetime.datetime) -> str:
        return clock["pm"] if d.hour > 11 else clock["am"]

    def f(d: datetime.datetime) -> str:
        hour = d.hour % 12 or 12
        return f"{hour}:{d.minute:02d}" if d.minute else str(hour)

    def p(d: datetime.datetime) -> str:
        if d.minute == 0 and d.hour in (0, 12):
            return clock["midnight"] if d.hour == 0 else clock["noon"]
        return f"{f(d)} {a(d)}"

    return {"a": a, "f": f, "P": p}


def _compiled(fmt: str, clock: dict[str, str]) -> tuple[Piece, ...]:
    direct = {**_DIRECT, **_twelve_hour(clock)}
    pieces: list[Piece] = []
    for i, piece in enumerate(re_formatchars.split(fmt)):
        if i % 2:
            pieces.append(direct.get(piece) or functools.partial(_by_django, piece))
        elif piece:
            pieces.append(re_escaped.sub(r"\1", piece))
    return tuple(pieces)


def _by_django(letter: str, moment: datetime.datetime) -> str:
    return str(getattr(DateFormat(moment), letter)())


def agent_name(user: Any) -> str:
    if user is None:
        return ""
    profile = getattr(user, "agent", None)
    if profile is not None and profile.display_name:
        return str(profile.display_name)
    return str(user.get_username())
