"""`litso triage train|eval|abuse`: the learned router and the abuse detector from the shell.

Each subcommand lives in its own module (litso.triage.cli_*), which adds its parser and runs.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


def _modules() -> dict[str, ModuleType]:
    from litso.triage import cli_abuse, cli_eval, cli_train

    return {"train": cli_train, "eval": cli_eval, "abuse": cli_abuse}


class Command(BaseCommand):
    help = "Triage: train the router, evaluate it on your own data, score text for abuse."
    # eval and abuse need no database; checks would refuse to run without one.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for module in _modules().values():
            module.add_parser(sub)

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        _modules()[action].run(self, **options)
