from __future__ import annotations

import datetime
import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from litso.audit.record import Actor
from litso.files.models import storage_name
from litso.tickets.actions import NewAttachment, do_add_note, do_change_tags, do_reply
from litso.tickets.models import Ticket
from litso.transfer.export import export_desk
from tests.conftest import Desk
from tests.transfer.conftest import PDF, PNG, Rich, export_lines


def _by_number(lines: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {line["number"]: line for line in lines if line["type"] == "ticket"}


def test_header_then_reference_data_then_tickets(rich: Rich) -> None:
    lines = export_lines()
    header, *rest = lines
    assert header["type"] == "litso-export"
    assert header["version"] == 1
    assert header["since"] is None
    assert header["exported_at"].endswith("+00:00")
    types = [line["type"] for line in rest]
    first_ticket = types.index("ticket")
    assert set(types[:first_ticket]) == {
        "business_calendar", "department", "request_type", "organisation", "sla_policy", "agent",
        "customer"}
    # Referenced before referring: calendars, departments, ..., policies.
    assert types.index("business_calendar") < types.index("department")
    assert types.index("organisation") < types.index("sla_policy")
    assert set(types[first_ticket:]) == {"ticket"}
    numbers = [line["number"] for line in rest if line["type"] == "ticket"]
    assert numbers == sorted(numbers)


def test_agents_carry_no_passwords_and_customers_logins_are_not_agents(rich: Rich) -> None:
    agents = {line["username"]: line for line in export_lines() if line["type"] == "agent"}
    assert set(agents) == {"admin", "super", "anna", "boris", "root"}
    assert not any("password" in key for line in agents.values() for key in line)
    assert agents["anna"]["departments"] == ["Sales"]
    assert agents["anna"]["display_name"] == "Anna"
    # A superuser with no agent profile still comes back, as a plain account.
    assert agents["root"]["role"] is None
    assert agents["root"]["is_superuser"] is True


def test_customers_without_tickets_are_kept(rich: Rich) -> None:
    lonely = [line for line in export_lines() if line["type"] == "customer"]
    assert [c["full_name"] for c in lonely] == ["Xena X", "Bez Zgłoszeń"]
    assert lonely[0]["portal_user"] == {
        "username": "xena-portal", "email": "xena@example.test", "is_active": True}
    assert lonely[1]["contacts"] == [
        {"kind": "phone", "value": "+48500000001", "undeliverable_reason": ""}]


def test_ticket_line_carries_the_whole_conversation(rich: Rich) -> None:
    tickets = _by_number(export_lines())
    main = tickets[rich.main.number]
    assert main["assignee"] == "anna"
    assert main["department"] == "Sales"
    assert main["request_type"] == "Zwrot"
    assert main["custom_fields"] == {"fabric": "linen"}
    assert main["tags"] == ["hurt", "vip"]
    assert main["escalated"] is True
    assert main["customer"]["organisation"] == "Kowalski sp. z o.o."
    assert main["customer"]["contacts"] == [
        {"kind": "email", "value": "anna@kowalski.pl", "undeliverable_reason": ""},
        {"kind": "phone", "value": "+48600100200",
         "undeliverable_reason": "number disconnected"},
    ]
    kinds = [(m["kind"], m["author_customer"] if m["author_kind"] == "customer" else
              m["author_agent"]) for m in main["messages"]]
    assert kinds[:3] == [("inbound", "ticket"), ("outbound", "anna"), ("note", "anna")]
    # The merged ticket's message keeps its own author, who is not this ticket's customer.
    moved = main["messages"][3]
    assert moved["author_customer"]["full_name"] == "Иван Петров"
    assert main["messages"][0]["attachments"] == [
        {"sha256": hashlib.sha256(PDF).hexdigest(), "filename": "faktura.pdf",
         "content_type": "application/pdf", "size": len(PDF), "content_id": ""},
        {"sha256": hashlib.sha256(PNG).hexdigest(), "filename": "zdjęcie.png",
         "content_type": "image/png", "size": len(PNG), "content_id": "img1@x"},
    ]
    assert main["messages"][1]["delivery"] == "sent"
    rule = next(e for e in main["events"] if e["actor_kind"] == "rule")
    assert (rule["rule_name"], rule["old_value"], rule["new_value"]) == (
        "Tag VIP", "vip zwrot", "hurt vip")
    assert tickets[rich.merged.number]["merged_into"] == rich.main.number
    assert tickets[rich.follow_up.number]["follow_up_of"] == rich.closed.number
    assert tickets[rich.closed.number]["closed_at"].endswith("+00:00")


def test_since_filters_by_last_update(rich: Rich) -> None:
    old = datetime.datetime(2020, 5, 1, 12, tzinfo=datetime.UTC)
    Ticket.objects.exclude(pk=rich.main.pk).update(updated_at=old)

    recent = export_lines(since="2021-01-01")
    assert list(_by_number(recent)) == [rich.main.number]
    assert recent[0]["since"].startswith("2021-01-01T00:00:00")
    everything = export_lines(since="2020-05-01T12:00:00+00:00")
    assert len(_by_number(everything)) == 5


@pytest.mark.parametrize("value", ["yesterday", "2021-13-01", "01/02/2021"])
def test_since_refuses_what_is_not_a_date(db: None, value: str) -> None:
    with pytest.raises(CommandError, match=f"--since '{value}' is not a date"):
        call_command("export_desk", since=value, stdout=io.StringIO())


def _add_tickets(desk: Desk, count: int) -> None:
    agent = Actor.agent(desk.agent_a)
    for i in range(count):
        ticket = desk.open(subject=f"Order {i}", tags=["order"],
                           attachments=[NewAttachment(f"{i}.txt", "text/plain", b"x" * i)])
        do_reply(ticket, agent, body_text="On its way")
        do_add_note(ticket, agent, body_text="checked",
                    attachments=[NewAttachment("n.txt", "text/plain", b"note")])
        do_change_tags(ticket, agent, add=[f"batch-{i % 3}"])


def _queries_to_export(chunk_size: int = 500) -> int:
    with CaptureQueriesContext(connection) as queries:
        export_desk(io.StringIO(), chunk_size=chunk_size)
    return len(queries)


def test_export_queries_do_not_grow_with_tickets(
    desk: Desk, django_assert_num_queries: Any
) -> None:
    _add_tickets(desk, 2)
    few = _queries_to_export()
    _add_tickets(desk, 6)
    assert _queries_to_export() == few
    # 7 for reference data (calendars, policies, agents' departments prefetched); 3 for
    # customers without tickets (Yuri: the page, its contacts, the next, empty page); 8 per
    # page of tickets (the page with its SLA clock, tags, contacts, messages, authors'
    # contacts, attachments, events, SLA breaches) and 1 for the last, empty page.
    with django_assert_num_queries(19):
        export_desk(io.StringIO())


def test_export_queries_grow_with_pages_only(desk: Desk) -> None:
    _add_tickets(desk, 2)
    two = _queries_to_export(chunk_size=2)
    _add_tickets(desk, 2)
    four = _queries_to_export(chunk_size=2)
    _add_tickets(desk, 2)
    assert _queries_to_export(chunk_size=2) - four == four - two == 8


def test_output_file_and_blob_copies(rich: Rich, tmp_path: Path) -> None:
    target, files = tmp_path / "desk.jsonl", tmp_path / "backup"
    err = io.StringIO()
    call_command("export_desk", output=str(target), with_files=str(files), stderr=err)
    assert target.read_text(encoding="utf-8").count('"type":"ticket"') == 5
    assert not list(tmp_path.glob("*.partial"))
    copied = {p.name: p.read_bytes() for p in (files / "blobs").iterdir()}
    assert copied == {hashlib.sha256(PDF).hexdigest(): PDF, hashlib.sha256(PNG).hexdigest(): PNG}
    assert "copied 2 files" in err.getvalue()


def test_a_blob_missing_from_storage_is_reported(rich: Rich, tmp_path: Path) -> None:
    sha = hashlib.sha256(PNG).hexdigest()
    default_storage.delete(storage_name(sha))
    target = tmp_path / "desk.jsonl"
    with pytest.raises(CommandError, match=f"1 attachment file.*{sha}: not in storage"):
        call_command("export_desk", output=str(target), with_files=str(tmp_path / "b"),
                     stderr=io.StringIO())
    assert target.exists()  # the tickets themselves are all there


def test_sla_state_is_exported(rich: Rich) -> None:
    lines = export_lines()
    calendars = [line for line in lines if line["type"] == "business_calendar"]
    assert [c["name"] for c in calendars] == ["Biuro w Warszawie"]
    assert calendars[0]["spec"]["holidays"] == "PL"
    departments = {line["name"]: line for line in lines if line["type"] == "department"}
    assert departments["Billing"]["calendar"] == "Biuro w Warszawie"
    assert departments["Sales"]["calendar"] is None
    policies = [line for line in lines if line["type"] == "sla_policy"]
    assert [p["name"] for p in policies] == ["Hurt", "Reszta"]
    wholesale = policies[0]
    assert wholesale["calendar"] == "Biuro w Warszawie"
    assert wholesale["organisations"] == ["Kowalski sp. z o.o."]
    assert wholesale["request_types"] == ["Zwrot"]
    assert wholesale["departments"] == ["Sales"]
    assert (wholesale["first_response_minutes"], wholesale["notify_supervisor"]) == (60, True)
    tickets = _by_number(lines)
    main = tickets[rich.main.number]["sla"]
    assert main["policy"] == "Hurt"
    assert main["first_response_business_minutes"] is not None
    anonymous = tickets[rich.anonymous.number]
    assert anonymous["sla"]["policy"] == "Reszta"
    assert anonymous["sla"]["silence_gaps"] == 1
    assert anonymous["sla"]["fired"][0].startswith("periodic_update:breach:")
    assert anonymous["breaches"] == [{
        "kind": "periodic_update", "policy": "Reszta",
        "due_at": anonymous["created_at"], "breached_at": anonymous["created_at"],
    }]
    assert tickets[rich.closed.number]["breaches"] == []
