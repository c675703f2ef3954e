"""`litso export [--since DATE] [--output FILE] [--with-files DIR]` — the desk as JSON Lines."""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from litso.transfer.export import export_desk
from litso.transfer.format import TransferError, parse_since


class Command(BaseCommand):
    help = (
        "Write tickets, their messages and history, and the reference data needed to rebuild "
        "them as JSON Lines (format: docs/export-format.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--since", metavar="DATE",
            help="only tickets updated on or after DATE (YYYY-MM-DD, or an ISO date-time)",
        )
        parser.add_argument("--output", "-o", metavar="FILE",
                            help="write to FILE instead of standard output")
        parser.add_argument(
            "--with-files", metavar="DIR",
            help="also copy attachment bytes to DIR/blobs/<sha256> for a complete backup",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            since = parse_since(options["since"]) if options["since"] else None
        except TransferError as exc:
            raise CommandError(str(exc)) from None
        files_dir = Path(options["with_files"]) if options["with_files"] else None
        with self._open(options["output"]) as out:
            stats = export_desk(out, since=since, files_dir=files_dir)
        if stats.file_problems:
            shown = "; ".join(f"{sha}: {why}" for sha, why in stats.file_problems[:5])
            more = len(stats.file_problems) - 5
            raise CommandError(
                f"the export is written, but {len(stats.file_problems)} attachment file(s) "
                f"could not be copied to {files_dir}: {shown}"
                + (f" (and {more} more)" if more > 0 else "")
            )
        self.stderr.write(
            f"Exported {stats.tickets} tickets, {stats.messages} messages, "
            f"{stats.attachments} attachments, {stats.events} events"
            + (f"; copied {stats.files_copied} files" if files_dir else "") + "."
        )

    @contextlib.contextmanager
    def _open(self, output: str | None) -> Iterator[TextIO]:
        if output:
            path = Path(output)
            partial = path.with_name(path.name + ".partial")
            # Renamed only when complete, so a failed export never leaves a plausible backup.
            try:
                with partial.open("w", encoding="utf-8", newline="\n") as fh:
                    yield fh
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
            os.replace(partial, path)
            return
        buffer = getattr(self.stdout, "buffer", None)
        if buffer is None:  # a StringIO from call_command: already text
            yield cast(TextIO, self.stdout)
            return
        # The real stdout: UTF-8 whatever the locale, or a Cyrillic subject could fail to
        # encode halfway through a backup.
        self.stdout.flush()
        wrapper = io.TextIOWrapper(buffer, encoding="utf-8", newline="\n")
        try:
            yield wrapper
        finally:
            wrapper.flush()
            wrapper.detach()  # stdout stays open for Django
