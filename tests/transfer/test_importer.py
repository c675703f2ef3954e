from __future__ import annotations

import hashlib
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from litso.customers.models import Customer
from litso.departments.models import Department
from litso.files.models import Blob
from litso.files.store import read_bytes
from litso.tickets.models import Attachment, Ticket
from litso.transfer.importer import Importer
from tests.conftest import Desk

HEADER = {"type": "litso-export", "version": 1, "exported_at": "2024-03-01T09:00:00+00:00",
          "since": None}
SALES = {"type": "department", "name": "Sales"}
DATA = b"the scanned receipt"
SHA = hashlib.sha256(DATA).hexdigest()


def ticket(number: int = 7, **extra: Any) -> dict[str, Any]:
    return {
        "type": "ticket", "number": number, "subject": "Parcel", "status": "open",
        "priority": "normal", "department": "Sales", "channel": "email",
        "created_at": "2024-01-02T10:00:00+00:00",
        "customer": {"full_name": "Anna",
                     "contacts": [{"kind": "email", "value": "anna@example.test"}]},
        "messages": [{"kind": "inbound", "author_kind": "customer",
                      "author_customer": "ticket", "body_text": "Where is it?",
                      "created_at": "2024-01-02T10:00:00+00:00"}],
        **extra,
    }


