from __future__ import annotations

import pytest
from django.db import transaction

from litso.audit.models import Event
from litso.audit.record import Actor, record
from litso.core.rows import deferred_inserts
from tests.conftest import Desk

pytestmark = pytest.mark.django_db


def verbs(ticket_id: int) -> list[str]:
    return list(
        Event.objects.filter(ticket_id=ticket_id, verb__startswith="t_")
        .order_by("pk")
        .values_list("verb", flat=True)
    )


def test_deferred_events_are_written_at_the_end_with_the_time_they_happened(desk: Desk) -> None:
    ticket = desk.open()
    with transaction.atomic(), deferred_inserts():
        first = record(ticket, Actor.system("why"), "t_first", field="priority", old="a", new="b")
        second = record(ticket, Actor.customer(), "t_second", data={"message": 7})
        assert verbs(ticket.pk) == []
        assert first.pk is None
    assert verbs(ticket.pk) == ["t_first", "t_second"]
    stored = Event.objects.get(ticket=ticket, verb="t_first")
    assert stored.created_at == first.created_at
    assert (stored.reason, stored.field, stored.old_value, stored.new_value) == (
        "why",
        "priority",
        "a",
        "b",
    )
    assert Event.objects.get(ticket=ticket, verb="t_second").data == second.data == {"message": 7}


class Refused(Exception):
    pass


def test_events_of_a_savepoint_that_rolled_back_are_not_written(desk: Desk) -> None:
    ticket = desk.open()
    with transaction.atomic(), deferred_inserts():
        record(ticket, Actor.system(), "t_before")
        try:
            with transaction.atomic():
                record(ticket, Actor.system(), "t_inner_kept")
                with transaction.atomic():
                    record(ticket, Actor.system(), "t_nested_kept")
                raise Refused
        except Refused:
            pass
        with transaction.atomic():
            record(ticket, Actor.system(), "t_sibling")
            try:
                with transaction.atomic():
                    record(ticket, Actor.system(), "t_rolled_back")
                    raise Refused
            except Refused:
                pass
            record(ticket, Actor.system(), "t_after_rollback")
        record(ticket, Actor.system(), "t_after")
    # The first savepoint rolled back as a whole, nested one and all.
    assert verbs(ticket.pk) == ["t_before", "t_sibling", "t_after_rollback", "t_after"]


def test_an_error_leaving_deferred_events_writes_nothing(desk: Desk) -> None:
    ticket = desk.open()

    def record_then_fail() -> None:
        with transaction.atomic(), deferred_inserts():
            record(ticket, Actor.system(), "t_lost")
            raise Refused

    with pytest.raises(Refused):
        record_then_fail()
    assert verbs(ticket.pk) == []


def test_without_deferred_events_an_event_is_written_at_once(desk: Desk) -> None:
    ticket = desk.open()
    event = record(ticket, Actor.system(), "t_now")
    assert event.pk is not None
    assert verbs(ticket.pk) == ["t_now"]
