"""Playing a ticket's plan through the real action layer, one step at a time.

Every change goes through litso.tickets.actions, exactly as the desk's own screens would make
it, so events, counters, reopen counts and timestamps are what a real history would leave.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from litso.audit.record import Actor
from litso.demo.clock import Clock
from litso.demo.company import Agent, Company
from litso.demo.people import Person
from litso.demo.plans import TicketPlan
from litso.demo.texts import Language, Writer
from litso.staff.models import Role
from litso.tickets.actions import (
    do_add_inbound_message,
    do_add_note,
    do_assign,
    do_change_priority,
    do_change_status,
    do_change_tags,
    do_escalate,
    do_open_ticket,
    do_reply,
)
from litso.tickets.models import RequestType, Status, Ticket

TOPIC_TAGS = {
    "print_order": ("custom-print", "rush", "repeat-order"),
    "quote": ("wholesale", "quote", "samples"),
    "invoice": ("invoice", "vat"),
    "refund": ("refund", "misprint"),
    "payment": ("payment", "double-charge", "bank-transfer"),
    "broken_file": ("file-problem", "prepress"),
    "colour": ("colour-mismatch", "reprint"),
    "delay": ("delay", "courier"),
    "damaged": ("damaged", "reprint", "carrier-claim"),
    "address": ("address-change", "pick-up"),
}
TOPIC_REQUEST_TYPE = {
    "print_order": "Print order",
    "invoice": "Invoice request",
    "refund": "Refund",
    "broken_file": "Print file problem",
    "colour": "Print file problem",
    "delay": "Delivery problem",
    "damaged": "Delivery problem",
    "address": "Delivery problem",
}
REPLY_THEN = {
    "progress": None,
    "ask_pending": Status.PENDING_CUSTOMER,
    "answer_solve": Status.SOLVED,
    "answer_pending": Status.PENDING_CUSTOMER,
    "answer_close": Status.CLOSED,
}
PRIORITY_UP = {"low": "normal", "normal": "high", "high": "urgent", "urgent": "urgent"}


@dataclass
class Desk:
    """What the generator shares between tickets."""

    rng: random.Random
    clock: Clock
    company: Company
    languages: dict[str, Language]
    people: dict[str, list[Person]]
    popularity: dict[str, list[float]]
    # Closed tickets a customer may write about again: (ticket, person, topic, closed at).
    closed: list[tuple[Ticket, Person, str, datetime.datetime]] = field(default_factory=list)
    reply_ids: list[int] = field(default_factory=list)

    def agents_for(self, department: str, language: str) -> list[Agent]:
        working = [
            a
            for a in self.company.agents
            if a.member.role == Role.AGENT and department in a.member.departments
        ]
        speaking = [a for a in working if language in a.member.languages]
        return speaking or working


class Conversation:
    def __init__(self, desk: Desk, plan: TicketPlan) -> None:
        self.desk = desk
        self.rng = desk.rng
        self.plan = plan
        self.previous: Ticket | None = None
        if plan.follow_up:
            self._write_again_about_closed()
        if self.previous is None:
            plan.follow_up = False
            people = desk.people[plan.language]
            self.person = self.rng.choices(people, desk.popularity[plan.language])[0]
        self.agent = self.rng.choice(desk.agents_for(plan.department, plan.language))
        self.supervisor = desk.company.by_username("supervisor")
        self.writer = Writer(
            self.rng, desk.languages[plan.language], plan.topic, customer_female=self.person.female
        )
        self.ticket: Ticket | None = None

    def _write_again_about_closed(self) -> None:
        # A day at least after the close, or it would read as the same conversation.
        latest_close = self.plan.created_at - datetime.timedelta(days=1)
        for i, (ticket, person, topic, closed_at) in enumerate(self.desk.closed):
            if person.language == self.plan.language and closed_at < latest_close:
                del self.desk.closed[i]
                self.previous, self.person, self.plan.topic = ticket, person, topic
                return

    def play(self) -> Ticket:
        for name, moment in self.plan.steps:
            self.desk.clock.set(moment)
            self.step(name)
        assert self.ticket is not None
        if self.plan.status == Status.CLOSED and not self.plan.follow_up:
            self.desk.closed.append(
                (self.ticket, self.person, self.plan.topic, self.plan.steps[-1][1])
            )
        return self.ticket

    @property
    def me(self) -> Actor:
        return Actor.agent(self.agent.user)

    def step(self, name: str) -> None:
        if name == "open":
            self.open()
            return
        ticket = self.ticket
        assert ticket is not None
        female, signature = self.agent.member.female, self.person.signature
        if name.startswith("reply_"):
            self.reply(name.removeprefix("reply_"))
        elif name.startswith("in_"):
            body = {
                "in_info": self.writer.customer_info,
                "in_nudge": self.writer.nudge,
                "in_thanks": self.writer.thanks,
            }[name](signature)
            self.ticket, _ = do_add_inbound_message(ticket, body_text=body)
        elif name in ("note", "triage_note", "hold_note"):
            text = {
                "note": self.writer.note,
                "triage_note": self.writer.triage_note,
                "hold_note": self.writer.hold_note,
            }[name](female)
            do_add_note(ticket, self.me, body_text=text)
        elif name == "assign":
            # Half the tickets are handed out by the supervisor, half taken by the agent.
            by = self.supervisor if self.rng.random() < 0.5 else self.agent
            self.ticket = do_assign(ticket, self.agent.user, Actor.agent(by.user))
        elif name.startswith("status_"):
            self.ticket = do_change_status(ticket, name.removeprefix("status_"), self.me)
        elif name == "auto_close":
            days = settings.LITSO_AUTO_CLOSE_DAYS
            # The same words the scheduler's auto-close uses, as if it had done it.
            actor = Actor.system(f"solved and unanswered for {days} days")
            self.ticket = do_change_status(ticket, Status.CLOSED, actor)
        elif name == "priority":
            self.ticket = do_change_priority(
                ticket, PRIORITY_UP[ticket.priority], self.me, reason=self.writer.priority_reason()
            )
        elif name == "escalate":
            self.ticket = do_escalate(ticket, self.me, self.writer.escalation_reason())
        elif name == "tags":
            self.ticket = do_change_tags(ticket, self.me, add=self._tags())
        else:
            raise ValueError(f"unknown demo step {name!r}")

    def open(self) -> None:
        plan, writer = self.plan, self.writer
        if self.previous is not None:
            # A customer writing about a closed ticket gets a follow-up, linked to the old one.
            self.ticket, _ = do_add_inbound_message(
                self.previous, body_text=writer.customer_info(self.person.signature)
            )
            return
        if plan.channel == "phone":
            actor = Actor.agent(self.agent.user)
        elif plan.channel == "api":
            actor = Actor.system("created by the web shop through the API")
        else:
            actor = Actor.customer()
        request_type, fields = self._request_type()
        self.ticket, _ = do_open_ticket(
            customer=self.person.customer,
            subject=writer.subject(),
            body_text=writer.opening(plan.channel, self.person.signature),
            channel=plan.channel,
            department=self.desk.company.departments[plan.department],
            actor=actor,
            priority=plan.priority,
            request_type=request_type,
            custom_fields=fields,
            language=plan.language,
            tags=["web-shop"] if plan.channel == "api" else [],
            external_id=self._external_id(),
        )

    def reply(self, kind: str) -> None:
        assert self.ticket is not None
        member, salutation = self.agent.member, self.person.salutation
        write = {
            "progress": self.writer.progress,
            "ask_pending": self.writer.ask,
            "answer_solve": self.writer.answer,
            "answer_pending": self.writer.answer,
            "answer_close": self.writer.answer,
        }[kind]
        message = do_reply(
            self.ticket,
            self.me,
            body_text=write(salutation, member.display_name, member.female),
            then_status=REPLY_THEN[kind],
        )
        self.desk.reply_ids.append(message.pk)

    def _tags(self) -> list[str]:
        options = TOPIC_TAGS[self.plan.topic]
        tags = self.rng.sample(options, self.rng.randint(1, min(2, len(options))))
        if self.person.customer.organisation_id is not None and self.rng.random() < 0.5:
            tags.append("business")
        return tags

    def _external_id(self) -> str:
        token = f"{self.rng.getrandbits(64):016x}"
        if self.plan.channel == "email":
            return f"<{token}@mail.example>"
        if self.plan.channel == "chat":
            return f"chat-{token[:10]}"
        if self.plan.channel == "api":
            return f"shop-{token[:12]}"
        return ""

    def _request_type(self) -> tuple[RequestType | None, dict[str, Any] | None]:
        name = TOPIC_REQUEST_TYPE.get(self.plan.topic)
        # Not every customer picks a request type; agents file the rest later (or never).
        if name is None or self.rng.random() < 0.25:
            return None, None
        facts, rng = self.writer.facts, self.rng
        values: dict[str, Any]
        if name == "Print order":
            needed_by = self.plan.created_at.date() + datetime.timedelta(days=rng.randint(5, 25))
            values = {
                "fabric": facts["fabric_code"],
                "metres": float(str(facts["metres"])),
                "width_cm": facts["width"],
                "design_ready": rng.random() < 0.7,
                "needed_by": needed_by.isoformat(),
            }
        elif name == "Invoice request":
            values = {"order_number": facts["order"]}
            if self.person.customer.organisation_id is not None:
                values["vat_id"] = f"PL{rng.randint(10**9, 10**10 - 1)}"
        elif name == "Refund":
            values = {
                "order_number": facts["order"],
                "amount": facts["amount_value"],
                "reason": rng.choice(("cancelled", "misprint", "damaged", "late")),
            }
        elif name == "Print file problem":
            values = {
                "file_format": rng.choice(("PDF", "TIFF", "PNG", "JPG", "SVG", "AI")),
                "dpi": facts["dpi"],
            }
        else:
            values = {
                "tracking_number": facts["tracking"],
                "carrier": rng.choice(("Tkanina courier", "InPost", "DPD", "DHL")),
                "parcel_damaged": self.plan.topic == "damaged",
            }
        return self.desk.company.request_types[name], values
