from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from litso.audit.record import Actor
from litso.tickets.actions import PermissionDenied, do_add_note, do_reply
from litso.tickets.models import Delivery, Message
from litso.workspace.delivery import do_retry_delivery
from tests.mail.smtp_sink import smtp_sink  # noqa: F401


def test_retry_delivers_a_failed_reply(desk, smtp_sink) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from litso.jobs.runner import run_pending_tasks

    ticket = desk.open()
    reply = do_reply(ticket, Actor.agent(desk.agent_a), body_text="Here it is.")
    desk.customer_x.contacts.update(undeliverable_reason="bounced")
    run_pending_tasks()
    reply.refresh_from_db()
    assert reply.delivery == Delivery.FAILED
    desk.customer_x.contacts.update(undeliverable_reason="")
    do_retry_delivery(reply, Actor.agent(desk.agent_a))
    run_pending_tasks()
    reply.refresh_from_db()
    assert reply.delivery == Delivery.SENT
    [mail] = smtp_sink.wait_for(1)
    assert mail.rcpt_tos == ["xena@example.test"]


def test_only_unsent_replies_are_retried(desk) -> None:
    ticket = desk.open()
    agent = Actor.agent(desk.agent_a)
    note = do_add_note(ticket, agent, body_text="internal")
    with pytest.raises(ValidationError, match="only replies"):
        do_retry_delivery(note, agent)
    reply = do_reply(ticket, agent, body_text="x")
    Message.objects.filter(pk=reply.pk).update(delivery=Delivery.SENT)
    with pytest.raises(ValidationError, match="already sent"):
        do_retry_delivery(reply, agent)


def test_an_agent_of_another_department_may_not_retry(desk) -> None:
    ticket = desk.open()
    reply = do_reply(ticket, Actor.agent(desk.agent_a), body_text="x")
    with pytest.raises(PermissionDenied):
        do_retry_delivery(reply, Actor.agent(desk.agent_b))
