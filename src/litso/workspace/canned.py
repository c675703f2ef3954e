"""Canned answers: which ones a ticket offers, and their text filled in for that ticket.

The text is the one in the ticket's language (English when that language has none), with
the placeholders replaced. Placeholders are replaced one by one, never through
``str.format``: a brace an admin typed for another reason stays as it is, and nothing in
a canned text can reach an object's attributes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from litso.core.process_cache import ProcessCache
from litso.workspace.display import agent_name
from litso.workspace.models import CannedAnswer

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from litso.tickets.models import Ticket

LANGUAGES = ("en", "ru", "pl")
PLACEHOLDERS = ("customer_name", "ticket_number", "agent_name")
# Something that looks like a placeholder: {name}. Other braces ({0}, {{x}}) are left alone.
_PLACEHOLDER = re.compile(r"\{([^\W\d]\w*)\}")


def check_placeholders(answer: CannedAnswer) -> None:
    """Refuse a text naming a placeholder that does not exist ({customer} for {customer_name})."""
    errors: dict[str, str] = {}
    for language in LANGUAGES:
        field = f"text_{language}"
        named = set(_PLACEHOLDER.findall(getattr(answer, field)))
        unknown = sorted(named - set(PLACEHOLDERS))
        if unknown:
            errors[field] = _("Unknown placeholder %(names)s; use %(known)s.") % {
                "names": ", ".join(f"{{{name}}}" for name in unknown),
                "known": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS),
            }
    if errors:
        raise ValidationError(errors)


def offered(ticket: Ticket) -> list[CannedAnswer]:
    """Active answers for the ticket's department, or for every department, by name.

    Every ticket page offers them; they change a few times a month, so each process keeps
    the active ones (``ProcessCache``) and picks the department's from that list."""
    return [
        answer
        for answer, departments in _active.get()
        if not departments or ticket.department_id in departments
    ]


def _load_active() -> list[tuple[CannedAnswer, frozenset[int]]]:
    answers = CannedAnswer.objects.filter(active=True).prefetch_related("departments")
    return [
        (answer, frozenset(d.pk for d in answer.departments.all()))
        for answer in answers.order_by("name")
    ]


_active = ProcessCache("workspace.canned", _load_active)
_active.depends_on(CannedAnswer, m2m=[CannedAnswer.departments.through])


def text_for(answer: CannedAnswer, language: str) -> str:
    text = getattr(answer, f"text_{language}", "") if language in LANGUAGES else ""
    return str(text or answer.text_en)


def fill(text: str, ticket: Ticket, agent: User) -> str:
    values = {
        "customer_name": ticket.customer.salutation,
        "ticket_number": str(ticket.number),
        "agent_name": agent_name(agent),
    }
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


@dataclass(frozen=True)
class Filled:
    pk: int
    name: str
    text: str


def answers_for(ticket: Ticket, agent: User) -> list[Filled]:
    """The picker's answers, filled in for this ticket and agent: one query."""
    return [
        Filled(answer.pk, answer.name, fill(text_for(answer, ticket.language), ticket, agent))
        for answer in offered(ticket)
    ]
