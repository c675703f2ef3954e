"""`litso mail ingest|serve|poll`: the ways mail comes in (see litso.mail.cli_*)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Mail intake: ingest files, serve SMTP/LMTP, poll IMAP mailboxes."

    def add_arguments(self, parser: CommandParser) -> None:
        from litso.mail import cli_ingest, cli_poll, cli_serve

        sub = parser.add_subparsers(dest="action", required=True)
        for module in (cli_ingest, cli_serve, cli_poll):
            module.add_parser(sub)

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        from litso.mail import cli_ingest, cli_poll, cli_serve

        handlers = {"ingest": cli_ingest.run, "serve": cli_serve.run, "poll": cli_poll.run}
        handlers[action](self, **options)
