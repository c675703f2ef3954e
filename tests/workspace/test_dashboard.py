from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from litso.audit.record import Actor
from litso.staff.models import AgentProfile
from litso.tickets.actions import do_assign, do_change_status, do_escalate, do_reply
from litso.tickets.models import Status, Ticket
from litso.triage.models import MessageFlag, TicketTriage
from litso.workspace import dashboard
from tests.workspace.helpers import plan_of, set_due, update


def numbers(board: dashboard.Board, slug: str) -> list[int]:
    return [line.ticket.number for line in board.section(slug).lines]


def test_who_may_supervise(desk) -> None:
    assert dashboard.can_supervise(desk.supervisor)
    assert dashboard.can_supervise(desk.admin)
    assert not dashboard.can_supervise(desk.agent_a)
    assert not dashboard.can_supervise(desk.customer_x.user)


def test_requests_without_a_human_reaction_longest_waiting_first(desk) -> None:
    later, sooner, oldest = desk.open(subject="Later"), desk.open(subject="Sooner"), desk.open()
    set_due(later, 90)
    set_due(sooner, 30)
    update(oldest, created_at=timezone.now() - datetime.timedelta(hours=3))
    answered = desk.open(subject="Answered")
    do_reply(answered, Actor.agent(desk.agent_a), body_text="We are on it.")
    solved = desk.open(subject="Solved")
    do_change_status(solved, Status.SOLVED, Actor.agent(desk.agent_a))
    board = dashboard.board(desk.supervisor, timezone.now())
    assert numbers(board, "silent") == [oldest.number, later.number, sooner.number]
    assert board.section("silent").count == 3
    first, second, _third = board.section("silent").lines
    assert first.deadline is None
    assert datetime.timedelta(hours=3) <= first.age < datetime.timedelta(hours=3, minutes=5)
    assert second.deadline is not None
    assert second.deadline.kind == "first_response"


def test_breaches_and_near_breaches_most_urgent_first(desk) -> None:
    now = timezone.now()
    breached, near, far = desk.open(), desk.open(), desk.open()
    set_due(breached, -10, kind="resolution_due")
    set_due(near, 40)
    set_due(far, 180)
    board = dashboard.board(desk.supervisor, now)
    section = board.section("breaching")
    assert numbers(board, "breaching") == [breached.number, near.number]
    assert (section.count, section.extra_count) == (2, 1)
    assert section.lines[0].deadline is not None
    assert section.lines[0].deadline.breached


def test_escalations_chases_waiting_and_abuse(desk) -> None:
    now = timezone.now()
    # Different questions: the same one again would be taken for a chase of the first.
    escalated = desk.open(subject="Refund", body="I want my money back for order 5.")
    do_escalate(escalated, Actor.agent(desk.agent_a), reason="angry")
    chased = desk.open(subject="Invoice", body="Please send the invoice for May.")
    TicketTriage.objects.update_or_create(ticket=chased, defaults={"chase_count": 3})
    waiting = desk.open(subject="Colours", body="Which colours does the linen come in?")
    TicketTriage.objects.update_or_create(ticket=waiting, defaults={"waiting_for_agent": True})
    rude = desk.open(subject="Opening hours", body="When does the shop in Kraków open?")
    message = rude.messages.get()
    MessageFlag.objects.create(message=message, ticket=rude, score=0.93, reasons=["insult"])
    board = dashboard.board(desk.supervisor, now)
    assert numbers(board, "escalated") == [escalated.number]
    assert numbers(board, "chased") == [chased.number]
    assert board.section("chased").lines[0].note == "chased 3×"
    assert numbers(board, "waiting") == [waiting.number]
    do_assign(waiting, desk.agent_a, Actor.agent(desk.supervisor))
    board = dashboard.board(desk.supervisor, now)
    assert numbers(board, "waiting") == [], "an owner ends the wait, whatever the flag says"
    assert board.abusive_count == 1
    assert [item.flag.message_id for item in board.abusive] == [message.pk]
    assert board.abusive[0].url == f"/t/{rude.number}/"


