"""Labelled examples from a customer's file: CSV or JSON Lines (or a JSON array).

The format comes from the extension (``.csv``/``.tsv``; ``.jsonl``/``.ndjson``/``.json``) or,
for any other name, from the first character. CSV files exported by spreadsheets in Poland or
Russia are often separated by ``;``: the delimiter is sniffed from the header line. Files are
read as UTF-8 (a byte-order mark is fine) and streamed: ``iter_examples`` holds one record at a
time. Every problem is a ``DatasetError`` naming the file, the line and the column or key, and
what is wrong, in one line a person can act on.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

CSV_EXTENSIONS = {".csv", ".tsv"}
JSON_LINES_EXTENSIONS = {".jsonl", ".ndjson"}
DELIMITERS = ",;\t|"
BOM = b"\xef\xbb\xbf"


class DatasetError(ValueError):
    """A labelled file that cannot be read; the message names the file, line and column."""


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    line: int  # where the record starts in the file, from 1


def iter_examples(
    path: Path, text_col: str = "text", label_col: str = "label"
) -> Iterator[Example]:
    """Yield the file's examples one by one; raises DatasetError at the first bad record."""
    path = Path(path)
    name = path.name
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise DatasetError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DatasetError(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise DatasetError(f"{path}: cannot open ({exc.strerror})") from None
    with handle:
        first = _first_char(handle)
        if first == "":
            raise DatasetError(f"{name}: the file is empty")
        kind = _kind(path, first)
        if kind == "json-array":
            yield from _json_array(handle, name, text_col, label_col)
        elif kind == "jsonl":
            yield from _json_lines(_lines(handle, name), name, text_col, label_col)
        else:
            lines = _lines(handle, name)
            yield from _csv_rows(lines, name, text_col, label_col, path.suffix.lower())


def load_examples(
    path: Path, text_col: str = "text", label_col: str = "label"
) -> tuple[list[str], list[str]]:
    """All texts and labels of a file; raises DatasetError if there is none."""
    texts: list[str] = []
    labels: list[str] = []
    for example in iter_examples(path, text_col, label_col):
        texts.append(example.text)
        labels.append(example.label)
    if not texts:
        raise DatasetError(f"{Path(path).name}: no examples in the file")
    return texts, labels


def _first_char(handle: BinaryIO) -> str:
    """The first non-blank character (after a byte-order mark); the handle is rewound."""
    head = handle.read(4096)
    while head and not head.lstrip(b"\xef\xbb\xbf \t\r\n"):
        more = handle.read(4096)
        if not more:
            break
        head += more
    handle.seek(0)
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return chr(stripped[0]) if stripped else ""


def _lines(handle: BinaryIO, name: str) -> Iterator[tuple[int, str]]:
    """Numbered lines decoded as UTF-8, line endings kept (the csv module wants them)."""
    for number, raw in enumerate(handle, start=1):
        if number == 1 and raw.startswith(BOM):
            raw = raw[len(BOM) :]
        yield number, _decode(raw, f"{name} line {number}")


def _decode(raw: bytes, where: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _not_utf8(raw, 0, exc.start, where) from None


def _not_utf8(raw: bytes, line_start: int, bad: int, where: str) -> DatasetError:
    column = len(raw[line_start:bad].decode("utf-8", "replace")) + 1
    return DatasetError(
        f"{where}, column {column}: not UTF-8 (byte 0x{raw[bad]:02x}); "
        "save the file as UTF-8 and try again"
    )


def _kind(path: Path, first: str) -> str:
    suffix = path.suffix.lower()
    if suffix in CSV_EXTENSIONS:
        return "csv"
    if suffix in JSON_LINES_EXTENSIONS:
        return "jsonl"
    if suffix == ".json" or first in "{[":
        return "json-array" if first == "[" else "jsonl"
    return "csv"


def _field(value: Any, where: str, column: str, kind: str, allow_number: bool) -> str:
    if isinstance(value, bool | dict | list) or (
        isinstance(value, int | float) and not allow_number
    ):
        raise DatasetError(f"{where}: {kind} {column!r} must be text, not {_json_type(value)}")
    if isinstance(value, int | float):
        value = str(value)
    if value is None or not value.strip():
        raise DatasetError(f"{where}: {kind} {column!r} is empty")
    return str(value)


def _record(record: Any, where: str, text_col: str, label_col: str) -> tuple[str, str]:
    if not isinstance(record, dict):
        raise DatasetError(f"{where}: expected a JSON object, got {_json_type(record)}")
    for key in (text_col, label_col):
        if key not in record:
            keys = ", ".join(map(str, record)) or "none"
            raise DatasetError(f"{where}: no key {key!r} (keys: {keys})")
    text = _field(record[text_col], where, text_col, "key", allow_number=False)
    # Labels may be numbers (priority 1–4, department ids): they are compared as text.
    label = _field(record[label_col], where, label_col, "key", allow_number=True)
    return text, label.strip()


def _json_lines(
    lines: Iterator[tuple[int, str]], name: str, text_col: str, label_col: str
) -> Iterator[Example]:
    for number, line in lines:
        if not line.strip():
            continue
        where = f"{name} line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{where}, column {exc.colno}: invalid JSON: {exc.msg}") from None
        text, label = _record(record, where, text_col, label_col)
        yield Example(text, label, number)


def _json_array(handle: BinaryIO, name: str, text_col: str, label_col: str) -> Iterator[Example]:
    # A JSON array has to be read whole; JSON Lines is the streaming format.
    raw = handle.read().removeprefix(BOM)
    try:
        document = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        start = raw.rfind(b"\n", 0, exc.start) + 1
        raise _not_utf8(raw, start, exc.start, f"{name} line {line}") from None
    try:
        records = json.loads(document)
    except json.JSONDecodeError as exc:
        raise DatasetError(
            f"{name} line {exc.lineno}, column {exc.colno}: invalid JSON: {exc.msg}"
        ) from None
    if not isinstance(records, list):
        raise DatasetError(f"{name}: expected a JSON array of objects or JSON Lines")
    for number, record in enumerate(records, start=1):
        text, label = _record(record, f"{name} item {number}", text_col, label_col)
        yield Example(text, label, number)


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "true/false"}
    if value is None:
        return "null"
    return names.get(type(value), "a number")


