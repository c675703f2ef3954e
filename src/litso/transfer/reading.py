"""Reading an export line by line, and typed access to a record that names where it is.

Every complaint starts with where the problem is ("line 12, ticket #1003, message 2"), so
whoever edits or repairs a file can find it.
"""

from __future__ import annotations

import datetime
import functools
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import models

from litso.transfer.format import TransferError, parse_time

REQUIRED: Any = object()


@functools.cache
def allowed(choices: type[models.TextChoices]) -> frozenset[str]:
    # Choices.values builds a new list on every call; an import asks millions of times.
    return frozenset(str(value) for value in choices.values)


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object"


def read_records(lines: Iterable[bytes]) -> Iterator[tuple[int, Fields]]:
    """Yield (line number, record) for each non-blank line.

    Lines are split on b"\\n" only: JSON escapes every other line break inside strings, and
    splitting text on Unicode line breaks would cut records the exporter wrote as one line.
    """
    for number, raw in enumerate(lines, 1):
        where = f"line {number}"
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise TransferError(
                f"{where}: not UTF-8 text ({exc.reason} at byte {exc.start + 1})"
            ) from None
        if number == 1:
            text = text.removeprefix("\ufeff")  # some editors add a byte-order mark
        if not text.strip():
            continue
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise TransferError(
                f"{where}: not valid JSON: {exc.msg} (column {exc.colno})"
            ) from None
        yield number, Fields(data, where)


class Fields:
    """One JSON object of the export, read with its type checked."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, dict):
            raise TransferError(f"{where}: expected a JSON object, found {json_type(data)}")
        self.data: dict[str, Any] = data
        self.where = where

    def _get(self, key: str, types: tuple[type, ...], label: str, default: Any,
             nullable: bool = False) -> Any:
        if key not in self.data:
            if default is REQUIRED:
                raise TransferError(f"{self.where}: missing {key!r}")
            return default
        value = self.data[key]
        if value is None and nullable:
            return None
        # bool is an int to Python, never to us: "count": true is a mistake.
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            raise TransferError(
                f"{self.where}: {key!r} must be {label}, not {json_type(value)}"
            )
        return value

    def text(self, key: str, default: Any = "") -> str:
        value: str = self._get(key, (str,), "text", default)
        return value

    def name(self, key: str) -> str:
        """Required text that must not be blank: the names things are found by."""
        value = self.text(key, REQUIRED)
        if not value.strip():
            raise TransferError(f"{self.where}: {key!r} is empty")
        return value

    def optional_text(self, key: str) -> str | None:
        value: str | None = self._get(key, (str,), "text or null", None, nullable=True)
        return value

    def flag(self, key: str, default: Any = False) -> bool:
        value: bool = self._get(key, (bool,), "true or false", default)
        return value

    def count(self, key: str, default: Any = 0) -> int:
        value: int = self._get(key, (int,), "a whole number", default)
        if value < 0:
            raise TransferError(f"{self.where}: {key!r} must not be negative")
        return value

    def optional_count(self, key: str) -> int | None:
        value: int | None = self._get(key, (int,), "a whole number or null", None,
                                      nullable=True)
        if value is not None and value < 0:
            raise TransferError(f"{self.where}: {key!r} must not be negative")
        return value

    def choice(self, key: str, choices: type[models.TextChoices],
               default: Any = REQUIRED) -> str:
        value = self.text(key, default)
        if value not in allowed(choices):
            names = ", ".join(repr(c) for c in sorted(allowed(choices)))
            raise TransferError(f"{self.where}: {key!r} is {value!r}, not one of {names}")
        return value

    def when(self, key: str) -> datetime.datetime:
        """A required date-time."""
        value = self.time(key, REQUIRED)
        if value is None:
            raise TransferError(f"{self.where}: {key!r} must be a date-time, not null")
        return value

    def time(self, key: str, default: Any = None) -> datetime.datetime | None:
        value: str | None = self._get(key, (str,), "an ISO-8601 date-time or null", default,
                                      nullable=True)
        if value is None:
            return None
        try:
            return parse_time(value)
        except ValueError:
            raise TransferError(
                f"{self.where}: {key!r} is {value!r}, not an ISO-8601 date-time"
            ) from None

    def items(self, key: str) -> list[Any]:
        value: list[Any] = self._get(key, (list,), "a list", [])
        return value

    def texts(self, key: str) -> list[str]:
        values = self.items(key)
        for value in values:
            if not isinstance(value, str):
                raise TransferError(
                    f"{self.where}: {key!r} must be a list of text, found {json_type(value)}"
                )
        return values

    def mapping(self, key: str) -> dict[str, Any]:
        value: dict[str, Any] = self._get(key, (dict,), "an object", {})
        return value

    def nested(self, key: str, where: str) -> Fields | None:
        value = self.data.get(key)
        return None if value is None else Fields(value, f"{self.where}, {where}")
