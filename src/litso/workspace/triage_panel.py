"""What the workspace says about triage: how a ticket was routed and why, abuse, chasing.

The router stores its predictions with labels that are primary keys (department, request
type) or priority values; the panel turns them into names with one query per kind, so the
ticket page costs the same however many alternatives there are. Abuse guidance is stored in
the desk language when the message arrives; the agent reads it again in their own, rendered
from the stored reasons.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from litso.core.choices import Language, Priority
from litso.departments.models import Department
from litso.tickets.access import tickets_visible_to
from litso.tickets.models import Message, RequestType, Ticket
from litso.triage import abuse
from litso.triage.models import MessageFlag, TicketTriage

if TYPE_CHECKING:
    from django.contrib.auth.models import User

TARGETS = {
    "department": gettext_lazy("Department"),
    "request_type": gettext_lazy("Request type"),
    "priority": gettext_lazy("Priority"),
}
ABUSE_KINDS = {
    "profanity": gettext_lazy("profanity"),
    "insult": gettext_lazy("insult"),
    "slur": gettext_lazy("slur"),
    "threat:violence": gettext_lazy("threat of violence"),
    "threat:legal": gettext_lazy("legal action or a regulator"),
    "threat:leave": gettext_lazy("threat to leave"),
    "shouting:caps": gettext_lazy("shouting (capitals)"),
    "shouting:exclamations": gettext_lazy("shouting (exclamation marks)"),
}


def triage_of(ticket: Ticket) -> TicketTriage | None:
    """The ticket's triage row, read through select_related('triage'), or None."""
    try:
        return ticket.triage
    except ObjectDoesNotExist:
        return None


def flag_of(message: Message) -> MessageFlag | None:
    try:
        return message.abuse_flag
    except ObjectDoesNotExist:
        return None


def routed_by_text(routed_by: str) -> str:
    """Who chose the department, as a phrase that follows "Routed by"."""
    if routed_by.startswith("rule:"):
        return _("the rule “%(name)s”") % {"name": routed_by.removeprefix("rule:")}
    phrases = {
        "router": _("the router"),
        "address": _("the address the customer wrote to"),
        "agent": _("an agent"),
        "follow-up": _("the request it follows up"),
    }
    return phrases.get(routed_by, routed_by)


def abuse_reason_text(reason: str) -> str:
    """One stored reason ("insult:ru:урод", "threat:legal:en:court") for the agent to read."""
    parts = reason.split(":")
    kind = ":".join(parts[:2]) if parts[0] in ("threat", "shouting") else parts[0]
    label = str(ABUSE_KINDS.get(kind, kind.replace(":", " ")))
    # The word that matched, after the language code; shouting has none.
    word = parts[-1] if len(parts) >= 3 + (parts[0] == "threat") else ""
    return f"{label} ({word})" if word else label


def abuse_reasons_text(reasons: Iterable[str]) -> list[str]:
    return [abuse_reason_text(reason) for reason in reasons]


def guidance_for_agent(score: float, reasons: list[str]) -> str:
    """The guidance note in the active language (the agent's), from the stored reasons."""
    verdict = abuse.AbuseVerdict(score=score, flagged=True, reasons=list(reasons))
    return abuse.guidance(verdict)


@dataclass(frozen=True)
class Guess:
    name: str
    percent: int


@dataclass(frozen=True)
class PredictionView:
    target: str
    title: str
    name: str
    percent: int
    evidence: list[str]
    alternatives: list[Guess]


@dataclass(frozen=True)
class Panel:
    triage: TicketTriage
    language: str
    routed_by: str
    predictions: list[PredictionView]
    # "keep in" is the ticket's department; "move to" the router's other guesses.
    moves: list[Department]
    abuse_reasons: list[str]
    chased: Ticket | None = None
    chases: list[Ticket] = field(default_factory=list)


def _percent(value: Any) -> int:
    try:
        return round(float(value) * 100)
    except (TypeError, ValueError):
        return 0


