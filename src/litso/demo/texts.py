"""Sentences the demo company's customers and agents write, and how they are put together.

Each language module (texts_en, texts_ru, texts_pl) fills one ``Language`` with template
sentences per topic; ``Writer`` combines them with invented order numbers, fabrics and sums,
so a thousand tickets read like a thousand different people wrote them.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

Strings = tuple[str, ...]

# Which department a topic belongs to, and the request type it is filed under (if any).
TOPIC_DEPARTMENT: dict[str, str] = {
    "print_order": "sales",
    "quote": "sales",
    "invoice": "billing",
    "refund": "billing",
    "payment": "billing",
    "broken_file": "tech",
    "colour": "tech",
    "delay": "delivery",
    "damaged": "delivery",
    "address": "delivery",
}
# "[masculine|feminine]": Russian and Polish verbs in the past tense follow the writer's gender;
# "<masculine|feminine>" follows the customer's, for Polish "Pan"/"Pani" in the agent's replies.
_WRITER = re.compile(r"\[([^|\]]*)\|([^\]]*)\]")
_CUSTOMER = re.compile(r"<([^|>]*)\|([^>]*)>")
FABRIC_CODES = ("cotton", "linen", "satin", "velvet", "canvas", "chiffon", "jersey", "oxford")


@dataclass(frozen=True)
class Topic:
    subjects: Strings
    problems: Strings  # the heart of the customer's first message
    details: Strings  # one more sentence of context
    info: Strings  # the customer answers a question, or says it is still not right
    asks: Strings  # the agent needs something before going on
    answers: Strings  # the agent's solution
    notes: Strings  # internal, never seen by the customer


@dataclass(frozen=True)
class Language:
    code: str
    hello: Strings
    bye: Strings
    agent_hello_named: Strings
    agent_hello: Strings
    agent_bye: Strings
    phone_prefix: str
    chat_prefix: str
    nudges: Strings
    thanks: Strings
    progress: Strings
    hold_notes: Strings
    triage_notes: Strings
    escalations: Strings
    priority_reasons: Strings
    fabrics: dict[str, str]
    cities: Strings
    money: str
    topics: dict[str, Topic] = field(default_factory=dict)


def languages() -> dict[str, Language]:
    from litso.demo import texts_en, texts_pl, texts_ru

    return {"en": texts_en.LANGUAGE, "ru": texts_ru.LANGUAGE, "pl": texts_pl.LANGUAGE}


class Writer:
    """Writes one ticket's messages in one language, with that ticket's own facts."""

    def __init__(
        self, rng: random.Random, lang: Language, topic: str, *, customer_female: bool
    ) -> None:
        self.rng = rng
        self.customer_female = customer_female
        self.lang = lang
        self.topic = lang.topics[topic]
        fabric_code = rng.choice(FABRIC_CODES)
        amount = rng.randint(18, 1900) + rng.choice((0, 0.5, 0.9, 0.99))
        self.facts: dict[str, object] = {
            "order": f"TP-{rng.randint(24000, 58999)}",
            "invoice": f"FV/{rng.randint(100, 999)}/{rng.choice(('2024', '2025'))}",
            "tracking": f"{rng.choice(('PX', 'DP', 'CD'))}{rng.randint(10**9, 10**10 - 1)}",
            "metres": rng.choice((1, 2, 3, 5, 8, 10, 12, 15, 20, 25, 40, 60, 120)),
            "fabric_code": fabric_code,
            "fabric": lang.fabrics[fabric_code],
            "amount": lang.money.format(amount=_money(amount, lang.code)),
            "amount_value": float(amount),
            "days": rng.randint(2, 9),
            "dpi": rng.choice((72, 96, 120, 150)),
            "city": rng.choice(lang.cities),
            "width": rng.choice((140, 150, 160, 280)),
        }

    def _fill(self, template: str, female: bool) -> str:
        text = _WRITER.sub(lambda m: m.group(2 if female else 1), template)
        text = _CUSTOMER.sub(lambda m: m.group(2 if self.customer_female else 1), text)
        return text.format_map(self.facts)

    def _said(self, options: Strings) -> str:
        """A sentence the customer writes."""
        return self._fill(self.rng.choice(options), self.customer_female)

    def _agent_said(self, options: Strings, female: bool) -> str:
        return self._fill(self.rng.choice(options), female)

    def subject(self) -> str:
        return self._said(self.topic.subjects)

    def opening(self, channel: str, signature: str) -> str:
        core = self._said(self.topic.problems)
        if self.rng.random() < 0.7:
            core += " " + self._said(self.topic.details)
        if channel == "chat":
            return f"{self.lang.chat_prefix}{core}"
        if channel == "phone":
            return f"{self.lang.phone_prefix}{core}"
        hello, bye = self._said(self.lang.hello), self._said(self.lang.bye)
        return f"{hello}\n\n{core}\n\n{bye}\n{signature}"

    def customer_info(self, signature: str) -> str:
        return f"{self._said(self.topic.info)}\n\n{signature}"

    def nudge(self, signature: str) -> str:
        return f"{self._said(self.lang.nudges)}\n\n{signature}"

    def thanks(self, signature: str) -> str:
        return f"{self._said(self.lang.thanks)}\n\n{signature}"

    def _reply(self, body: str, salutation: str, agent: str) -> str:
        if salutation:
            hello = self.rng.choice(self.lang.agent_hello_named).format(name=salutation)
        else:
            hello = self.rng.choice(self.lang.agent_hello)
        bye = self.rng.choice(self.lang.agent_bye).format(agent=agent)
        return f"{hello}\n\n{body}\n\n{bye}"

    def ask(self, salutation: str, agent: str, female: bool) -> str:
        return self._reply(self._agent_said(self.topic.asks, female), salutation, agent)

    def progress(self, salutation: str, agent: str, female: bool) -> str:
        return self._reply(self._agent_said(self.lang.progress, female), salutation, agent)

    def answer(self, salutation: str, agent: str, female: bool) -> str:
        return self._reply(self._agent_said(self.topic.answers, female), salutation, agent)

    def note(self, female: bool) -> str:
        return self._agent_said(self.topic.notes, female)

    def triage_note(self, female: bool) -> str:
        return self._agent_said(self.lang.triage_notes, female)

    def hold_note(self, female: bool) -> str:
        return self._agent_said(self.lang.hold_notes, female)

    def escalation_reason(self) -> str:
        return self._fill(self.rng.choice(self.lang.escalations), False)

    def priority_reason(self) -> str:
        return self._fill(self.rng.choice(self.lang.priority_reasons), False)


def _money(amount: float, code: str) -> str:
    text = f"{amount:.2f}"
    return text if code == "en" else text.replace(".", ",")
