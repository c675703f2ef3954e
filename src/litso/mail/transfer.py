"""Content-Transfer-Encoding decoding that tolerates what real senders produce."""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass

_B64_JUNK = re.compile(rb"[^A-Za-z0-9+/=]")
_B64_WS = re.compile(rb"\s+")
_UU_BEGIN = re.compile(r"^begin(?:-base64)?\s+([0-7]{3,4})\s+(\S.*?)\s*$")


@dataclass(frozen=True, slots=True)
class UUBlock:
    filename: str
    data: bytes
    start: int  # first line index (the "begin" line)
    end: int  # index after the "end" line (or after the last data line)


def decode_base64(payload: bytes) -> tuple[bytes, str | None]:
    """Decode base64 however it was padded or wrapped; the note says what was repaired."""
    compact = _B64_WS.sub(b"", payload)
    note = None
    cleaned = _B64_JUNK.sub(b"", compact)
    if len(cleaned) != len(compact):
        note = "base64 had stray characters"
    out = bytearray()
    # Concatenated encoders leave padding in the middle; decode each padded run alone.
    for match in re.finditer(rb"([^=]+)(=*)", cleaned):
        chunk, pad = match.group(1), match.group(2)
        rest = len(chunk) % 4
        if rest and len(pad) != 4 - rest:
            note = note or "base64 padding repaired"
        if rest == 1:
            chunk = chunk[:-1]  # a lone sextet carries no full byte
        elif rest:
            chunk += b"=" * (4 - rest)
        try:
            out += binascii.a2b_base64(chunk)
        except binascii.Error:
            note = "base64 undecodable, kept what decoded"
    return bytes(out), note


def looks_like_base64(payload: bytes) -> bool:
    compact = _B64_WS.sub(b"", payload)
    if not compact:
        return True
    junk = len(_B64_JUNK.findall(compact))
    return junk <= max(2, len(compact) // 50)


def decode_quoted_printable(payload: bytes) -> bytes:
    # binascii keeps malformed "=XY" sequences literally, which is the forgiving choice.
    return binascii.a2b_qp(payload)


def _uu_line(line: str) -> bytes:
    raw = line.encode("latin-1", "replace")
    try:
        return binascii.a2b_uu(raw)
    except binascii.Error:
        # Trailing garbage or stripped trailing spaces: trust the length byte.
        nbytes = (((raw[0] - 32) & 63) * 4 + 5) // 3 if raw else 0
        try:
            return binascii.a2b_uu(raw[:nbytes])
        except binascii.Error:
            return b""


def find_uu_blocks(lines: list[str]) -> list[UUBlock]:
    """uuencoded files embedded in text: ``begin 644 name`` … ``end``."""
    blocks: list[UUBlock] = []
    i = 0
    while i < len(lines):
        match = _UU_BEGIN.match(lines[i])
        if not match or "begin-base64" in lines[i]:
            i += 1
            continue
        data = bytearray()
        j = i + 1
        good = 0
        while j < len(lines) and lines[j].strip() != "end":
            line = lines[j].rstrip("\r")
            if not line:
                j += 1
                continue
            if line in ("`", " "):  # the zero-length line before "end"
                j += 1
                continue
            chunk = _uu_line(line)
            if not chunk and len(line) > 1:
                break
            good += 1
            data += chunk
            j += 1
        terminated = j < len(lines) and lines[j].strip() == "end"
        if good and (terminated or j >= len(lines)):
            blocks.append(
                UUBlock(match.group(2).strip(), bytes(data), i, j + 1 if terminated else j)
            )
            i = j + 1
        else:
            i += 1
    return blocks


def decode_uu_payload(payload: bytes) -> bytes:
    """A whole part with Content-Transfer-Encoding: x-uuencode."""
    lines = payload.decode("latin-1").replace("\r\n", "\n").split("\n")
    blocks = find_uu_blocks(lines)
    if blocks:
        return blocks[0].data
    return b"".join(_uu_line(line) for line in lines if line.strip())


def decode_transfer(payload: bytes, cte: str) -> tuple[bytes, str | None]:
    """Bytes of a leaf part after undoing its Content-Transfer-Encoding."""
    cte = cte.strip().strip("\"'").lower()
    if cte == "base64":
        if not looks_like_base64(payload):
            return payload, "declared base64 but was not; kept as is"
        return decode_base64(payload)
    if cte in ("quoted-printable", "quoted_printable", "qp"):
        return decode_quoted_printable(payload), None
    if cte in ("x-uuencode", "uuencode", "x-uue", "uue"):
        return decode_uu_payload(payload), None
    if cte in ("", "7bit", "8bit", "binary", "7-bit", "8-bit", "none"):
        return payload, None
    return payload, f"unknown transfer encoding {cte!r}; kept as is"