def _csv_rows(
    lines: Iterator[tuple[int, str]], name: str, text_col: str, label_col: str, suffix: str
) -> Iterator[Example]:
    _, header_line = next(lines)
    delimiter = "\t" if suffix == ".tsv" else _delimiter(header_line)
    reader = csv.reader(_chain(header_line, (line for _, line in lines)), delimiter=delimiter)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise DatasetError(f"{name} line 1: {exc}") from None
    columns = [c.strip() for c in header]
    missing = [c for c in (text_col, label_col) if c not in columns]
    if missing:
        shown = ", ".join(c for c in columns if c) or "none"
        raise DatasetError(f"{name}: no column {missing[0]!r} (columns: {shown})")
    text_at, label_at = columns.index(text_col), columns.index(label_col)
    ended = reader.line_num
    while True:
        start = ended + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise DatasetError(f"{name} line {start}: {exc}") from None
        ended = reader.line_num
        if not row or all(not cell.strip() for cell in row):
            continue
        where = f"{name} line {start}"
        while len(row) > len(columns) and not row[-1].strip():
            row.pop()  # spreadsheets pad rows with empty cells
        if len(row) != len(columns):
            raise DatasetError(
                f"{where}: {len(row)} fields, the header has {len(columns)} "
                f"(is a quote missing around a text with {delimiter!r} in it?)"
            )
        text = _field(row[text_at], where, text_col, "column", allow_number=False)
        label = _field(row[label_at], where, label_col, "column", allow_number=True)
        yield Example(text, label.strip(), start)


def _delimiter(header_line: str) -> str:
    """The header's separator: the candidate that occurs most outside quotes (comma on ties)."""
    outside = "".join(part for i, part in enumerate(header_line.split('"')) if i % 2 == 0)
    counts = {d: outside.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest
