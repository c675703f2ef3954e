"""Configuration problems, said in plain words (`litso check`)."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.db import connections
from django.db.utils import OperationalError


@register("litso")
def check_data_dir(**kwargs: Any) -> list[CheckMessage]:
    data_dir = settings.DATA_DIR
    if not data_dir.exists():
        return [
            Error(
                f"The data directory {data_dir} does not exist.",
                hint="Create it, or point LITSO_DATA_DIR at a directory Litso may write to.",
                id="litso.E001",
            )
        ]
    if not os.access(data_dir, os.W_OK):
        return [
            Error(
                f"Litso cannot write to the data directory {data_dir}.",
                hint="Fix its permissions or set LITSO_DATA_DIR to another directory.",
                id="litso.E002",
            )
        ]
    return []


@register("litso", "database")
def check_database(**kwargs: Any) -> list[CheckMessage]:
    db = settings.DATABASES["default"]
    try:
        connections["default"].ensure_connection()
    except OperationalError as exc:
        where = db.get("HOST") or db.get("NAME")
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return [
            Error(
                f"The database at {where} cannot be reached: {first_line}",
                hint="Check DATABASE_URL, and that the database server runs.",
                id="litso.E003",
            )
        ]
    return []


@register("litso", deploy=True)
def check_site(**kwargs: Any) -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    if not settings.SITE_URL.startswith(("http://", "https://")):
        problems.append(
            Error(
                f"LITSO_SITE_URL={settings.SITE_URL!r} is not an http(s) address.", id="litso.E004"
            )
        )
    if (
        not settings.DEBUG
        and settings.SITE_URL.startswith("http://")
        and not any(host in settings.SITE_URL for host in ("127.0.0.1", "localhost", "[::1]"))
    ):
        problems.append(
            Warning(
                f"LITSO_SITE_URL={settings.SITE_URL!r} is plain http on a public name: sign-ins "
                "and customer data would travel unencrypted.",
                hint="Serve Litso behind HTTPS and set LITSO_SITE_URL=https://…",
                id="litso.W001",
            )
        )
    if settings.EMAIL_BACKEND.endswith(("filebased.EmailBackend", "console.EmailBackend")):
        problems.append(
            Warning(
                "Outgoing mail is not sent anywhere: it is written to "
                f"{getattr(settings, 'EMAIL_FILE_PATH', 'the console')}.",
                hint="Set LITSO_EMAIL_URL=smtp://user:password@host:587 to send replies.",
                id="litso.W002",
            )
        )
    return problems
