"""What the acknowledgement promises: when a person will answer (principle 1 of the brief).

The first-response deadline of the ticket's clock, shown in the customer's time zone (or the
calendar's) and language: "Monday 10:00", "понедельник, 10:00", "poniedziałek, 10:00".
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from litso.sla.clock import engine_calendar
from litso.sla.models import TicketSla
from litso.tickets.models import Ticket

WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "ru": ("понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"),
    "pl": ("poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota", "niedziela"),
}
# Beyond this the weekday alone is ambiguous, so the date is given instead.
WEEKDAY_HORIZON_DAYS = 6


def format_promise(due: datetime, now: datetime, language: str, zone: tzinfo) -> str:
    local, today = due.astimezone(zone), now.astimezone(zone).date()
    names = WEEKDAYS.get(language, WEEKDAYS["en"])
    clock = local.strftime("%H:%M")
    if (local.date() - today).days > WEEKDAY_HORIZON_DAYS:
        return f"{local.date().isoformat()} {clock}"
    weekday = names[local.weekday()]
    return f"{weekday} {clock}" if language == "en" else f"{weekday}, {clock}"


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def promise_for(ticket: Ticket, language: str, now: datetime) -> str:
    """The promised answer time as the customer reads it, or "" when no target applies."""
    sla = TicketSla.objects.filter(ticket=ticket).select_related("policy").first()
    if sla is None or sla.policy is None or sla.first_response_due is None:
        return ""
    zone = _zone(ticket.customer.time_zone) or engine_calendar(sla.policy, ticket).zone
    return format_promise(sla.first_response_due, now, language, zone)
