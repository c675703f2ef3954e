"""`litso mail ingest PATH|-`: one .eml, a Maildir or an mbox, processed before it returns.

Mail is stored and processed in batches, so memory stays flat however large the input: each
batch of up to BATCH mails (and BATCH_BYTES of raw mail) is stored in one transaction, then
processed in transactions of PROCESS_BATCH mails, each mail in its own savepoint. When a
worker is running it does the processing and this command waits for it; otherwise the
command does it itself. With --json it prints one summary object.
"""

from __future__ import annotations

import json
import mailbox
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Min

from litso.jobs.models import WorkerHeartbeat
from litso.mail.intake import Received, receive_many
from litso.mail.models import InboundMail, InboundSource, InboundState
from litso.mail.processing import process_batch
from litso.tickets.models import Message

T = TypeVar("T")
BATCH = 200
# A batch of raw mail is held in memory until it is stored: a few large mails end it early.
BATCH_BYTES = 32 * 2**20
# On SQLite a transaction holds the one write lock: a web request waits for at most this many
# mails to be processed (a fraction of a second), and the commit is spread over them. The mails
# of a processing batch are parsed before it starts: its raw size bounds that memory.
PROCESS_BATCH = 50
PROCESS_BATCH_BYTES = 8 * 2**20
SUMMARY_KEYS: dict[str, str] = {
    InboundState.BOUNCE: "bounces",
    InboundState.COMPLAINT: "bounces",
    InboundState.AUTO_REPLY: "auto_replies",
    InboundState.QUARANTINED: "quarantined",
    InboundState.RATE_LIMITED: "quarantined",
}


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("ingest", help="take in an .eml file, a Maildir or an mbox")
    parser.add_argument("path", help="a file, a Maildir directory, an mbox file, or - for stdin")
    parser.add_argument("--json", action="store_true", help="print one JSON summary")
    parser.add_argument(
        "--wait", type=float, default=600, help="seconds to wait for running workers (default 600)"
    )


def iter_raw(path: str) -> Iterator[bytes]:
    if path == "-":
        yield sys.stdin.buffer.read()
        return
    target = Path(path)
    if not target.exists():
        raise CommandError(f"{path}: no such file or directory")
    if target.is_dir():
        if not (target / "cur").is_dir() and not (target / "new").is_dir():
            # A plain directory of .eml files, taken in name (arrival) order.
            files = sorted(target.glob("*.eml"))
            if not files:
                raise CommandError(f"{path}: neither a Maildir nor a directory of .eml files")
            for file in files:
                yield file.read_bytes()
            return
        maildir = mailbox.Maildir(target, factory=None, create=False)
        for key in sorted(maildir.iterkeys()):
            yield maildir.get_bytes(key)
        return
    with target.open("rb") as fh:
        is_mbox = fh.read(5) == b"From "
    if is_mbox:
        # One mbox object, read message by message: never the whole file in memory.
        box = mailbox.mbox(target, create=False)
        try:
            for key in box.iterkeys():
                yield box.get_bytes(key)
        finally:
            box.close()
        return
    yield target.read_bytes()


def run(command: BaseCommand, *, path: str, wait: float = 600, **options: Any) -> None:
    as_json = bool(options.get("json"))
    totals: Counter[str] = Counter()
    started = time.monotonic()
    # With a worker running, the mail goes through the queue like any other; without one,
    # this command is the worker and processes each stored mail itself, skipping the task row.
    in_line = not _workers_alive()
    for raws in batches(iter_raw(path), BATCH, BATCH_BYTES, len):
        received = receive_many(raws, source=InboundSource.FILE, process=not in_line)
        # Processed in-line, a mail is parsed from the bytes just stored, not read back.
        raw_of = (
            {r.inbound.pk: raw for r, raw in zip(received, raws, strict=True)} if in_line else {}
        )
        del raws
        stored = [r.inbound for r in received if not r.duplicate]
        stranded = _stranded(received, {inbound.pk for inbound in stored}, in_line)
        totals["duplicates"] += len(received) - len(stored) - len(stranded)
        stored += stranded
        if in_line:
            for part in batches(stored, PROCESS_BATCH, PROCESS_BATCH_BYTES, _raw_size):
                process_batch(
                    [inbound.pk for inbound in part],
                    raws={inbound.pk: raw_of.pop(inbound.pk) for inbound in part},
                )
        del raw_of
        if stored:
            _finish([inbound.pk for inbound in stored], totals, wait)
    summary = {
        key: totals[key]
        for key in (
            "tickets_opened",
            "messages_appended",
            "bounces",
            "auto_replies",
            "duplicates",
            "quarantined",
        )
    }
    if as_json:
        command.stdout.write(json.dumps(summary))
    else:
        elapsed = time.monotonic() - started
        command.stdout.write(
            ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in summary.items())
            + f" ({elapsed:.1f} s)"
        )


def _stranded(received: list[Received], new: set[int], in_line: bool) -> list[InboundMail]:
    """Mails stored by an earlier run that was stopped before processing them (in-line
    ingest enqueues no task): given again, they are processed now, not counted as duplicates.
    With workers running they get a task; one that already has a task runs it twice, and the
    second run finds the mail done."""
    from litso.mail.tasks import process_inbound

    found: dict[int, InboundMail] = {}
    for r in received:
        if r.duplicate and r.inbound.pk not in new and r.inbound.state == InboundState.RECEIVED:
            found[r.inbound.pk] = r.inbound
    if not in_line:
        for pk in found:
            process_inbound.enqueue(pk)
    return list(found.values())


def batches(
    items: Iterable[T], count: int, max_bytes: int, size: Callable[[T], int]
) -> Iterator[list[T]]:
    """Consecutive lists of at most ``count`` items, ended early once they reach ``max_bytes``."""
    batch: list[T] = []
    total = 0
    for item in items:
        batch.append(item)
        total += size(item)
        if len(batch) >= count or total >= max_bytes:
            yield batch
            batch, total = [], 0
    if batch:
        yield batch


def _raw_size(inbound: InboundMail) -> int:
    return inbound.blob.size


def _finish(ids: list[int], totals: Counter[str], wait: float) -> None:
    """Process (or wait for the workers to process) this batch, then count what happened."""
    if _workers_alive():
        deadline = time.monotonic() + wait
        pending = InboundMail.objects.filter(pk__in=ids, state=InboundState.RECEIVED)
        while pending.exists():
            if time.monotonic() > deadline:
                raise CommandError(f"workers did not process {pending.count()} mails in {wait} s")
            time.sleep(0.1)

    message_ids = []
    for state, message_id in InboundMail.objects.filter(pk__in=ids).values_list(
        "state", "message_id"
    ):
        if state == InboundState.PROCESSED:
            message_ids.append(message_id)
        elif state in SUMMARY_KEYS:
            totals[SUMMARY_KEYS[state]] += 1
    # A message that is the first of its ticket opened it; any other was appended.
    tickets = dict(Message.objects.filter(pk__in=message_ids).values_list("pk", "ticket_id"))
    firsts = set(
        Message.objects.filter(ticket_id__in=set(tickets.values()))
        .values("ticket_id")
        .annotate(first=Min("pk"))
        .values_list("first", flat=True)
    )
    opened = sum(1 for pk in tickets if pk in firsts)
    totals["tickets_opened"] += opened
    totals["messages_appended"] += len(message_ids) - opened


def _workers_alive() -> bool:
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    cutoff = timezone.now() - timedelta(seconds=settings.LITSO_WORKER_DEAD_AFTER)
    return WorkerHeartbeat.objects.filter(beat_at__gte=cutoff).exists()
