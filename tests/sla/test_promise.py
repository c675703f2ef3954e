from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from litso.mail.ack import acknowledge
from litso.sla.models import TicketSla
from litso.sla.promise import format_promise, promise_for
from tests.conftest import Desk
from tests.sla.helpers import make_calendar, make_policy, utc

WARSAW = ZoneInfo("Europe/Warsaw")
FRIDAY_NIGHT = utc(2026, 11, 20, 21, 0)
MONDAY_TEN_WARSAW = utc(2026, 11, 23, 9, 0)


def test_promise_in_each_language() -> None:
    assert format_promise(MONDAY_TEN_WARSAW, FRIDAY_NIGHT, "en", WARSAW) == "Monday 10:00"
    assert format_promise(MONDAY_TEN_WARSAW, FRIDAY_NIGHT, "ru", WARSAW) == "понедельник, 10:00"
    assert format_promise(MONDAY_TEN_WARSAW, FRIDAY_NIGHT, "pl", WARSAW) == "poniedziałek, 10:00"


def test_promise_in_the_customers_zone_and_far_dates() -> None:
    moscow = ZoneInfo("Europe/Moscow")
    assert format_promise(MONDAY_TEN_WARSAW, FRIDAY_NIGHT, "ru", moscow) == "понедельник, 12:00"
    later = MONDAY_TEN_WARSAW + timedelta(days=14)
    assert format_promise(later, FRIDAY_NIGHT, "en", WARSAW) == "2026-12-07 10:00"


def test_friday_night_ticket_is_promised_monday_morning(desk: Desk) -> None:
    make_policy("Office", calendar=make_calendar(), first_response_minutes=60)
    ticket = desk.open()
    TicketSla.objects.filter(ticket=ticket).update(first_response_due=MONDAY_TEN_WARSAW)
    assert promise_for(ticket, "pl", FRIDAY_NIGHT) == "poniedziałek, 10:00"
    desk.customer_x.time_zone = "America/New_York"
    desk.customer_x.save()
    ticket.refresh_from_db()
    assert promise_for(ticket, "en", FRIDAY_NIGHT) == "Monday 04:00"


def test_acknowledgement_states_when_a_person_will_answer(desk: Desk) -> None:
    make_policy("Always", business_time=False, first_response_minutes=120)
    ticket = desk.open(language="ru", body="Здравствуйте, мой заказ до сих пор не пришёл.")
    due = TicketSla.objects.get(ticket=ticket).first_response_due
    assert due is not None
    expected = format_promise(due, timezone.now(), "ru", ZoneInfo("UTC"))
    text = acknowledge(ticket).body_text
    assert f"срок ответа — {expected}." in text


def test_acknowledgement_without_a_target_promises_nothing(desk: Desk) -> None:
    text = acknowledge(desk.open()).body_text
    assert "A person from our Sales team will answer you.\n" in text
