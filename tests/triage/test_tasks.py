from __future__ import annotations

import pytest
from django.core import mail

from litso.staff.models import AgentProfile
from litso.triage.tasks import notify_supervisors
from tests.conftest import Desk

pytestmark = pytest.mark.django_db


def test_supervisors_of_the_department_are_told_in_their_language(desk: Desk) -> None:
    AgentProfile.objects.filter(user=desk.supervisor).update(ui_language="ru")
    ticket = desk.open(subject="Order", body="Where is it")
    mail.outbox.clear()
    result = notify_supervisors.call(ticket.pk, "abuse")
    assert result == "notified 1 supervisors"
    [sent] = mail.outbox
    assert sent.to == [desk.supervisor.email]
    assert f"#{ticket.number}" in sent.subject
    assert f"/t/{ticket.number}/" in sent.body
    assert sent.extra_headers["Auto-Submitted"] == "auto-generated"


def test_other_departments_supervisors_are_not_told(desk: Desk) -> None:
    ticket = desk.open(department=desk.dept_b, subject="Invoice", body="Send the invoice")
    mail.outbox.clear()
    assert notify_supervisors.call(ticket.pk, "chase") == "notified 0 supervisors"
    assert mail.outbox == []
