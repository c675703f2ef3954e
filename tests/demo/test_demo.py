"""`litso demo`: the company it creates, run small so the suite stays fast."""

from __future__ import annotations

import datetime
import re
from io import StringIO
from typing import Any

from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import Count, F, Max, Min, Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from litso.audit.models import Event
from litso.core.choices import Channel
from litso.customers.models import ContactPoint, Customer, Organisation
from litso.departments.models import Department
from litso.staff.models import Role
from litso.tickets.models import Delivery, Message, MessageKind, RequestType, Status, Ticket

TICKETS, CUSTOMERS = 30, 20
DEPARTMENTS = {"Sales", "Billing", "Technical support", "Delivery"}
AGENTS = [f"agent{i}" for i in range(1, 7)]


def run_demo(*args: str, **options: Any) -> str:
    out = StringIO()
    call_command("demo", *args, tickets=TICKETS, customers=CUSTOMERS, stdout=out, **options)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "departments": Department.objects.count(),
        "users": User.objects.count(),
        "request_types": RequestType.objects.count(),
        "customers": Customer.objects.count(),
        "contacts": ContactPoint.objects.count(),
        "organisations": Organisation.objects.count(),
        "tickets": Ticket.objects.count(),
        "messages": Message.objects.count(),
        "events": Event.objects.count(),
    }


def test_demo_creates_a_believable_company(db: None, settings: Any) -> None:
    settings.LITSO_DEMO_PASSWORD = "fabric-and-ink"
    output = run_demo()

    assert "Created the demo company" in output
    assert set(Department.objects.values_list("name", flat=True)) == DEPARTMENTS
    for dept in Department.objects.all():
        assert dept.description
        assert dept.inbound_addresses
        assert all("@" in a for a in dept.inbound_addresses)
    assert RequestType.objects.filter(name="Print order", fields__0__name="fabric").exists()

    users = {u.username: u for u in User.objects.select_related("agent")}
    assert set(users) == {"admin", "supervisor", *AGENTS}
    for user in users.values():
        assert user.check_password("fabric-and-ink"), user.username
    assert users["admin"].is_superuser
    assert users["admin"].agent.role == Role.ADMIN
    assert users["supervisor"].agent.role == Role.SUPERVISOR
    assert users["supervisor"].agent.departments.count() == 4
    for name in AGENTS:
        profile = users[name].agent
        assert profile.role == Role.AGENT
        assert not users[name].is_superuser
        assert profile.departments.exists()
        assert profile.display_name != name
        assert set(profile.languages) <= {"en", "ru", "pl"}
    assert any(users[name].agent.on_shift for name in AGENTS)

    assert Customer.objects.count() == CUSTOMERS
    assert Customer.objects.exclude(address_as="").exists()
    assert Customer.objects.exclude(organisation=None).exists()
    assert Ticket.objects.count() == TICKETS
    assert set(Ticket.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(Ticket.objects.values_list("channel", flat=True)) == set(Channel.values)
    assert set(Ticket.objects.values_list("language", flat=True)) == {"en", "ru", "pl"}

    per_ticket = Ticket.objects.annotate(n=Count("messages")).aggregate(low=Min("n"), high=Max("n"))
    assert per_ticket["low"] >= 2
    assert per_ticket["high"] <= 5
    texts = list(Message.objects.values_list("body_text", flat=True))
    assert any(re.search(r"[а-яё]{4}", t) for t in texts)  # Russian
    assert any(re.search(r"[ąćęłńśźż]", t) for t in texts)  # Polish
    assert any(re.search(r"\b(the|your|order)\b", t) for t in texts)  # English
    assert Message.objects.filter(kind=MessageKind.NOTE).exists()


def test_the_history_is_consistent_and_nothing_waits_to_be_sent(db: None) -> None:
    run_demo()

    # Replies of the invented past are not mailed on the worker's first start.
    assert not DBTaskResult.objects.exists()
    outbound = Message.objects.filter(kind=MessageKind.OUTBOUND)
    assert outbound.exists()
    assert not outbound.exclude(delivery=Delivery.SENT).exists()
    # Counters agree with the messages the actions wrote.
    mismatched = Ticket.objects.annotate(
        replies=Count("messages", filter=Q(messages__kind=MessageKind.OUTBOUND))
    ).exclude(agent_replies=F("replies"))
    assert not mismatched.exists()
    assert Event.objects.filter(verb="created").count() == TICKETS

    # Spread over the last three months, never in the future, messages after their ticket.
    now = timezone.now()
    span = Ticket.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
    assert span["first"] < now - datetime.timedelta(days=20)
    assert span["first"] > now - datetime.timedelta(days=95)
    assert Message.objects.aggregate(last=Max("created_at"))["last"] <= now
    assert not Message.objects.filter(created_at__lt=F("ticket__created_at")).exists()
    solved = Ticket.objects.filter(status=Status.SOLVED)
    assert not solved.filter(solved_at=None).exists()
    assert not Ticket.objects.filter(status=Status.CLOSED, closed_at=None).exists()


def test_running_twice_adds_nothing(db: None) -> None:
    run_demo()
    before = counts()

    output = run_demo()

    assert "nothing created" in output
    assert counts() == before


def test_if_empty_leaves_a_desk_with_users_alone(db: None) -> None:
    User.objects.create_user("owner", "owner@shop.test", "pw")

    output = run_demo("--if-empty")

    assert "no demo company added" in output
    assert counts() == {**dict.fromkeys(counts(), 0), "users": 1}


def test_if_empty_fills_an_empty_desk_with_the_default_password(db: None, settings: Any) -> None:
    settings.LITSO_DEMO_PASSWORD = ""

    output = run_demo("--if-empty")

    assert Ticket.objects.count() == TICKETS
    assert User.objects.get(username="agent1").check_password("litso-demo")
    assert "password: the default, 'litso-demo'" in output
