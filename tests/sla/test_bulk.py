"""The bulk recompute on a real desk: the same clocks as `clock.recompute` ticket by ticket."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from litso.audit.record import Actor
from litso.customers.models import Organisation
from litso.sla import bulk
from litso.sla.models import SlaPolicy, TicketSla
from litso.sla.tasks import recompute_one_by_one
from litso.tickets.actions import do_add_inbound_message, do_change_status, do_reply
from litso.tickets.models import Status, Ticket
from tests.conftest import Desk
from tests.sla.helpers import backdate, make_calendar, make_policy

FIELDS = [field.attname for field in TicketSla._meta.concrete_fields]


def _clocks() -> dict[int, tuple[Any, ...]]:
    return {row[0]: row for row in TicketSla.objects.order_by("pk").values_list(*FIELDS)}


def _restore(rows: dict[int, tuple[Any, ...]]) -> None:
    TicketSla.objects.all().delete()
    TicketSla.objects.bulk_create(
        TicketSla(**dict(zip(FIELDS, row, strict=True))) for row in rows.values()
    )


def _busy_desk(desk: Desk) -> list[Ticket]:
    """Tickets in every state a clock can be in: paused, answered, reopened, tagged, typed."""
    acme = Organisation.objects.create(name="Acme")
    desk.customer_y.organisation = acme
    desk.customer_y.save()
    agent = Actor.agent(desk.admin)
    tickets = []
    for index in range(12):
        customer = desk.customer_y if index % 3 == 0 else desk.customer_x
        department = desk.dept_a if index % 2 else desk.dept_b
        tags = ["vip"] if index % 4 == 0 else []
        ticket = desk.open(
            customer=customer, department=department, priority="high" if index % 5 else "low",
            channel="web" if index % 3 == 1 else "email", tags=tags,
        )  # fmt: skip
        ticket = backdate(ticket, timezone.now() - timedelta(days=index, hours=index))
        if index % 3:
            do_reply(ticket, agent, body_text="Looking into it.")
        if index % 4 == 1:
            do_change_status(Ticket.objects.get(pk=ticket.pk), Status.PENDING_CUSTOMER, agent)
        if index % 6 == 2:
            do_add_inbound_message(Ticket.objects.get(pk=ticket.pk), body_text="Any news?")
        tickets.append(ticket)
    return tickets


@pytest.mark.parametrize("change", ["calendar", "policy", "paused", "none"])
def test_bulk_recompute_equals_one_by_one(desk: Desk, change: str) -> None:
    office = make_calendar()
    make_policy("VIP", position=0, tags=["vip"], calendar=office, first_response_minutes=30,
                next_response_minutes=60, resolution_minutes=900)  # fmt: skip
    acme = make_policy("Acme", position=1, business_time=False, first_response_minutes=45,
                       periodic_update_minutes=300, resolution_minutes=4000)  # fmt: skip
    make_policy("Billing", position=2, departments=[desk.dept_b], calendar=office,
                first_response_minutes=120, periodic_update_minutes=480)  # fmt: skip
    _busy_desk(desk)
    acme.organisations.set([Organisation.objects.get(name="Acme")])
    if change == "calendar":
        office.spec = {**office.spec, "week": {**office.spec["week"], "sat": [["09:00", "13:00"]]}}
        office.save()
    elif change == "policy":
        SlaPolicy.objects.filter(name="Billing").update(
            first_response_minutes=10, warn_at_percent=50
        )
        SlaPolicy.objects.filter(name="VIP").update(active=False)
    elif change == "paused":
        SlaPolicy.objects.update(paused_statuses=["on_hold"])
    before = _clocks()
    now = timezone.now() + timedelta(hours=5)
    outcome = bulk.recompute_range(now=now)
    by_bulk = _clocks()
    _restore(before)
    recompute_one_by_one(now=now)
    assert by_bulk == _clocks()
    assert outcome.tickets == 12
    if change != "none":
        assert by_bulk != before
        assert outcome.written > 0
