"""What happens to each demo ticket, and when: a script of steps ending in the ticket's status.

Planning touches no database: it picks the status, channel, language and topic, a script that
ends in that status, and a moment for every step, so the story is consistent (a ticket solved
a week ago has been auto-closed by now, agents answer in working hours, customers whenever).
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from typing import TypeVar

from litso.demo.texts import TOPIC_DEPARTMENT

T = TypeVar("T")
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
HISTORY_DAYS = 90

STATUSES = ("new", "open", "pending_customer", "on_hold", "solved", "closed")
STATUS_WEIGHTS = (9, 14, 11, 5, 11, 50)
CHANNELS = ("email", "web", "chat", "phone", "api")
CHANNEL_WEIGHTS = (44, 22, 16, 10, 8)
LANGUAGES = ("ru", "pl", "en")
TOPICS = tuple(TOPIC_DEPARTMENT)
TOPIC_WEIGHTS = (14, 6, 10, 9, 7, 9, 7, 16, 11, 11)

# Scripts per final status. Step names are read by conversations.run_step. The opening
# message, every in_*, reply_* and *note step is a message: 2 to 5 per ticket.
SCRIPTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "new": (
        ("open", "in_nudge"),
        ("open", "triage_note"),
        ("open", "assign", "triage_note"),
    ),
    "open": (
        ("open", "assign", "reply_progress", "in_info"),
        ("open", "assign", "triage_note", "reply_progress"),
        ("open", "assign", "reply_answer_solve", "in_info", "note"),
        ("open", "assign", "reply_ask_pending", "in_info", "note"),
    ),
    "pending_customer": (
        ("open", "assign", "reply_ask_pending"),
        ("open", "assign", "note", "reply_ask_pending"),
        ("open", "assign", "reply_ask_pending", "in_info", "reply_ask_pending"),
    ),
    "on_hold": (
        ("open", "assign", "reply_progress", "hold_note", "status_on_hold"),
        ("open", "assign", "reply_ask_pending", "in_info", "hold_note", "status_on_hold"),
    ),
    "solved": (
        ("open", "assign", "reply_answer_solve"),
        ("open", "assign", "reply_ask_pending", "in_info", "reply_answer_solve"),
        ("open", "assign", "note", "reply_answer_solve"),
        ("open", "assign", "reply_progress", "in_nudge", "reply_answer_solve"),
    ),
    "closed": (
        ("open", "assign", "reply_answer_solve", "auto_close"),
        ("open", "assign", "reply_ask_pending", "in_info", "reply_answer_solve", "auto_close"),
        ("open", "assign", "note", "reply_answer_solve", "auto_close"),
        ("open", "assign", "reply_answer_pending", "in_thanks", "status_solved", "auto_close"),
        ("open", "assign", "reply_progress", "in_nudge", "reply_answer_solve", "auto_close"),
        ("open", "assign", "reply_answer_close"),
    ),
}
AGENT_STEPS = (
    "assign",
    "note",
    "triage_note",
    "hold_note",
    "status_on_hold",
    "status_solved",
    "priority",
    "escalate",
    "tags",
)
MESSAGE_STEPS = ("open", "note", "triage_note", "hold_note")

# How long after the previous step each kind of step happens, in hours (low, high).
GAPS: dict[str, tuple[float, float]] = {
    "assign": (0.05, 3),
    "note": (0.05, 1.5),
    "triage_note": (0.05, 2),
    "hold_note": (0.1, 4),
    "reply": (0.2, 9),
    "in": (0.4, 40),
    "status": (0.05, 3),
    "extra": (0.02, 0.5),
}


@dataclass
class TicketPlan:
    status: str
    channel: str
    language: str
    topic: str
    priority: str | None  # None: the department's default
    steps: list[tuple[str, datetime.datetime]]
    follow_up: bool = False

    @property
    def department(self) -> str:
        return TOPIC_DEPARTMENT[self.topic]

    @property
    def created_at(self) -> datetime.datetime:
        return self.steps[0][1]


def plan_ticket(
    rng: random.Random, index: int, now: datetime.datetime, auto_close_days: int
) -> TicketPlan:
    # The first tickets walk through every status, channel and language, so even a tiny demo
    # (the tests') shows each of them.
    status = STATUSES[index] if index < len(STATUSES) else _weighted(rng, STATUSES, STATUS_WEIGHTS)
    channel = (
        CHANNELS[index] if index < len(CHANNELS) else _weighted(rng, CHANNELS, CHANNEL_WEIGHTS)
    )
    language = LANGUAGES[index % 3] if index < 9 else rng.choice(LANGUAGES)
    topic = _weighted(rng, TOPICS, TOPIC_WEIGHTS)
    priority = _weighted(rng, (None, "low", "normal", "high", "urgent"), (60, 10, 10, 14, 6))
    names = list(rng.choice(SCRIPTS[status]))
    if status == "closed" and auto_close_days <= 0:
        # Nothing closes tickets by itself on this desk: the agent closes them.
        names = [("status_closed" if n == "auto_close" else n) for n in names]
    names = _with_extras(rng, names, priority)
    steps = _timeline(rng, names, status, channel, now, auto_close_days)
    return TicketPlan(status, channel, language, topic, priority, steps)


def _weighted(rng: random.Random, values: tuple[T, ...], weights: tuple[int, ...]) -> T:
    return rng.choices(values, weights)[0]


def _with_extras(rng: random.Random, names: list[str], priority: str | None) -> list[str]:
    if "assign" not in names:
        return names
    after_assign = names.index("assign") + 1
    extras = []
    if rng.random() < 0.4:
        extras.append("tags")
    if rng.random() < 0.1:
        extras.append("priority")
    if rng.random() < (0.35 if priority == "urgent" else 0.05):
        extras.append("escalate")
    messages = sum(1 for n in names if _is_message(n))
    if messages < 5 and rng.random() < 0.15:
        # Some tickets get an extra internal remark before the first answer.
        extras.append("note")
    return names[:after_assign] + extras + names[after_assign:]


def _is_message(name: str) -> bool:
    return name in MESSAGE_STEPS or name.startswith(("in_", "reply_"))


def _gap(rng: random.Random, name: str, auto_close_days: int) -> datetime.timedelta:
    if name == "auto_close":
        # The scheduler looks every minute once the ticket is due.
        return auto_close_days * DAY + rng.uniform(0.01, 0.5) * HOUR
    key = name.split("_", 1)[0] if name.startswith(("in_", "reply_", "status_")) else name
    low, high = GAPS.get(key, GAPS["extra"])
    # Most answers come quickly, a few take long: skew towards the low end.
    return (low + (high - low) * rng.random() ** 2) * HOUR


def _in_working_hours(moment: datetime.datetime) -> datetime.datetime:
    """Agents work 07:00–19:00 UTC (8 or 9 to 20 or 21 in Warsaw) on weekdays."""
    if moment.weekday() < 5 and 7 <= moment.hour < 19:
        return moment
    day = moment if moment.hour < 7 else moment + DAY
    day = day.replace(hour=7, minute=0, second=0, microsecond=0)
    while day.weekday() >= 5:
        day += DAY
    return day + datetime.timedelta(minutes=moment.minute, seconds=moment.second)


def _timeline(
    rng: random.Random,
    names: list[str],
    status: str,
    channel: str,
    now: datetime.datetime,
    auto_close_days: int,
) -> list[tuple[str, datetime.datetime]]:
    quiet = _quiet_since(rng, status, auto_close_days)
    # A phone ticket is opened by the agent who took the call.
    by_agent = [
        name in AGENT_STEPS or name.startswith("reply_") or (name == "open" and channel == "phone")
        for name in names
    ]
    # Lay the steps out from a provisional start, then move the whole story back by whole
    # days until it ends early enough: whole days keep the agents' working hours.
    start = now - quiet - _rough_length(names, auto_close_days)
    moment = start
    times = []
    for i, name in enumerate(names):
        if i:
            moment += _gap(rng, name, auto_close_days)
        if by_agent[i]:
            moment = _in_working_hours(moment)
        times.append(moment)
    overshoot = times[-1] - (now - quiet)
    if overshoot > datetime.timedelta(0):
        # Moving back a week at most always lands agents on weekdays again.
        for days_back in range(overshoot.days + 1, overshoot.days + 8):
            moved = [at - days_back * DAY for at in times]
            if all(at.weekday() < 5 for at, agent in zip(moved, by_agent, strict=True) if agent):
                times = moved
                break
    return list(zip(names, times, strict=True))


def _quiet_since(rng: random.Random, status: str, auto_close_days: int) -> datetime.timedelta:
    """How long ago the ticket's last step happened, given where it ended up."""
    if status == "new":
        return rng.uniform(0.1, 30) * HOUR
    if status == "open":
        return rng.uniform(0.1, 72) * HOUR
    if status == "pending_customer":
        return rng.uniform(1, 6 * 24) * HOUR
    if status == "on_hold":
        return rng.uniform(1, 10 * 24) * HOUR
    if status == "solved":
        # Still within the auto-close window, or the scheduler would have closed it.
        window = auto_close_days - 1.5 if auto_close_days > 2 else 20.0
        return rng.uniform(0.05, max(window, 0.1)) * DAY
    return rng.uniform(0.01, HISTORY_DAYS - 15) * DAY


def _rough_length(names: list[str], auto_close_days: int) -> datetime.timedelta:
    length = datetime.timedelta(0)
    for name in names[1:]:
        if name == "auto_close":
            length += auto_close_days * DAY
        elif name.startswith("in_"):
            length += 8 * HOUR
        else:
            length += HOUR
    return length
