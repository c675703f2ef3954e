"""What the exporter and the importer agree on: the header, how a line is written, time.

The format itself is described in docs/export-format.md.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.utils import timezone

FORMAT = "litso-export"
VERSION = 1

# JSON leaves these raw, but str.splitlines(), editors and some JSON Lines readers break lines
# on them; escaped, one line of the file is always one record.
_LINE_BREAKS = {0x85: "\\u0085", 0x2028: "\\u2028", 0x2029: "\\u2029"}


class TransferError(Exception):
    """A problem the person running the command can fix; the commands show it as is."""


def dump_line(record: dict[str, Any]) -> str:
    # ensure_ascii=False keeps Cyrillic and Polish readable in a data request; the file is
    # always written as UTF-8, whatever the terminal's locale.
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    return text.translate(_LINE_BREAKS) + "\n"


def iso(value: datetime.datetime | None) -> str | None:
    if value is None:
        return None
    # Always UTC, so two exports of the same data compare equal whatever TIME_ZONE says.
    return value.astimezone(datetime.UTC).isoformat()


def parse_time(text: str) -> datetime.datetime:
    """An ISO-8601 date-time; without an offset it is read in the desk's time zone."""
    value = datetime.datetime.fromisoformat(text)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def parse_since(text: str) -> datetime.datetime:
    """``--since``: a date (midnight in the desk's time zone) or an ISO date-time."""
    text = text.strip()
    try:
        if len(text) == 10:
            day = datetime.date.fromisoformat(text)
            return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        return parse_time(text)
    except ValueError:
        raise TransferError(
            f"--since {text!r} is not a date (YYYY-MM-DD) or an ISO date-time "
            "(YYYY-MM-DDTHH:MM[:SS][+HH:MM])"
        ) from None