def test_a_supervisor_sees_their_departments_and_every_escalation(desk) -> None:
    now = timezone.now()
    billing = desk.open(department=desk.dept_b, subject="Billing, not mine")
    billing_escalated = desk.open(department=desk.dept_b, subject="Billing, escalated")
    do_escalate(billing_escalated, Actor.agent(desk.agent_b), reason="angry")
    MessageFlag.objects.create(
        message=billing.messages.get(), ticket=billing, score=0.9, reasons=["insult"]
    )
    board = dashboard.board(desk.supervisor, now)
    assert billing.number not in numbers(board, "silent")
    assert billing_escalated.number in numbers(board, "escalated")
    assert board.abusive_count == 0
    admin_board = dashboard.board(desk.admin, now)
    assert billing.number in numbers(admin_board, "silent")
    assert admin_board.abusive_count == 1


def test_load_per_agent_counts_open_assigned_tickets(desk) -> None:
    actor = Actor.agent(desk.supervisor)
    for _ in range(3):
        do_assign(desk.open(), desk.agent_a, actor)
    done = desk.open()
    do_assign(done, desk.agent_a, actor)
    do_change_status(done, Status.SOLVED, actor)
    AgentProfile.objects.filter(user=desk.agent_a).update(max_load=2, on_shift=True)
    AgentProfile.objects.filter(user=desk.supervisor).update(on_shift=False)
    load = {row.name: row for row in dashboard.agent_load(desk.supervisor)}
    # The supervisor's own department only: Boris (Billing) and the admin are not listed.
    assert set(load) == {"Anna", "Super"}
    anna = load["Anna"]
    assert (anna.open_tickets, anna.max_load, anna.on_shift) == (3, 2, True)
    assert anna.over
    assert anna.percent == 100
    assert not load["Super"].on_shift
    with CaptureQueriesContext(connection) as captured:
        everyone = {row.name for row in dashboard.agent_load(desk.admin)}
    assert everyone == {"Admin", "Super", "Anna", "Boris"}
    # Counted with COUNT(*), which PostgreSQL answers from the (assignee, status) index alone.
    (statement,) = [q["sql"] for q in captured.captured_queries]
    assert "COUNT(*)" in statement


def test_counts_stop_at_the_cap(desk, monkeypatch) -> None:
    monkeypatch.setattr(dashboard, "COUNT_CAP", 2)
    for _ in range(3):
        desk.open()
    section = dashboard.board(desk.supervisor, timezone.now()).section("silent")
    assert section.count == 2
    assert section.capped


def test_closed_tickets_are_not_on_the_dashboard(desk) -> None:
    ticket = desk.open()
    set_due(ticket, -5)
    update(ticket, status=Status.CLOSED, escalated=True)
    board = dashboard.board(desk.supervisor, timezone.now())
    assert all(section.count == 0 for section in board.sections)


