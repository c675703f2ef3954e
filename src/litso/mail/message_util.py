"""Small helpers over ``email.message.Message`` and raw MIME bytes, shared by ``mime``
and ``parsing``."""

from __future__ import annotations

import email.policy
import io
import re
from collections import Counter
from email.generator import BytesGenerator
from email.message import Message

from litso.mail import headers as h

_HEADER_LINE = re.compile(rb"^[!-9;-~]+:", re.M)
_BAD_FILENAME = re.compile(r'[\x00-\x1f\x7f<>:"|?*]')


def lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def raw_headers(part: Message) -> list[tuple[str, str]]:
    try:
        return [(str(k), str(v)) for k, v in part.raw_items()]
    except Exception:
        return []


def first_header(items: list[tuple[str, str]], name: str) -> str | None:
    for key, value in items:
        if key.lower() == name:
            return value
    return None


def all_headers(items: list[tuple[str, str]], name: str) -> list[str]:
    return [value for key, value in items if key.lower() == name]


def payload_bytes(part: Message) -> bytes:
    # get_payload() would decode 8-bit text with the declared charset and "replace";
    # the raw bytes are needed to repair a wrong label.
    payload = getattr(part, "_payload", None)
    if isinstance(payload, bytes):
        return payload
    if isinstance(payload, str):
        return h.to_bytes(payload)
    return b""


def as_bytes(message: Message) -> bytes:
    try:
        buffer = io.BytesIO()
        policy = email.policy.compat32.clone(linesep="\n")
        BytesGenerator(buffer, mangle_from_=False, policy=policy).flatten(message)
        return buffer.getvalue()
    except Exception:
        try:
            return h.to_bytes(message.as_string(policy=email.policy.compat32))
        except Exception:
            return b""


def safe_filename(name: str) -> str:
    """A file name without directories, control characters or a 300-character tail."""
    name = h.clean_text(name).replace("\\", "/").rsplit("/", 1)[-1]
    name = _BAD_FILENAME.sub("_", h.normalise_space(name)).lstrip(".").strip()
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:190] + dot + ext[:9]) if dot and len(ext) < 10 else name[:200]
    return name


def looks_binary(raw: bytes) -> bool:
    head = raw[:2048]
    if b"\x00" in head:
        return True
    text_bytes = sum(1 for b in head if b in (9, 10, 13) or 32 <= b < 127 or b >= 0x80)
    return text_bytes < len(head) * 0.85


def guess_boundary(data: bytes) -> str | None:
    lines = data.replace(b"\r\n", b"\n").split(b"\n")
    counts: Counter[bytes] = Counter()
    for index, line in enumerate(lines[:-1]):
        if line.startswith(b"--") and len(line) > 4 and _HEADER_LINE.match(lines[index + 1]):
            counts[line[2:].rstrip()] += 1
    if not counts:
        return None
    boundary, seen = counts.most_common(1)[0]
    opening = next((line.rstrip() for line in lines if line.strip()), b"")
    closed = any(line.rstrip() == b"--" + boundary + b"--" for line in lines)
    # One delimiter could be a stray "--" line in text; accept it only where a MIME body
    # would put it: first, or closed properly.
    if seen < 2 and not closed and opening != b"--" + boundary:
        return None
    try:
        return boundary.decode("ascii")
    except UnicodeDecodeError:
        return None


def field_groups(text: str) -> list[dict[str, str]]:
    groups: list[dict[str, str]] = []
    current: dict[str, str] = {}
    last = ""
    for line in text.split("\n"):
        if not line.strip():
            if current:
                groups.append(current)
            current, last = {}, ""
        elif line[0] in " \t" and last:
            current[last] = h.normalise_space(current[last] + " " + line)
        elif ":" in line:
            key, _, value = line.partition(":")
            last = key.strip().lower()
            current.setdefault(last, h.normalise_space(value))
    if current:
        groups.append(current)
    return groups
