"""`litso mail poll`: poll IMAP mailboxes once, now, and say what happened.

Polls every active mailbox (or the one named with --mailbox, active or not) whether or not it
is due, outside the scheduler's lease: a poll running at the same moment elsewhere is
harmless, as the same bytes are stored once and flagging twice changes nothing. Exits with
status 1 when any mailbox failed; the failure is also recorded on the mailbox for admins.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from litso.mail.imap import PollResult, poll_mailbox
from litso.mail.models import Mailbox


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("poll", help="poll IMAP mailboxes once now")
    parser.add_argument("--mailbox", metavar="NAME",
                        help="only this mailbox (default: every active one)")
    parser.add_argument("--json", action="store_true", help="print one JSON summary")


def run(command: BaseCommand, *, mailbox: str | None = None, **options: Any) -> None:
    as_json = bool(options.get("json"))
    if mailbox:
        chosen = list(Mailbox.objects.filter(name=mailbox))
        if not chosen:
            raise CommandError(f"no mailbox named {mailbox!r}")
    else:
        chosen = list(Mailbox.objects.filter(active=True).order_by("name"))
    results = [poll_mailbox(box) for box in chosen]
    failed = [result for result in results if not result.ok]
    if as_json:
        command.stdout.write(json.dumps(summary(results)))
    elif not results:
        command.stdout.write("no active mailboxes")
    else:
        for result in results:
            command.stdout.write(describe(result))
    if failed:
        raise CommandError(f"{len(failed)} of {len(results)} mailboxes failed", returncode=1)


def summary(results: list[PollResult]) -> dict[str, Any]:
    return {
        "mailboxes": [
            {
                "name": result.mailbox,
                "fetched": result.fetched,
                "stored": result.stored,
                "duplicates": result.duplicates,
                "more": result.more,
                "error": result.error,
                "next_poll_at": result.next_poll_at.isoformat() if result.next_poll_at else None,
            }
            for result in results
        ],
        "fetched": sum(result.fetched for result in results),
        "stored": sum(result.stored for result in results),
        "duplicates": sum(result.duplicates for result in results),
        "failed": sum(1 for result in results if not result.ok),
    }


def describe(result: PollResult) -> str:
    counts = (
        f"{result.fetched} fetched, {result.stored} stored, {result.duplicates} already stored"
    )
    if result.ok:
        return f"{result.mailbox}: {counts}" + ("; more waiting" if result.more else "")
    line = f"{result.mailbox}: FAILED: {result.error}"
    if result.fetched:
        line += f" ({counts})"
    if result.next_poll_at:
        wait = max(0, int((result.next_poll_at - timezone.now()).total_seconds()))
        line += f"; next try in {wait} s"
    return line