def test_the_newest_flags_are_read_by_their_own_key_not_by_walking_the_messages(desk) -> None:
    """With no flag yet, a join of flags, tickets and messages made SQLite walk every message
    looking for its flag (1.2 s at a million tickets): the flags' query reads no other table."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from litso.workspace.dashboard import board

    with CaptureQueriesContext(connection) as seen:
        board(desk.supervisor, timezone.now())
    flag_rows = [
        q["sql"] for q in seen.captured_queries
        if q["sql"].startswith('SELECT "triage_messageflag"."id"')
    ]
    assert len(flag_rows) == 1
    assert "tickets_message" not in flag_rows[0]
    assert 'JOIN "tickets_ticket"' not in flag_rows[0]


def test_the_soonest_due_are_those_of_a_sort_of_every_due_ticket(desk) -> None:
    """The breaching section takes the first rows of each deadline's index: its lines must be
    those a sort of every due ticket by its earliest deadline gives, ties by key, with more
    due tickets than it shows, deadlines spread over the four kinds, closed and unseen ones."""
    import random

    from litso.sla.models import TicketSla
    from litso.workspace.inbox import DUE_FIELDS

    rng = random.Random(7)
    now = timezone.now()
    tickets = [desk.open(subject=f"Due {i}") for i in range(30)]
    unseen = desk.open(department=desk.dept_b, subject="Unseen")
    for ticket in [*tickets, unseen]:
        # Whole minutes, so several tickets share a deadline and the key decides.
        deadlines = {name: now + datetime.timedelta(minutes=rng.randint(-60, 120))
                     for name in rng.sample(DUE_FIELDS, rng.randint(1, 4))}
        TicketSla.objects.update_or_create(ticket=ticket, defaults=deadlines)
    for ticket in tickets[:3]:
        do_change_status(ticket, Status.SOLVED, Actor.agent(desk.agent_a))
    expected = []
    soon = now + datetime.timedelta(hours=1)
    for ticket in tickets[3:]:
        clock = TicketSla.objects.get(ticket=ticket)
        due = min(d for d in (getattr(clock, n) for n in DUE_FIELDS) if d is not None)
        if due < soon:
            expected.append((due, ticket.pk, ticket.number))
    expected.sort()
    assert len(expected) > dashboard.ROWS, "more due than the section shows"
    board = dashboard.board(desk.supervisor, now)
    assert numbers(board, "breaching") == [n for _due, _pk, n in expected[: dashboard.ROWS]]
    assert board.section("breaching").count == len(expected)


def test_chasing_customers_most_chased_then_latest_first_of_those_seen_and_open(desk) -> None:
    now = timezone.now()
    tickets = [desk.open(subject=f"Chase {i}") for i in range(14)]
    unseen = desk.open(department=desk.dept_b, subject="Unseen chase")
    counts = [3, 1, 2, 2, 5, 1, 1, 4, 2, 3, 1, 2, 1, 6]
    for i, (ticket, count) in enumerate(zip(tickets, counts, strict=True)):
        chased_at = None if i == 5 else now - datetime.timedelta(minutes=i % 4)
        TicketTriage.objects.update_or_create(
            ticket=ticket, defaults={"chase_count": count, "last_chased_at": chased_at}
        )
    TicketTriage.objects.update_or_create(ticket=unseen, defaults={"chase_count": 9})
    do_change_status(tickets[13], Status.SOLVED, Actor.agent(desk.agent_a))
    seen_open = tickets[:13]
    far_past = now - datetime.timedelta(days=365)

    def key(ticket):
        triage = TicketTriage.objects.get(ticket=ticket)
        # Most chased first; then the latest chase, a ticket never marked as chased last; then key.
        return (-triage.chase_count, -(triage.last_chased_at or far_past).timestamp(), ticket.pk)

    expected = sorted(seen_open, key=key)[: dashboard.ROWS]
    board = dashboard.board(desk.supervisor, now)
    assert numbers(board, "chased") == [t.number for t in expected]
    assert board.section("chased").count == len(seen_open)
    assert board.section("chased").lines[0].note == "chased 5×"


def test_waiting_tickets_are_read_from_their_partial_index(desk) -> None:  # type: ignore[no-untyped-def]
    for _ in range(30):
        desk.open()
    if connection.vendor == "sqlite":
        # With statistics a plain index on the flag looks useless (half the rows per value),
        # and SQLite scanned every triage row.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    waiting = TicketTriage.objects.filter(waiting_for_agent=True).values("pk")
    assert "triage_waiting" in plan_of(waiting)


def test_the_most_chased_are_read_in_the_order_of_their_index(desk) -> None:  # type: ignore[no-untyped-def]
    desk.open()
    plan = plan_of(dashboard._most_chased_first(dashboard._chased(Ticket.objects.all()))[:10])
    # No sort of every chased row: PostgreSQL's index keeps NULLs last, as the order asks.
    assert "triage_chased" in plan, plan
    assert "Sort" not in plan, plan
    assert "TEMP B-TREE" not in plan, plan