def write(tmp_path: Path, *records: dict[str, Any] | str) -> Path:
    path = tmp_path / "desk.jsonl"
    path.write_text("".join(
        (r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n"
        for r in records
    ), encoding="utf-8")
    return path


def run_import(path: Path, **options: Any) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_desk", str(path), stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_a_desk_with_tickets_is_refused(desk: Desk, tmp_path: Path) -> None:
    desk.open()
    with pytest.raises(CommandError, match=r"already has 1 ticket\(s\)"):
        run_import(write(tmp_path, HEADER, SALES, ticket()))


MALFORMED = [
    ([HEADER, SALES, '{"type": "ticket", "number": 7,'],
     "line 3: not valid JSON: Expecting property name enclosed in double quotes"),
    ([HEADER, SALES, {k: v for k, v in ticket().items() if k != "subject"}],
     "line 3, ticket #7: missing 'subject'"),
    ([HEADER, {"type": "widget"}], "line 2: unknown line type 'widget'"),
    ([HEADER, SALES, HEADER], "line 3: a second header"),
    ([HEADER, "[1, 2]"], "line 2: expected a JSON object, found a list"),
    ([SALES], "line 1: the first line must be the 'litso-export' header"),
    ([{**HEADER, "version": 2}], "line 1: this is format version 2"),
    ([HEADER, SALES, ticket(status="lost")], "line 3, ticket #7: 'status' is 'lost'"),
    ([HEADER, ticket()], "line 2, ticket #7: unknown department 'Sales'"),
    ([HEADER, SALES, ticket(created_at="last Tuesday")], "'created_at' is 'last Tuesday'"),
    ([HEADER, SALES, ticket(number="7")], "line 3: 'number' must be a whole number, not text"),
    ([HEADER, SALES, ticket(), ticket()], "line 4, ticket #7: ticket #7 appears twice"),
    ([HEADER, SALES, ticket(assignee="ghost")], "unknown agent 'ghost'"),
    ([HEADER, SALES, ticket(messages=[{"kind": "inbound", "author_kind": "customer"}])],
     "line 3, ticket #7, message 1: missing 'created_at'"),
    ([HEADER, SALES, ticket(messages=[{
        "kind": "note", "author_kind": "agent", "created_at": "2024-01-02T10:00:00+00:00",
        "attachments": [{"sha256": "../../../etc/passwd", "filename": "x", "size": 1}]}])],
     "message 1, attachment 1: 'sha256' is not 64 lower-case hex digits"),
    ([], "the file is empty"),
]


@pytest.mark.parametrize(("records", "message"), MALFORMED)
def test_a_malformed_file_names_the_line_and_writes_nothing(
    db: None, tmp_path: Path, records: list[Any], message: str
) -> None:
    with pytest.raises(CommandError) as caught:
        run_import(write(tmp_path, *records))
    assert message in str(caught.value)
    assert "nothing was imported" in str(caught.value)
    assert not Department.objects.exists()


@pytest.mark.parametrize(("records", "message"), [
    ([HEADER, {"type": "department", "name": "x" * 101}], "line 2: the database refused it"),
    ([HEADER, SALES, ticket(subject="x" * 501)], "lines 3 and after: the database refused"),
])
def test_values_the_database_refuses_name_the_line(
    db: None, tmp_path: Path, records: list[Any], message: str
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite does not enforce column lengths")
    with pytest.raises(CommandError, match=message):
        run_import(write(tmp_path, *records))


def test_a_bad_line_after_written_batches_undoes_them(db: None, tmp_path: Path) -> None:
    path = write(tmp_path, HEADER, SALES, ticket(1), ticket(2), ticket(3), "not json")
    with pytest.raises(Exception, match="line 6: not valid JSON"), path.open("rb") as fh:
        Importer(batch_size=1).run(fh)
    assert not Ticket.objects.exists()
    assert not Customer.objects.exists()


def test_customers_are_matched_by_contact_point(db: None, tmp_path: Path) -> None:
    shouted = ticket(2, customer={"full_name": "Anna", "contacts": [
        {"kind": "email", "value": " ANNA@example.test "}]})
    run_import(write(tmp_path, HEADER, SALES, ticket(1), shouted))
    assert Customer.objects.count() == 1
    assert Ticket.objects.filter(customer__full_name="Anna").count() == 2


def _with_attachment() -> dict[str, Any]:
    return ticket(messages=[{
        "kind": "inbound", "author_kind": "customer", "author_customer": "ticket",
        "body_text": "receipt attached", "created_at": "2024-01-02T10:00:00+00:00",
        "attachments": [{"sha256": SHA, "filename": "receipt.jpg",
                         "content_type": "image/jpeg", "size": len(DATA)}],
    }])


def test_attachment_bytes_come_from_files_dir(db: None, tmp_path: Path) -> None:
    (tmp_path / "backup" / "blobs").mkdir(parents=True)
    (tmp_path / "backup" / "blobs" / SHA).write_bytes(DATA)
    out, _ = run_import(write(tmp_path, HEADER, SALES, _with_attachment()),
                        files=str(tmp_path / "backup"))
    assert "1 files stored" in out
    assert read_bytes(Attachment.objects.get().blob) == DATA


def test_damaged_backup_file_is_refused(db: None, tmp_path: Path) -> None:
    (tmp_path / "backup" / "blobs").mkdir(parents=True)
    (tmp_path / "backup" / "blobs" / SHA).write_bytes(b"something else")
    with pytest.raises(CommandError, match="holds other bytes"):
        run_import(write(tmp_path, HEADER, SALES, _with_attachment()),
                   files=str(tmp_path / "backup"))


def test_attachment_without_bytes_is_refused_unless_allowed(db: None, tmp_path: Path) -> None:
    path = write(tmp_path, HEADER, SALES, _with_attachment())
    with pytest.raises(CommandError, match="--allow-missing-files"):
        run_import(path)
    assert not Blob.objects.exists()

    _, err = run_import(path, allow_missing_files=True)
    assert "1 attachment file(s) were not available" in err
    assert Attachment.objects.get().blob.size == len(DATA)


def test_links_to_tickets_not_in_the_file_are_dropped_with_a_warning(
    db: None, tmp_path: Path
) -> None:
    _, err = run_import(write(tmp_path, HEADER, SALES, ticket(8, merged_into=3),
                              ticket(9, follow_up_of=8)))
    assert "line 3, ticket #8: merged_into #3 is not in the file; link dropped" in err
    assert Ticket.objects.get(number=9).follow_up_of == Ticket.objects.get(number=8)


def test_reads_standard_input(db: None, tmp_path: Path, monkeypatch: Any) -> None:
    data = write(tmp_path, HEADER, SALES, ticket(subject="Zażółć")).read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="ascii"))
    call_command("import_desk", "-", stdout=io.StringIO())
    assert Ticket.objects.get().subject == "Zażółć"
