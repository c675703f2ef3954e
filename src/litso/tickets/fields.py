"""Custom fields of a request type: definitions are checked when saved, values when set.

A definition is ``{"name": "fabric", "type": "choice", "required": true,
"choices": ["cotton", "linen"], "label": "Fabric"}``; types: text, integer, number,
boolean, choice, date (ISO ``YYYY-MM-DD``).
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.core.exceptions import ValidationError

FIELD_TYPES = ("text", "integer", "number", "boolean", "choice", "date")
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def check_definitions(definitions: Any) -> None:
    if not isinstance(definitions, list):
        raise ValidationError({"fields": "field definitions must be a list"})
    seen: set[str] = set()
    for i, definition in enumerate(definitions):
        where = f"field #{i + 1}"
        if not isinstance(definition, dict):
            raise ValidationError({"fields": f"{where} must be an object"})
        name = definition.get("name")
        if not isinstance(name, str) or not _NAME_RE.match(name):
            raise ValidationError(
                {"fields": f"{where}: name {name!r} must be lower-case letters, digits and _"}
            )
        if name in seen:
            raise ValidationError({"fields": f"{where}: name {name!r} is used twice"})
        seen.add(name)
        kind = definition.get("type")
        if kind not in FIELD_TYPES:
            raise ValidationError(
                {"fields": f"field {name!r}: type {kind!r} is not one of {', '.join(FIELD_TYPES)}"}
            )
        if kind == "choice":
            choices = definition.get("choices")
            if not isinstance(choices, list) or not choices:
                raise ValidationError(
                    {"fields": f"field {name!r}: a choice needs a list of choices"}
                )


def check_values(definitions: list[dict[str, Any]], values: Any) -> dict[str, Any]:
    """Return the values cleaned (numbers as numbers), or raise naming the field and the reason."""
    if not isinstance(values, dict):
        raise ValidationError({"custom_fields": "custom fields must be an object"})
    by_name = {d["name"]: d for d in definitions}
    unknown = sorted(set(values) - set(by_name))
    if unknown:
        raise ValidationError(
            {
                "custom_fields": f"unknown field {unknown[0]!r}; this request type has: "
                f"{', '.join(by_name) or 'no fields'}"
            }
        )
    cleaned: dict[str, Any] = {}
    for name, definition in by_name.items():
        value = values.get(name)
        if value is None or value == "":
            if definition.get("required"):
                raise ValidationError({f"custom_fields.{name}": "this field is required"})
            continue
        cleaned[name] = _clean(name, definition, value)
    return cleaned


def _clean(name: str, definition: dict[str, Any], value: Any) -> Any:
    kind = definition["type"]
    key = f"custom_fields.{name}"
    if kind == "text":
        if not isinstance(value, str):
            raise ValidationError({key: f"expected text, got {type(value).__name__}"})
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise ValidationError({key: "expected true or false"})
        return value
    if kind in ("integer", "number"):
        if isinstance(value, bool):
            raise ValidationError({key: f"expected a {kind}, got a boolean"})
        try:
            number = int(value) if kind == "integer" else float(value)
        except (TypeError, ValueError):
            raise ValidationError({key: f"{value!r} is not a {kind}"}) from None
        if kind == "integer" and isinstance(value, float) and not value.is_integer():
            raise ValidationError({key: f"{value!r} is not a whole number"})
        return number
    if kind == "choice":
        if value not in definition["choices"]:
            raise ValidationError(
                {key: f"{value!r} is not one of {', '.join(map(str, definition['choices']))}"}
            )
        return value
    if kind == "date":
        try:
            return datetime.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise ValidationError({key: f"{value!r} is not a date (YYYY-MM-DD)"}) from None
    raise ValidationError({key: f"unknown field type {kind!r}"})
