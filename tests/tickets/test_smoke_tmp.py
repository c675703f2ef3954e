from litso.audit.record import Actor
from litso.jobs.runner import run_pending_tasks
from litso.tickets.actions import do_reply, do_merge, do_add_inbound_message, do_assign
from django.core import mail


def test_flow(desk):
    t = desk.open()
    assert t.number >= 1001
    m = do_reply(t, Actor.agent(desk.agent_a), body_text="We are on it")
    do_assign(t, desk.agent_a, Actor.agent(desk.supervisor))
    n = run_pending_tasks()
    assert n == 2
    assert len(mail.outbox) == 2, [x.subject for x in mail.outbox]
    t2 = desk.open()
    do_merge(t2, t, Actor.agent(desk.agent_a))
    t.refresh_from_db()
    assert t.messages.count() == 3
