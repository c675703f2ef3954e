"""What triage keeps per process (rules, departments, SLA policies) and when it reads again."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from litso.audit.models import Event
from litso.triage.models import TriageRule
from tests.conftest import Desk

CACHED_TABLES = ("triage_triagerule", "departments_department", "sla_slapolicy")


def tables_read_while(action: object) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        action()  # type: ignore[operator]
    return [
        table
        for query in captured.captured_queries
        for table in CACHED_TABLES
        if table in query["sql"] and query["sql"].lstrip().upper().startswith("SELECT")
    ]


@pytest.mark.django_db(transaction=True)
def test_a_new_ticket_reads_rules_departments_and_policies_once_per_process(desk: Desk) -> None:
    TriageRule.objects.create(
        name="Refunds urgent", subject_contains="refund", set_priority="urgent"
    )
    assert tables_read_while(lambda: desk.open(subject="Where is my order?"))
    assert tables_read_while(lambda: desk.open(subject="My order again")) == []
    # A rule saved in this process applies to the very next ticket.
    TriageRule.objects.create(name="Orders high", subject_contains="order", set_priority="high")
    ticket = desk.open(subject="Order 12 is late")
    assert ticket.priority == "high"
    assert Event.objects.filter(ticket=ticket, rule_name="Orders high", verb="priority").exists()
    TriageRule.objects.filter(name="Orders high").delete()
    assert desk.open(subject="Order 13 is late").priority == "normal"


@pytest.mark.django_db
def test_a_rule_made_in_the_open_transaction_applies_at_once(desk: Desk) -> None:
    desk.open(subject="Where is my order?")
    TriageRule.objects.create(name="Orders high", subject_contains="order", set_priority="high")
    assert desk.open(subject="Order 12 is late").priority == "high"
