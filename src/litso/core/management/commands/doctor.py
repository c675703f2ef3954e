from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Report configuration problems in plain words (what `litso check` runs)."
    # The checks are what this command reports; running them first would only raise.
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        found = checks.run_checks(databases=["default"])
        # Litso's own deployment checks, without Django's HTTPS-hardening list, which
        # does not apply to a desk on localhost.
        found += checks.run_checks(
            tags=["litso"], include_deployment_checks=True, databases=["default"]
        )
        seen: set[str] = set()
        errors = 0
        for message in found:
            if message.id in seen or message.is_silenced():
                continue
            seen.add(message.id or "")
            word = "problem" if message.is_serious() else "warning"
            errors += message.is_serious()
            self.stdout.write(f"{word}: {message.msg}")
            if message.hint:
                self.stdout.write(f"  fix: {message.hint}")
        if errors:
            raise CommandError(f"{errors} problem(s) found")
        if not seen:
            self.stdout.write("Everything looks right.")
