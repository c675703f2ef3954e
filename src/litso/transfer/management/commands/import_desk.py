"""`litso import desk.jsonl [--files DIR]` — restore an export into an empty desk."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any, BinaryIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from litso.transfer.format import TransferError
from litso.transfer.importer import Importer


class Command(BaseCommand):
    help = (
        "Read a JSON Lines export (from `litso export`) into a desk that has no tickets yet. "
        "Everything is written in one transaction: on any error nothing is imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the export file, or - to read standard input")
        parser.add_argument(
            "--files", metavar="DIR",
            help="the directory given to `litso export --with-files`: attachment bytes are "
                 "read from DIR/blobs/<sha256> and checked against their hash",
        )
        parser.add_argument(
            "--allow-missing-files", action="store_true",
            help="keep attachments whose bytes are nowhere to be found (their downloads fail) "
                 "instead of refusing the import",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        files_dir = Path(options["files"]) if options["files"] else None
        if files_dir is not None and not files_dir.is_dir():
            raise CommandError(f"--files {files_dir}: no such directory")
        importer = Importer(files_dir=files_dir,
                            allow_missing_files=options["allow_missing_files"])
        path = options["path"]
        with contextlib.ExitStack() as stack:
            source: BinaryIO = sys.stdin.buffer
            if path != "-":
                try:
                    source = stack.enter_context(Path(path).open("rb"))
                except OSError as exc:
                    raise CommandError(f"{path}: {exc.strerror}") from None
            try:
                stats = importer.run(source)
            except TransferError as exc:
                raise CommandError(f"{path}: {exc}; nothing was imported") from None
        for problem in stats.dropped_links:
            self.stderr.write(f"warning: {problem}")
        if stats.missing_files:
            self.stderr.write(
                f"warning: {len(stats.missing_files)} attachment file(s) were not available "
                "and are recorded without their content"
            )
        self.stdout.write(
            f"Imported {stats.tickets} tickets ({stats.messages} messages, "
            f"{stats.attachments} attachments, {stats.events} events), "
            f"{stats.customers} new customers, {stats.agents} agents, "
            f"{stats.departments} departments, {stats.request_types} request types, "
            f"{stats.organisations} organisations; {stats.files_stored} files stored."
        )
