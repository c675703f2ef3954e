"""Training on the desk's history: the department router also learns the request types."""

from __future__ import annotations

import pytest

from litso.tickets.models import RequestType
from litso.triage import router
from litso.triage.classifier import TextClassifier
from litso.triage.training import examples, train
from tests.conftest import Desk

# _data_dir: the same throwaway data directory and router cache, used here as well (autouse).
from tests.triage.test_actions import BILLING, SALES, _data_dir  # noqa: F401

pytestmark = pytest.mark.django_db


def test_department_examples_carry_the_request_type(desk: Desk) -> None:
    invoice = RequestType.objects.create(name="Invoice", department=desk.dept_b)
    desk.open(department=desk.dept_b, subject="Money", body=BILLING[0], request_type=invoice)
    desk.open(department=desk.dept_a, subject="Order", body=SALES[0])
    data = examples("department")
    assert data.fine == ["", str(invoice.pk)]  # newest first; no type is a finer label too
    assert examples("priority").fine is None


def test_department_router_learns_request_types_as_finer_labels(desk: Desk) -> None:
    invoice = RequestType.objects.create(name="Invoice", department=desk.dept_b)
    refund = RequestType.objects.create(name="Refund", department=desk.dept_b)
    for text in SALES * 2:
        desk.open(department=desk.dept_a, subject="Order", body=text)
    for i, text in enumerate(BILLING * 2):
        kind = refund if "twice" in text or "дважды" in text else invoice
        desk.open(department=desk.dept_b, subject=f"Money {i}", body=text, request_type=kind)
    result = train("department")
    assert result is not None
    model = TextClassifier.load(router.model_path("department"))
    # The finer model is saved with the router and routes like the coarse one on clear mail.
    assert model._fine is not None
    assert len(model._fine.classes) == 3
    assert model.predict("Please send me the invoice for my payment").label == str(desk.dept_b.pk)
