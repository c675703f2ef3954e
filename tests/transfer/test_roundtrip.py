"""Export, wipe the database, import, export again: nothing may change on the way."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from litso.audit.models import Event
from litso.audit.record import Actor
from litso.customers.models import Customer
from litso.files.models import Blob
from litso.files.store import read_bytes
from litso.tickets.actions import do_open_ticket
from litso.tickets.models import Message, Ticket
from tests.conftest import Desk
from tests.transfer.conftest import (
    PDF,
    PNG,
    POLISH,
    RUSSIAN,
    WINDOWS_PATH,
    Rich,
    build_rich_desk,
    export_lines,
    flush_database,
)


def _without_time_of_export(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in line.items() if k != "exported_at"} for line in lines]


def _restore(tmp_path: Path, settings: Any, lines_text: str, files: Path | None) -> str:
    flush_database()
    # A new machine: the attachment bytes must come from the backup, not the old storage.
    settings.MEDIA_ROOT = tmp_path / "restored-files"
    dump = tmp_path / "desk.jsonl"
    dump.write_text(lines_text, encoding="utf-8")
    out = io.StringIO()
    options = {"files": str(files)} if files else {}
    call_command("import_desk", str(dump), stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


@pytest.mark.usefixtures("flushable")
def test_export_flush_import_export_is_identical(
    rich: Rich, tmp_path: Path, settings: Any
) -> None:
    files = tmp_path / "backup"
    out = io.StringIO()
    call_command("export_desk", stdout=out, stderr=io.StringIO(), with_files=str(files))
    first = out.getvalue()
    before = [json.loads(line) for line in first.split("\n") if line]

    summary = _restore(tmp_path, settings, first, files)

    assert "Imported 5 tickets" in summary
    after = export_lines()
    assert _without_time_of_export(after) == _without_time_of_export(before)
    # Same bytes behind every attachment, read from the new storage.
    contents = {read_bytes(blob) for blob in Blob.objects.all()}
    assert contents == {PDF, PNG}


@pytest.mark.usefixtures("flushable")
def test_restore_keeps_numbers_times_and_links(
    rich: Rich, tmp_path: Path, settings: Any
) -> None:
    out = io.StringIO()
    files = tmp_path / "backup"
    call_command("export_desk", stdout=out, stderr=io.StringIO(), with_files=str(files))
    main_before = Ticket.objects.get(pk=rich.main.pk)
    first_event = Event.objects.filter(ticket=rich.main).order_by("created_at", "pk").first()
    assert first_event is not None
    message_ids = set(Message.objects.values_list("pk", flat=True))

    _restore(tmp_path, settings, out.getvalue(), files)

    main = Ticket.objects.get(number=rich.main.number)
    assert (main.created_at, main.updated_at) == (main_before.created_at, main_before.updated_at)
    assert Ticket.objects.get(number=rich.merged.number).merged_into == main
    assert Ticket.objects.get(number=rich.follow_up.number).follow_up_of == (
        Ticket.objects.get(number=rich.closed.number))
    assert Event.objects.filter(ticket=main).order_by("created_at", "pk")[0].created_at == (
        first_event.created_at)
    # Events' data names messages by id; the ids came back, so the references still hold.
    assert set(Message.objects.values_list("pk", flat=True)) == message_ids
    # A customer on several tickets is one customer again.
    assert Customer.objects.filter(full_name="Anna Żółkiewska").count() == 1
    # New tickets continue after the imported numbers and do not collide.
    highest = max(Ticket.objects.values_list("number", flat=True))
    new, message = do_open_ticket(
        customer=main.customer, subject="New after restore", body_text="hello",
        channel="email", department=main.department, actor=Actor.customer(),
    )
    assert new.number > highest
    assert message.pk > max(message_ids)


@pytest.mark.usefixtures("flushable")
def test_text_survives_exactly(rich: Rich, tmp_path: Path, settings: Any) -> None:
    out = io.StringIO()
    call_command("export_desk", stdout=out, stderr=io.StringIO(), with_files=str(tmp_path / "b"))
    text = out.getvalue()
    # Readable in the file itself, not \u-escaped, and one record per line.
    assert POLISH in text
    assert "Иван Петрович" in text
    assert "\u2028" not in text
    assert all(line.startswith("{") for line in text.split("\n")[:-1])

    _restore(tmp_path, settings, text, tmp_path / "b")

    main = Ticket.objects.get(number=rich.main.number)
    assert main.subject == POLISH
    first, reply, note, *_ = main.messages.order_by("created_at", "pk")
    assert first.body_text == f"{POLISH}\n{WINDOWS_PATH}\n\u2028after a U+2028"
    assert "C:\\Users\\new.log" in first.body_text
    assert reply.body_text == RUSSIAN
    assert note.body_text == f"Note: {WINDOWS_PATH}"
    assert main.customer.notes == WINDOWS_PATH
    assert main.customer.address_as == "Pani Anno"
    assert Customer.objects.get(full_name="Иван Петров").address_as == "Иван Петрович"
    assert sorted(main.tags.values_list("name", flat=True)) == ["hurt", "vip"]


def test_import_into_a_desk_that_only_lost_its_tickets(desk: Desk, tmp_path: Path) -> None:
    """Without flush: reference data already there is updated, customers are matched."""
    build_rich_desk(desk)
    before = export_lines()
    dump = tmp_path / "desk.jsonl"
    call_command("export_desk", output=str(dump), stderr=io.StringIO())
    Ticket.objects.exclude(merged_into=None, follow_up_of=None).delete()
    Ticket.objects.all().delete()
    # Customers are matched by contact point; one without any cannot be recognised, so the
    # import brings it back as new.
    Customer.objects.filter(contacts=None).delete()
    customers = Customer.objects.count()

    call_command("import_desk", str(dump), stdout=io.StringIO())

    assert Customer.objects.count() == customers + 1
    assert _without_time_of_export(export_lines()) == _without_time_of_export(before)