def _labels(predictions: dict[str, Any], target: str) -> set[str]:
    found = predictions.get(target) or {}
    labels = {str(found.get("label", ""))}
    labels |= {str(pair[0]) for pair in found.get("alternatives") or [] if pair}
    return {label for label in labels if label.isdigit()}


def _names(predictions: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Names for the labels, per target: one query each for departments and request types."""
    names: dict[str, dict[str, Any]] = {"priority": dict(Priority.choices)}
    departments = _labels(predictions, "department")
    names["department"] = (
        {str(d.pk): d for d in Department.objects.filter(pk__in=departments)} if departments else {}
    )
    types = _labels(predictions, "request_type")
    rows = RequestType.objects.filter(pk__in=types).values_list("pk", "name") if types else []
    names["request_type"] = {str(pk): name for pk, name in rows}
    return names


def _name(names: dict[str, Any], label: str) -> str:
    found = names.get(label)
    if found is None:
        # A department or type deleted since: say which label it was.
        return f"#{label}" if label.isdigit() else label
    return str(getattr(found, "name", found))


def _prediction(target: str, data: dict[str, Any], names: dict[str, Any]) -> PredictionView:
    label = str(data.get("label", ""))
    alternatives = [
        Guess(_name(names, str(pair[0])), _percent(pair[1]))
        for pair in data.get("alternatives") or []
        if len(pair) == 2 and str(pair[0]) != label
    ]
    return PredictionView(
        target=target,
        title=str(TARGETS[target]),
        name=_name(names, label),
        percent=_percent(data.get("confidence")),
        evidence=[str(word) for word in data.get("evidence") or []][:8],
        alternatives=alternatives,
    )


def _moves(ticket: Ticket, predictions: dict[str, Any], names: dict[str, Any]) -> list[Department]:
    department = predictions.get("department") or {}
    order = [str(department.get("label", ""))]
    order += [str(pair[0]) for pair in department.get("alternatives") or [] if pair]
    moves: list[Department] = []
    for label in order:
        found = names.get(label)
        if not isinstance(found, Department) or found.pk == ticket.department_id:
            continue
        if found.active and found not in moves:
            moves.append(found)
    return moves


def _chasing(
    ticket: Ticket, triage: TicketTriage, user: User
) -> tuple[Ticket | None, list[Ticket]]:
    if not triage.chase_count and triage.chase_of_id is None:
        return None, []
    # One query: the ticket this one chases and the ones chasing it, as far as the agent sees.
    # One id list from two indexes (UNION ALL); OR-ing the joined column instead read every
    # ticket in date order (half a second at a million tickets).
    chasers = TicketTriage.objects.filter(chase_of=ticket).order_by().values("ticket_id")
    first = TicketTriage.objects.filter(ticket_id=triage.chase_of_id or 0).values("ticket_id")
    related = list(
        tickets_visible_to(user)
        .filter(pk__in=chasers.union(first, all=True))
        .order_by("created_at", "pk")
    )
    chased = next((t for t in related if t.pk == triage.chase_of_id), None)
    return chased, [t for t in related if t.pk != triage.chase_of_id]


def panel(ticket: Ticket, user: User) -> Panel | None:
    triage = triage_of(ticket)
    if triage is None:
        return None
    predictions: dict[str, Any] = triage.predictions or {}
    known = {target: data for target, data in predictions.items() if target in TARGETS and data}
    per_target = _names(known) if known else {}
    views = [
        _prediction(target, known[target], per_target.get(target, {}))
        for target in TARGETS
        if target in known
    ]
    chased, chases = _chasing(ticket, triage, user)
    return Panel(
        triage=triage,
        language=str(dict(Language.choices).get(triage.language, triage.language)),
        routed_by=routed_by_text(triage.routed_by) if triage.routed_by else "",
        predictions=views,
        moves=_moves(ticket, known, per_target.get("department", {})),
        abuse_reasons=abuse_reasons_text(triage.abuse_reasons or []),
        chased=chased,
        chases=chases,
    )
