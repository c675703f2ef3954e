from __future__ import annotations

from datetime import datetime, time

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from litso.audit.models import Event
from litso.triage.models import TriageRule
from litso.triage.rules import Incoming, apply_rules, matches
from tests.conftest import Desk


def incoming(**kwargs: object) -> Incoming:
    values: dict[str, object] = {"subject": "Invoice question", "body": "Please send the invoice"}
    values.update(kwargs)
    return Incoming(**values)  # type: ignore[arg-type]


def rule(**kwargs: object) -> TriageRule:
    return TriageRule(name="r", **kwargs)


@pytest.mark.parametrize(
    ("conditions", "arrived", "expected"),
    [
        ({"senders": "@bigcorp.test"}, {"sender": "ann@bigcorp.test"}, True),
        ({"senders": "bigcorp.test"}, {"sender": "ann@mail.bigcorp.test"}, True),
        ({"senders": "bigcorp.test"}, {"sender": "ann@notbigcorp.test"}, False),
        ({"senders": "ann@bigcorp.test\nbob@x.test"}, {"sender": "BOB@x.test"}, True),
        ({"recipients": "vip@shop.test"}, {"recipients": ("VIP@shop.test",)}, True),
        ({"recipients": "vip@shop.test"}, {"recipients": ("sales@shop.test",)}, False),
        ({"subject_contains": "refund, invoice"}, {}, True),
        ({"subject_contains": "refund"}, {}, False),
        ({"body_contains": "INVOICE"}, {}, True),
        ({"pattern": r"\binv\w+"}, {}, True),
        ({"pattern": r"^\d+$"}, {}, False),
        ({"channel": "chat"}, {"channel": "email"}, False),
        ({"language": "ru"}, {"language": "ru"}, True),
        # Every given condition must hold.
        ({"language": "ru", "channel": "chat"}, {"language": "ru", "channel": "email"}, False),
    ],
)
def test_conditions(conditions: dict, arrived: dict, expected: bool) -> None:  # type: ignore[type-arg]
    assert matches(rule(**conditions), incoming(**arrived)) is expected


def test_a_rule_without_conditions_never_matches() -> None:
    assert not matches(rule(set_priority="high"), incoming())


def test_a_broken_pattern_saved_past_the_form_never_matches() -> None:
    assert not matches(rule(pattern="(unclosed"), incoming())


@pytest.mark.parametrize(
    ("start", "end", "hour", "expected"),
    [
        (9, 17, 10, True),
        (9, 17, 18, False),
        (22, 6, 23, True),
        (22, 6, 3, True),
        (22, 6, 12, False),
    ],
)
def test_time_window_in_desk_time(start: int, end: int, hour: int, expected: bool) -> None:
    moment = timezone.make_aware(datetime(2026, 3, 4, hour, 30))
    window = rule(time_from=time(start), time_until=time(end))
    assert matches(window, incoming(received_at=moment)) is expected


@pytest.mark.django_db
def test_clean_names_the_problem() -> None:
    with pytest.raises(ValidationError) as caught:
        TriageRule(name="x", pattern="(", set_priority="high").full_clean()
    assert "pattern" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        TriageRule(name="y").full_clean()
    assert set(caught.value.message_dict) >= {"senders", "set_department"}
    with pytest.raises(ValidationError) as caught:
        TriageRule(name="z", channel="chat", set_priority="low", time_from=time(9)).full_clean()
    assert "time_until" in caught.value.message_dict


@pytest.mark.django_db
def test_rules_apply_in_order_and_are_audited_by_name(desk: Desk) -> None:
    ticket = desk.open(subject="Invoice for order 7", body="Please send the invoice")
    TriageRule.objects.create(
        name="Invoices to billing",
        position=1,
        subject_contains="invoice",
        set_department=desk.dept_b,
        add_tags="invoice",
    )
    TriageRule.objects.create(
        name="Invoices urgent",
        position=2,
        body_contains="invoice",
        set_priority="urgent",
        stop_processing=True,
    )
    TriageRule.objects.create(
        name="Never reached", position=3, body_contains="invoice", set_priority="low"
    )
    message = ticket.messages.get()
    outcome = apply_rules(ticket, message, incoming(subject=ticket.subject, body=message.body_text))
    ticket.refresh_from_db()
    assert outcome.applied == ["Invoices to billing", "Invoices urgent"]
    assert outcome.decided == {"department", "priority"}
    assert ticket.department == desk.dept_b
    assert ticket.priority == "urgent"
    assert list(ticket.tags.values_list("name", flat=True)) == ["invoice"]
    by_rule = Event.objects.filter(ticket=ticket, rule_name="Invoices to billing")
    assert {e.verb for e in by_rule} >= {"department"}
    assert Event.objects.filter(
        ticket=ticket, rule_name="Invoices urgent", verb="priority"
    ).exists()
    assert not Event.objects.filter(ticket=ticket, rule_name="Never reached").exists()


@pytest.mark.django_db
def test_inactive_rules_do_nothing(desk: Desk) -> None:
    ticket = desk.open()
    TriageRule.objects.create(name="off", active=False, channel="email", set_priority="urgent")
    outcome = apply_rules(ticket, ticket.messages.get(), incoming(channel="email"))
    assert outcome.applied == []
    ticket.refresh_from_db()
    assert ticket.priority != "urgent"
