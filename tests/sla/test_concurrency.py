"""Two schedulers at once on PostgreSQL: SKIP LOCKED hands each due clock to one of them."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from litso.sla.models import SlaBreach
from litso.sla.scheduled import fire_due_timers
from tests.sla.helpers import age, make_policy

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL; SQLite has one writer"
)


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_never_fire_one_timer_twice(request: pytest.FixtureRequest) -> None:
    desk = request.getfixturevalue("desk")
    make_policy("Standard", business_time=False, first_response_minutes=60)
    tickets = [age(desk.open(subject=f"order {i}"), 120) for i in range(30)]
    counts: list[int] = []
    start = threading.Barrier(2)

    def run() -> None:
        try:
            start.wait()
            counts.append(fire_due_timers())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == len(tickets)
    assert SlaBreach.objects.count() == len(tickets)
    assert fire_due_timers() == 0


@pytest.mark.django_db(transaction=True)
def test_a_ticket_held_by_an_action_is_left_for_the_next_round(
    request: pytest.FixtureRequest,
) -> None:
    from django.db import transaction

    from litso.tickets.models import Ticket

    desk = request.getfixturevalue("desk")
    make_policy("Standard", business_time=False, first_response_minutes=60)
    ticket = age(desk.open(), 120)
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                Ticket.objects.select_for_update().get(pk=ticket.pk)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    assert locked.wait(10)
    try:
        # Returns at once instead of waiting on the ticket while holding its clock.
        assert fire_due_timers() == 0
    finally:
        release.set()
        holder.join()
    assert fire_due_timers() == 1
