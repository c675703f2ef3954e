from __future__ import annotations

from datetime import timedelta

import pytest

from litso.tickets.models import Message
from litso.triage.chasing import find_chased, is_chase_on_thread, similarity
from tests.conftest import Desk


def test_similarity_survives_inflection_and_greetings() -> None:
    original = "Заказ 1042 не доставлен. Где мой заказ? Курьер не приехал."
    chase = "Здравствуйте! Что с заказом 1042? Курьер так и не приехал"
    assert similarity(original, chase) >= 0.5
    unrelated = "Прошу выставить счёт на оплату для нашей компании"
    assert similarity(original, unrelated) < 0.2
    assert similarity("", chase) == 0.0


@pytest.mark.django_db
def test_a_similar_new_request_finds_the_open_ticket(desk: Desk) -> None:
    first = desk.open(subject="Order 1042 not delivered", body="The courier never came.")
    desk.open(subject="Invoice needed", body="Please send an invoice for May.")
    other_customer = desk.open(
        customer=desk.customer_y, subject="Order 1042 not delivered", body="The courier never came."
    )
    chase = desk.open(subject="Still no order 1042??", body="Courier never came, what now?")
    assert find_chased(chase, f"{chase.subject}\n{chase.messages.get().body_text}") == first
    assert find_chased(other_customer, "Order 1042 not delivered") is None


@pytest.mark.django_db
def test_a_closed_or_old_ticket_is_not_chased(desk: Desk) -> None:
    first = desk.open(subject="Order 1042 not delivered", body="The courier never came.")
    chase = desk.open(subject="Order 1042 not delivered", body="Courier never came")
    first.status = "closed"
    first.save()
    assert find_chased(chase, "Order 1042 not delivered") is None
    first.status = "open"
    first.save()
    type(first).objects.filter(pk=first.pk).update(created_at=first.created_at - timedelta(days=8))
    assert find_chased(chase, "Order 1042 not delivered") is None


@pytest.mark.django_db
def test_writing_again_unanswered_after_a_while_is_a_chase(desk: Desk) -> None:
    from litso.audit.record import Actor
    from litso.tickets.actions import do_add_inbound_message, do_reply

    ticket = desk.open()
    first = ticket.messages.get()
    Message.objects.filter(pk=first.pk).update(created_at=first.created_at - timedelta(hours=2))
    ticket, again = do_add_inbound_message(ticket, body_text="Any news?")
    assert is_chase_on_thread(ticket, again)
    # Right after their own message: adding detail, not chasing.
    ticket, detail = do_add_inbound_message(ticket, body_text="Order number is 1042")
    assert not is_chase_on_thread(ticket, detail)
    # After our answer the next message is a reply, not a chase.
    do_reply(ticket, Actor.agent(desk.agent_a), body_text="Looking into it")
    Message.objects.filter(ticket=ticket).update(created_at=detail.created_at - timedelta(hours=1))
    ticket, answer = do_add_inbound_message(ticket, body_text="Thanks")
    assert not is_chase_on_thread(ticket, answer)


@pytest.mark.django_db
def test_the_first_customer_message_is_compared_and_merged_tickets_are_not_chased(
    desk: Desk,
) -> None:
    from litso.audit.record import Actor
    from litso.tickets.actions import do_reply

    first = desk.open(subject="Help", body="The courier never came with parcel 1042.")
    # The agent's words are not what the customer asked about.
    do_reply(first, Actor.agent(desk.agent_a), body_text="Refund of invoice 77 is on its way.")
    chase = desk.open(subject="Again", body="Parcel 1042: the courier never came")
    assert find_chased(chase, "Again\nParcel 1042: the courier never came") == first
    assert find_chased(chase, "Again\nRefund of invoice 77 is on its way") is None
    other = desk.open(subject="Other", body="Something else entirely")
    type(first).objects.filter(pk=first.pk).update(merged_into=other)
    assert find_chased(chase, "Again\nParcel 1042: the courier never came") is None
