"""Triage as a customer meets it: through do_open_ticket and do_add_inbound_message."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from litso.audit.models import Event
from litso.audit.record import Actor
from litso.customers.models import Organisation
from litso.staff.models import AgentProfile
from litso.tickets.actions import do_add_inbound_message, do_change_department
from litso.tickets.models import Message, MessageKind, Ticket
from litso.tickets.scheduled import auto_close_solved
from litso.triage import router
from litso.triage.actions import Arrival, do_confirm_route
from litso.triage.classifier import TextClassifier
from litso.triage.models import MessageFlag, TicketTriage, TriageRule
from litso.triage.training import train
from tests.conftest import Desk

pytestmark = pytest.mark.django_db

SALES = [
    "I want to buy fifty t-shirts with our logo, what is the price",
    "Can I order custom mugs for our office, quote please",
    "Do you offer a discount for a large order of posters",
    "We would like to purchase printed banners for a fair",
    "Price list for business cards and flyers please",
    "Хочу заказать футболки с логотипом, сколько стоит",
    "Chcę zamówić kubki z nadrukiem, proszę o wycenę",
]
BILLING = [
    "Please send me the invoice for my last payment",
    "I was charged twice on my credit card, refund please",
    "The invoice has the wrong VAT number, please correct it",
    "My payment failed, how can I pay the invoice",
    "Need a corrected invoice with our company address",
    "Пришлите, пожалуйста, счёт на оплату, деньги списали дважды",
    "Proszę o fakturę VAT za ostatnią płatność",
]


@pytest.fixture
def trained_router(desk: Desk, settings: object) -> Iterator[None]:
    texts = SALES * 3 + BILLING * 3
    labels = [str(desk.dept_a.pk)] * len(SALES) * 3 + [str(desk.dept_b.pk)] * len(BILLING) * 3
    path = router.model_path("department")
    path.parent.mkdir(parents=True, exist_ok=True)
    TextClassifier().fit(texts, labels).save(path)
    router.forget()
    yield
    path.unlink(missing_ok=True)
    router.forget()


@pytest.fixture(autouse=True)
def _data_dir(settings: object, tmp_path: Path) -> Iterator[None]:
    settings.DATA_DIR = tmp_path  # type: ignore[attr-defined]
    router.forget()
    yield
    router.forget()


def queued(task_suffix: str) -> list[DBTaskResult]:
    return [t for t in DBTaskResult.objects.all() if t.task_path.endswith(task_suffix)]


def test_language_is_detected_per_message_and_kept_on_the_ticket(desk: Desk) -> None:
    ticket = desk.open(subject="Заказ", body="Здравствуйте, мой заказ до сих пор не пришёл")
    assert ticket.language == "ru"
    # The customer's language ("en") gave way to the text's, and the trail says so.
    event = Event.objects.get(ticket=ticket, verb="language")
    assert (event.old_value, event.new_value) == ("en", "ru")
    assert event.reason == "detected from the text"
    english = desk.open(subject="Order", body="Hello, my order has still not arrived")
    assert english.language == "en"
    assert not Event.objects.filter(ticket=english, verb="language").exists()
    assert Ticket.objects.get(pk=ticket.pk).language == "ru"
    assert ticket.messages.get().language == "ru"
    assert TicketTriage.objects.get(ticket=ticket).language == "ru"
    ticket, message = do_add_inbound_message(ticket, body_text="Dzień dobry, czy są jakieś wieści?")
    assert Message.objects.get(pk=message.pk).language == "pl"
    # The conversation's language stays the one it started in.
    assert Ticket.objects.get(pk=ticket.pk).language == "ru"


def test_misaddressed_mail_is_forwarded_and_the_customer_told(
    desk: Desk, trained_router: None, settings: object
) -> None:
    settings.LITSO_TRIAGE_FORWARD_CONFIDENCE = 70  # type: ignore[attr-defined]
    ticket = desk.open(
        department=desk.dept_a,
        subject="Invoice",
        body="I was charged twice for the invoice, please refund the payment",
    )
    ticket.refresh_from_db()
    assert ticket.department == desk.dept_b
    forward = Event.objects.get(ticket=ticket, verb="forward")
    assert forward.rule_name == "router"
    assert "sure" in forward.reason
    notes = ticket.messages.filter(kind=MessageKind.NOTE)
    assert any("Forwarded from Sales to Billing" in n.body_text for n in notes)
    told = ticket.messages.get(kind=MessageKind.OUTBOUND)
    assert "Billing" in told.body_text
    assert str(ticket.number) in told.body_text
    assert "do not need to write again" in told.body_text
    triage = TicketTriage.objects.get(ticket=ticket)
    assert triage.routed_by == "router"
    assert triage.predictions["department"]["label"] == str(desk.dept_b.pk)
    assert triage.predictions["department"]["evidence"]


def test_mail_in_the_right_department_stays(desk: Desk, trained_router: None) -> None:
    ticket = desk.open(department=desk.dept_b, subject="Invoice", body="Please send the invoice")
    ticket.refresh_from_db()
    assert ticket.department == desk.dept_b
    assert not Event.objects.filter(ticket=ticket, verb="forward").exists()
    assert TicketTriage.objects.get(ticket=ticket).routed_by == "address"


def test_unaddressed_and_unsure_waits_for_a_person(
    desk: Desk, trained_router: None, settings: object
) -> None:
    settings.LITSO_TRIAGE_ROUTE_CONFIDENCE = 99  # type: ignore[attr-defined]
    ticket, _ = _open_unaddressed(desk, "Hello", "Question about something")
    triage = TicketTriage.objects.get(ticket=ticket)
    assert triage.needs_review
    assert ticket.department == desk.dept_a  # where it arrived, not a random department
    assert Event.objects.filter(ticket=ticket, verb="needs_review").exists()
    ticket = do_confirm_route(ticket, Actor.agent(desk.admin), department=desk.dept_b.pk)
    triage.refresh_from_db()
    assert not triage.needs_review
    assert ticket.department == desk.dept_b
    assert Event.objects.filter(ticket=ticket, verb="route_confirmed").exists()


def test_unaddressed_and_sure_is_routed(desk: Desk, trained_router: None, settings: object) -> None:
    settings.LITSO_TRIAGE_ROUTE_CONFIDENCE = 50  # type: ignore[attr-defined]
    ticket, _ = _open_unaddressed(desk, "Refund", "I was charged twice, refund the payment")
    assert ticket.department == desk.dept_b
    assert TicketTriage.objects.get(ticket=ticket).routed_by == "router"


def _open_unaddressed(desk: Desk, subject: str, body: str) -> tuple[Ticket, Message]:
    from litso.tickets.actions import do_open_ticket

    ticket, message = do_open_ticket(
        customer=desk.customer_x,
        subject=subject,
        body_text=body,
        channel="email",
        department=desk.dept_a,
        actor=Actor.customer(),
        arrival=Arrival(addressed=False),
    )
    ticket.refresh_from_db()
    return ticket, message


def test_a_rule_decides_before_the_router(
    desk: Desk, trained_router: None, settings: object
) -> None:
    settings.LITSO_TRIAGE_FORWARD_CONFIDENCE = 50  # type: ignore[attr-defined]
    org = Organisation.objects.create(name="BigCorp")
    desk.customer_x.organisation = org
    desk.customer_x.save()
    TriageRule.objects.create(
        name="BigCorp to sales", organisation=org, set_department=desk.dept_a, set_priority="high"
    )
    ticket = desk.open(department=desk.dept_b, body="Please refund the double payment")
    ticket.refresh_from_db()
    assert ticket.department == desk.dept_a
    assert ticket.priority == "high"
    assert not Event.objects.filter(ticket=ticket, verb="forward").exists()
    assert TicketTriage.objects.get(ticket=ticket).routed_by == "rule:BigCorp to sales"


def test_agent_opened_tickets_are_not_rerouted(
    desk: Desk, trained_router: None, settings: object
) -> None:
    from litso.tickets.actions import do_open_ticket

    settings.LITSO_TRIAGE_FORWARD_CONFIDENCE = 50  # type: ignore[attr-defined]
    ticket, _ = do_open_ticket(
        customer=desk.customer_x,
        subject="Phone call",
        body_text="Refund the double payment",
        channel="phone",
        department=desk.dept_a,
        actor=Actor.agent(desk.agent_a),
    )
    ticket.refresh_from_db()
    assert ticket.department == desk.dept_a


def test_abusive_message_is_flagged_raised_noted_and_supervisors_told(desk: Desk) -> None:
    ticket = desk.open(
        subject="WHERE IS MY ORDER", body="You are fucking idiots, I will sue you!!!"
    )
    ticket.refresh_from_db()
    flag = MessageFlag.objects.get(ticket=ticket)
    assert flag.score > 0.5
    assert any(r.startswith("profanity") for r in flag.reasons)
    assert ticket.priority in ("high", "urgent")
    assert ticket.escalated
    triage = TicketTriage.objects.get(ticket=ticket)
    assert triage.abusive
    note = ticket.messages.get(kind=MessageKind.SYSTEM)
    assert note.body_text == flag.guidance
    assert queued("notify_supervisors")
    # Never closed by the timer, even when solved and forgotten.
    Ticket.objects.filter(pk=ticket.pk).update(
        status="solved", auto_close_at=timezone.now() - timedelta(days=1)
    )
    auto_close_solved()
    assert Ticket.objects.get(pk=ticket.pk).status == "solved"


def test_polite_message_is_not_flagged(desk: Desk) -> None:
    ticket = desk.open(body="I am very disappointed, this is the third time I write. Please help.")
    assert not MessageFlag.objects.filter(ticket=ticket).exists()
    assert not TicketTriage.objects.get(ticket=ticket).abusive


def test_a_chasing_request_is_linked_and_raises_urgency(desk: Desk) -> None:
    first = desk.open(subject="Order 1042 not delivered", body="The courier never came.")
    second = desk.open(subject="Order 1042??", body="Still no courier, order 1042 not delivered")
    triage = TicketTriage.objects.get(ticket=second)
    assert triage.chase_of_id == first.pk
    first_triage = TicketTriage.objects.get(ticket=first)
    assert first_triage.chase_count == 1
    assert Ticket.objects.get(pk=first.pk).priority == "high"  # normal → high
    assert Event.objects.filter(ticket=first, verb="chase").exists()
    third = desk.open(subject="Order 1042 — third time", body="Courier never came, order 1042")
    assert TicketTriage.objects.get(ticket=third).chase_of_id == first.pk
    assert TicketTriage.objects.get(ticket=first).chase_count == 2
    assert queued("notify_supervisors")


def test_an_owner_is_assigned_when_the_department_wants_it(desk: Desk) -> None:
    desk.dept_a.auto_assign = True
    desk.dept_a.save()
    AgentProfile.objects.exclude(user=desk.agent_a).update(on_shift=False)
    ticket = desk.open()
    ticket.refresh_from_db()
    assert ticket.assignee == desk.agent_a
    assert "least loaded" in Event.objects.get(ticket=ticket, verb="assign").reason


def test_training_learns_from_history_and_corrections(desk: Desk) -> None:
    for text in SALES * 2:
        desk.open(department=desk.dept_a, subject="Order", body=text)
    for text in BILLING * 2:
        desk.open(department=desk.dept_b, subject="Money", body=text)
    moved = desk.open(department=desk.dept_a, subject="Money", body=BILLING[0])
    do_change_department(moved, desk.dept_b, Actor.agent(desk.admin))
    result = train("department")
    assert result is not None
    assert result.examples == 29
    assert result.corrections == 1
    assert set(result.classes) == {str(desk.dept_a.pk), str(desk.dept_b.pk)}
    assert result.holdout_accuracy is not None
    assert router.trained("department") is not None
    prediction = router.predict("Invoice", "Please send the invoice for my payment")["department"]
    assert prediction.label == str(desk.dept_b.pk)
