"""The action layer: each change validated, recorded, and its side effects queued on commit."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django_tasks_db.models import DBTaskResult

from litso.audit.models import Event
from litso.audit.record import Actor
from litso.files.store import read_bytes
from litso.jobs.runner import run_pending_tasks
from litso.tickets.actions import (
    NewAttachment,
    PermissionDenied,
    do_add_inbound_message,
    do_add_note,
    do_assign,
    do_bulk_change,
    do_change_department,
    do_change_priority,
    do_change_status,
    do_change_tags,
    do_forward,
    do_merge,
    do_open_ticket,
    do_reply,
)
from litso.tickets.models import Delivery, MessageKind, RequestType, Status, Ticket


def events(ticket, verb=None):
    qs = Event.objects.filter(ticket=ticket)
    if verb:
        qs = qs.filter(verb=verb)
    return list(qs.values_list("verb", "field", "old_value", "new_value"))


def test_open_ticket_numbers_never_repeat(desk):
    first = desk.open()
    second = desk.open()
    assert second.number == first.number + 1
    second.delete()
    assert desk.open().number == first.number + 2


def test_open_ticket_records_creation_and_first_message(desk):
    ticket = desk.open(subject="  Where   is my\norder? ", body="It has not come.")
    assert ticket.subject == "Where is my order?"
    assert ticket.status == Status.NEW
    assert ticket.priority == desk.dept_a.default_priority
    assert ticket.customer_messages == 1
    message = ticket.messages.get()
    assert (message.kind, message.body_text) == (MessageKind.INBOUND, "It has not come.")
    assert message.author_customer == desk.customer_x
    assert events(ticket) == [("created", "", "", "")]


def test_open_ticket_without_subject_is_named_by_its_words(desk):
    ticket = desk.open(subject="", body="My invoice shows the wrong amount for May")
    assert ticket.subject == "My invoice shows the wrong amount for May"


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"channel": "fax"}, "channel", "unknown channel 'fax'"),
        ({"department": "Marketing"}, "department", "unknown department 'Marketing'"),
        ({"priority": "critical"}, "priority", "unknown priority 'critical'"),
        ({"body": "   "}, "body", "the message is empty"),
    ],
)
def test_open_ticket_refuses_bad_input_naming_it(desk, kwargs, field, words):
    with pytest.raises(ValidationError) as caught:
        desk.open(**kwargs)
    assert words in caught.value.message_dict[field][0]
    assert Ticket.objects.count() == 0


def test_custom_fields_checked_against_the_request_type(desk):
    order = RequestType.objects.create(
        name="Print order",
        fields=[
            {"name": "fabric", "type": "choice", "choices": ["cotton", "linen"], "required": True},
            {"name": "metres", "type": "number"},
        ],
    )
    ticket = desk.open(request_type=order, custom_fields={"fabric": "linen", "metres": "2.5"})
    assert ticket.custom_fields == {"fabric": "linen", "metres": 2.5}
    with pytest.raises(ValidationError) as caught:
        desk.open(request_type=order, custom_fields={"fabric": "silk"})
    assert (
        "'silk' is not one of cotton, linen" in caught.value.message_dict["custom_fields.fabric"][0]
    )
    with pytest.raises(ValidationError) as caught:
        desk.open(request_type=order, custom_fields={})
    assert caught.value.message_dict == {"custom_fields.fabric": ["this field is required"]}


def test_reply_is_delivered_after_commit_with_its_message_id(desk):
    ticket = desk.open()
    reply = do_reply(ticket, Actor.agent(desk.agent_a), body_text="We are checking, Xena.")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.first_response_at is not None
    assert ticket.agent_replies == 1
    assert reply.delivery == Delivery.QUEUED
    assert mail.outbox == []
    assert run_pending_tasks() == 1
    reply.refresh_from_db()
    assert reply.delivery == Delivery.SENT
    [sent] = mail.outbox
    assert sent.to == ["xena@example.test"]
    assert sent.extra_headers["Message-ID"] == reply.external_id
    assert f"[#{ticket.number}]" in sent.subject
    assert "Anna <" in sent.from_email


def test_failed_action_leaves_no_task_and_no_rows(desk):
    ticket = desk.open()
    do_change_status(ticket, Status.CLOSED, Actor.agent(desk.agent_a))
    with pytest.raises(ValidationError):
        do_reply(ticket, Actor.agent(desk.agent_a), body_text="too late")
    assert ticket.messages.count() == 1
    assert DBTaskResult.objects.count() == 0


def test_agent_may_not_touch_another_departments_ticket(desk):
    ticket = desk.open(department=desk.dept_b)
    with pytest.raises(PermissionDenied):
        do_reply(ticket, Actor.agent(desk.agent_a), body_text="hi")
    with pytest.raises(PermissionDenied):
        do_change_priority(ticket, "high", Actor.agent(desk.agent_a))


def test_status_transitions_name_both_states(desk):
    ticket = desk.open()
    agent = Actor.agent(desk.agent_a)
    do_change_status(ticket, Status.SOLVED, agent)
    with pytest.raises(ValidationError) as caught:
        do_change_status(ticket, Status.PENDING_CUSTOMER, agent)
    message = caught.value.message_dict["status"][0]
    assert "'solved'" in message
    assert "'pending_customer'" in message
    do_change_status(ticket, Status.CLOSED, agent)
    with pytest.raises(ValidationError, match="closed"):
        do_change_status(ticket, Status.OPEN, agent)
    assert [e[2:] for e in events(ticket, "status")] == [("new", "solved"), ("solved", "closed")]


def test_customer_reply_reopens_a_solved_ticket(desk):
    ticket = desk.open()
    do_change_status(ticket, Status.SOLVED, Actor.agent(desk.agent_a))
    ticket.refresh_from_db()
    assert ticket.auto_close_at is not None
    landed, _ = do_add_inbound_message(ticket, body_text="It still does not work")
    assert landed.pk == ticket.pk
    assert (landed.status, landed.reopens, landed.customer_messages) == (Status.OPEN, 1, 2)
    assert landed.auto_close_at is None


def test_customer_writing_to_a_closed_ticket_gets_a_linked_follow_up(desk):
    ticket = desk.open()
    do_change_status(ticket, Status.CLOSED, Actor.agent(desk.agent_a))
    follow_up, message = do_add_inbound_message(ticket, body_text="One more question")
    assert follow_up.pk != ticket.pk
    assert follow_up.follow_up_of == ticket
    assert message.ticket == follow_up
    assert events(ticket, "follow_up")[0][3] == f"#{follow_up.number}"


def test_assign_checks_the_department_and_notifies(desk):
    ticket = desk.open()
    with pytest.raises(ValidationError, match=r"Boris .* does not work in Sales"):
        do_assign(ticket, desk.agent_b, Actor.agent(desk.supervisor))
    do_assign(ticket, "anna", Actor.agent(desk.supervisor))
    ticket.refresh_from_db()
    assert ticket.assignee == desk.agent_a
    assert events(ticket, "assign") == [("assign", "assignee", "", "anna")]
    run_pending_tasks()
    assert [m.to for m in mail.outbox] == [["anna@staff.test"]]
    with pytest.raises(ValidationError, match="unknown agent 'ghost'"):
        do_assign(ticket, "ghost", Actor.agent(desk.supervisor))


def test_forward_moves_with_a_note_and_drops_an_owner_from_elsewhere(desk):
    ticket = desk.open()
    do_assign(ticket, desk.agent_a, Actor.agent(desk.agent_a))
    do_forward(ticket, "Billing", Actor.agent(desk.agent_a), note="This is about an invoice")
    ticket.refresh_from_db()
    assert ticket.department == desk.dept_b
    assert ticket.assignee is None
    note = ticket.messages.get(kind=MessageKind.NOTE)
    assert "Forwarded from Sales to Billing: This is about an invoice" in note.body_text
    assert ("forward", "department", "Sales", "Billing") in events(ticket)
    with pytest.raises(ValidationError, match="say why"):
        do_forward(ticket, desk.dept_a, Actor.agent(desk.admin), note=" ")


def test_change_department_refuses_unknown_names(desk):
    ticket = desk.open()
    with pytest.raises(ValidationError) as caught:
        do_change_department(ticket, "Nowhere", Actor.agent(desk.admin))
    assert caught.value.message_dict == {"department": ["unknown department 'Nowhere'"]}


def test_merge_moves_messages_and_closes_the_source(desk):
    target = desk.open(body="first")
    source = desk.open(body="second")
    do_add_note(source, Actor.agent(desk.agent_a), body_text="a note")
    merged = do_merge(source, target, Actor.agent(desk.agent_a))
    source.refresh_from_db()
    assert source.status == Status.CLOSED
    assert source.merged_into == target
    assert source.messages.count() == 0
    assert sorted(merged.messages.values_list("body_text", flat=True)) == [
        "a note",
        "first",
        "second",
    ]
    assert merged.customer_messages == 2
    with pytest.raises(ValidationError, match="into itself"):
        do_merge(target, target, Actor.agent(desk.agent_a))


def test_attachments_are_stored_once_by_content(desk):
    data = b"C:\\Users\\new.log\nline two\n"
    ticket = desk.open(attachments=[NewAttachment("new.log", "text/plain", data)])
    other = desk.open(attachments=[NewAttachment("copy.log", "text/plain", data)])
    first = ticket.messages.get().attachments.get()
    second = other.messages.get().attachments.get()
    assert first.blob_id == second.blob_id
    assert read_bytes(first.blob) == data
    assert (first.filename, first.size) == ("new.log", len(data))


def test_html_is_sanitised_when_stored(desk):
    _, message = do_open_ticket(
        customer=desk.customer_x,
        subject="x",
        body_text="",
        channel="web",
        department=desk.dept_a,
        actor=Actor.customer(),
        body_html='<p onclick="steal()">Hi<script>alert(1)</script><img src="cid:logo"></p>',
    )
    assert "script" not in message.body_html
    assert "onclick" not in message.body_html
    assert 'src="cid:logo"' in message.body_html


def test_tags_are_normalised_and_recorded(desk):
    ticket = desk.open(tags=["VIP", "refund"])
    do_change_tags(ticket, Actor.agent(desk.agent_a), add=["delivery"], remove=["vip"])
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["delivery", "refund"]
    with pytest.raises(ValidationError, match="is not a tag"):
        do_change_tags(ticket, Actor.agent(desk.agent_a), add=["no/slashes"])


def test_bulk_change_uses_the_single_actions_and_reports_failures(desk):
    # Three different questions: the same one three times would be the customer chasing us.
    mine = [
        desk.open(subject=subject, body=subject)
        for subject in ("Where is my parcel?", "Invoice copy", "Change the delivery address")
    ]
    theirs = desk.open(department=desk.dept_b)
    result = do_bulk_change(
        [*mine, theirs], Actor.agent(desk.agent_a), priority="high", status=Status.PENDING_CUSTOMER
    )
    assert result.changed == [t.number for t in mine]
    assert list(result.failed) == [theirs.number]
    for ticket in mine:
        ticket.refresh_from_db()
        assert (ticket.priority, ticket.status) == ("high", Status.PENDING_CUSTOMER)
        assert len(events(ticket, "priority")) == 1
    theirs.refresh_from_db()
    assert theirs.priority == "normal"
