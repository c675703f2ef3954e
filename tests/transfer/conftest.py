"""A desk with everything an export carries: each line type, each kind of link and message."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection

from litso.audit.record import Actor
from litso.customers.contacts import get_or_create_customer
from litso.customers.models import ContactPoint, Customer, Organisation
from litso.jobs.runner import run_pending_tasks
from litso.sla.models import BusinessCalendar, SlaBreach, SlaPolicy, TicketSla
from litso.tickets.actions import (
    NewAttachment,
    do_add_inbound_message,
    do_add_note,
    do_assign,
    do_change_priority,
    do_change_status,
    do_change_tags,
    do_escalate,
    do_merge,
    do_reply,
)
from litso.tickets.models import RequestType, Ticket
from tests.conftest import Desk

WINDOWS_PATH = "See C:\\Users\\new.log and C:\\temp\\x.txt"
POLISH = "Zażółć gęślą jaźń — zamówienie nr 7"
RUSSIAN = "Здравствуйте, Иван Петрович! Ёлка «ёж»"
PDF = b"%PDF-1.4 fake invoice \x00\xff bytes"
PNG = b"\x89PNG\r\n\x1a\n fake image"

WARSAW_OFFICE = {
    "timezone": "Europe/Warsaw",
    "week": {day: [["09:00", "13:00"], ["14:00", "18:00"]] for day in ("mon", "tue", "fri")},
    "holidays": "PL",
    "closed": ["2026-12-31"],
}


@dataclass
class Rich:
    main: Ticket  # the merge target, with notes, attachments, tags and fields
    merged: Ticket  # merged into main
    closed: Ticket  # closed, then written about again
    follow_up: Ticket  # the follow-up of closed
    anonymous: Ticket  # a customer with no contact points


def build_rich_desk(desk: Desk) -> Rich:
    org = Organisation.objects.create(name="Kowalski sp. z o.o.", domains=["kowalski.pl"],
                                      notes="Klient hurtowy")
    anna, _ = get_or_create_customer("email", "Anna@Kowalski.pl", full_name="Anna Żółkiewska",
                                     language="pl")
    anna.address_as = "Pani Anno"
    anna.organisation = org
    anna.time_zone = "Europe/Warsaw"
    anna.notes = WINDOWS_PATH
    anna.save()
    ContactPoint.objects.create(customer=anna, kind="phone", value="+48600100200",
                                undeliverable_reason="number disconnected")
    ivan, _ = get_or_create_customer("email", "ivan@example.ru", full_name="Иван Петров",
                                     language="ru")
    ivan.address_as = "Иван Петрович"
    ivan.save()
    get_or_create_customer("phone", "+48 500 000 001", full_name="Bez Zgłoszeń")
    User.objects.create_superuser("root", "root@staff.test", "pw-root")
    rtype = RequestType.objects.create(
        name="Zwrot", department=desk.dept_a,
        fields=[{"name": "fabric", "type": "choice", "choices": ["cotton", "linen"]}],
    )

    office = BusinessCalendar.objects.create(name="Biuro w Warszawie", spec=WARSAW_OFFICE)
    desk.dept_b.calendar = office
    desk.dept_b.save()
    wholesale = SlaPolicy.objects.create(
        name="Hurt", position=0, calendar=office, priorities=["normal", "high"], tags=["vip"],
        first_response_minutes=60, resolution_minutes=960, notify_supervisor=True,
    )
    wholesale.organisations.set([org])
    wholesale.request_types.set([rtype])
    wholesale.departments.set([desk.dept_a])
    SlaPolicy.objects.create(
        name="Reszta", position=1, business_time=False, periodic_update_minutes=240,
        paused_statuses=["on_hold"], send_customer_update=True,
    )

    main = desk.open(
        customer=anna, subject=POLISH, body=f"{POLISH}\n{WINDOWS_PATH}\n\u2028after a U+2028",
        request_type=rtype, custom_fields={"fabric": "linen"}, tags=["vip", "zwrot"],
        language="pl",
        attachments=[NewAttachment("faktura.pdf", "application/pdf", PDF),
                     NewAttachment("zdjęcie.png", "image/png", PNG, content_id="img1@x")],
    )
    agent = Actor.agent(desk.agent_a)
    do_assign(main, desk.agent_a, Actor.agent(desk.supervisor), reason="она знает польский")
    do_reply(main, agent, body_text=RUSSIAN, body_html=f"<p>{RUSSIAN}</p>",
             attachments=[NewAttachment("faktura.pdf", "application/pdf", PDF)])
    do_add_note(main, agent, body_text=f"Note: {WINDOWS_PATH}")
    do_change_priority(main, "high", agent, reason="VIP")
    do_escalate(main, agent, reason="waiting too long")
    do_change_tags(main, Actor.rule("Tag VIP", reason="organisation is wholesale"),
                   add=["hurt"], remove=["zwrot"])
    run_pending_tasks()

    merged = desk.open(customer=ivan, subject=RUSSIAN, body=RUSSIAN, channel="web")
    do_merge(merged, main, agent)

    closed = desk.open(customer=desk.customer_y, department=desk.dept_b, subject="Invoice")
    boris = Actor.agent(desk.agent_b)
    do_change_status(closed, "solved", boris, reason="sent the invoice")
    do_change_status(closed, "closed", boris)
    follow_up, _ = do_add_inbound_message(closed, body_text="One more question")

    nobody = Customer.objects.create(full_name="Walk-in", notes="no contact details")
    anonymous = desk.open(customer=nobody, channel="phone", subject="Phoned in")
    # A clock that fired: its breach and its fired key travel with the ticket.
    clock = TicketSla.objects.get(ticket=anonymous)
    clock.fired = [f"periodic_update:breach:{anonymous.created_at.isoformat()}"]
    clock.silence_gaps = 1
    clock.save()
    SlaBreach.objects.create(
        ticket=anonymous, policy=clock.policy, kind="periodic_update",
        due_at=anonymous.created_at, breached_at=anonymous.created_at,
    )
    return Rich(main, merged, closed, follow_up, anonymous)


def export_lines(**options: Any) -> list[dict[str, Any]]:
    out = io.StringIO()
    call_command("export_desk", stdout=out, stderr=io.StringIO(), **options)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def export_text(**options: Any) -> str:
    out = io.StringIO()
    call_command("export_desk", stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


@pytest.fixture
def rich(desk: Desk) -> Rich:
    return build_rich_desk(desk)


def flush_database() -> None:
    """`manage.py flush` inside the test's transaction, as a restore onto a new machine."""
    if connection.vendor == "postgresql":
        # Foreign keys are checked at commit; PostgreSQL will not TRUNCATE a table with
        # checks still pending, so run them now.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.fixture
def flushable(db: None) -> Iterator[None]:
    # flush recreates content types with new ids inside the test's transaction; once that
    # rolls back, the cache would hand later tests ids that no longer exist.
    yield
    ContentType.objects.clear_cache()
