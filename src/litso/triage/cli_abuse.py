"""`litso triage abuse`: placeholder until its helper module lands (replaced in this session)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError


def add_parser(subparsers: Any) -> None:
    subparsers.add_parser("abuse")


def run(command: Any, **options: Any) -> None:
    raise CommandError("litso triage abuse is not built yet")
