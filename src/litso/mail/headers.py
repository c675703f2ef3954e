"""Header decoding: RFC 2047 words (well-formed or not), raw 8-bit bytes, addresses,
message ids, dates and MIME parameters (RFC 2231).

Values arrive as the ``email`` package stores them when parsing bytes: ASCII with raw
8-bit bytes smuggled in as surrogate escapes. We decode them ourselves because the
stdlib header classes either give up on broken input or guess with latin-1.
"""

from __future__ import annotations

import base64
import binascii
import email.utils
import re
from datetime import UTC, datetime
from urllib.parse import unquote_to_bytes

from litso.mail.charsets import decode_bytes

_FOLD = re.compile(r"\r?\n(?=[ \t])")
_ENCODED_WORD = re.compile(r"=\?([^?\s*]+)(?:\*[^?\s]*)?\?([bBqQ])\?([^?]*)(?:\?=|$)")
_SPACE_RUN = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_MSGID = re.compile(r"<([^<>\s]+)>")
_EMAIL = re.compile(r"[\w.+'=-]+@[\w-]+(?:\.[\w-]+)+")
_NAME_WITH_AT = re.compile(r'(^|,)\s*([^,<>"]*@[^,<>"]*?)\s*<')
_RFC2231_KEY = re.compile(r"^([^*]+)\*(?:(\d+)(\*?))?$")

# The address shapes nearly all mail carries ("a@b.c", "Name <a@b.c>", '"Name" <a@b.c>', and
# lists of them), in the grammar of email._parseaddr: its atoms end at its specials and at
# space and tab, a phrase word may hold dots, a quoted string ends at '"' or CR. The stdlib
# parser walks a header a character at a time in Python; this is one regex match per address.
# Whatever does not match (comments, groups, backslashes, line breaks, domain literals,
# whitespace inside an address, unbalanced quotes or brackets, empty list items) goes to the
# stdlib. Possessive quantifiers: a failed match must not backtrack through a long phrase.
# No whitespace at all in an address: the stdlib drops a local-part atom that str.strip()
# empties (say, a lone no-break space).
_ATOM = r'[^()<>@,:;."\[\]\\\s]++'
_WORD = r'(?:[^()<>@,:;"\[\]\\ \t\r\n]++|"[^"\\\r\n]*+")'
_ADDR_SPEC = rf"{_ATOM}(?:\.{_ATOM})*+@{_ATOM}(?:\.{_ATOM})*+"
_SIMPLE_ADDRESS = re.compile(
    rf"[ \t]*+(?:(?P<bare>{_ADDR_SPEC})|(?P<phrase>(?:{_WORD}[ \t]*+)*+)<(?P<route>{_ADDR_SPEC})>)"
    r"[ \t]*+(?:,|\Z)"
)
_PHRASE_WORD = re.compile(r'"([^"\\\r\n]*)"|([^()<>@,:;"\[\]\\ \t\r\n]+)')
_LWS_RUN = re.compile(r"[ \t]+")
_PARAM_SPECIAL = re.compile(r'([";\\])')


def unfold(value: str) -> str:
    if "\n" not in value and "\r" not in value:  # most values: three scans saved
        return value
    return _FOLD.sub("", value).replace("\r", " ").replace("\n", " ")


def to_bytes(value: str) -> bytes:
    """Recover the original bytes of a header value parsed from bytes."""
    return value.encode("utf-8", "surrogateescape")


def clean_text(value: str) -> str:
    """No NUL or other control characters, no lone surrogates: the database refuses them."""
    if value.isprintable():  # control characters and surrogates are not printable
        return value
    return _SURROGATE.sub("\ufffd", _CONTROL.sub("", value))


def _decode_raw(value: str, hint: str | None) -> str:
    if not _SURROGATE.search(value):
        return value
    return decode_bytes(to_bytes(value), None, hint=hint).text


def _word_bytes(encoding: str, text: str) -> bytes:
    if encoding in "bB":
        data = re.sub(r"[^A-Za-z0-9+/]", "", text)
        data = data[: len(data) - (len(data) % 4 == 1)]
        data += "=" * (-len(data) % 4)
        try:
            return base64.b64decode(data)
        except (binascii.Error, ValueError):
            return b""
    return binascii.a2b_qp(to_bytes(text.replace("_", " ")), header=False)


def decode_header_text(value: str, hint: str | None = None) -> str:
    """Decode a header's text: encoded words, raw 8-bit bytes, folding; not whitespace."""
    if "=?" not in value and value.isprintable():
        # No encoded word, line break, control character or raw byte (a surrogate):
        # _decode_header_text would return it as it is. Most names, addresses and parameters.
        return value
    return _decode_header_text(value, hint)


def _decode_header_text(value: str, hint: str | None) -> str:
    value = unfold(value)
    out: list[str] = []
    pending: list[bytes] = []
    pending_charset: str | None = None
    pos = 0

    def flush() -> None:
        nonlocal pending, pending_charset
        if pending:
            out.append(decode_bytes(b"".join(pending), pending_charset, hint=hint).text)
        pending = []
        pending_charset = None

    for match in _ENCODED_WORD.finditer(value):
        between = value[pos : match.start()]
        # RFC 2047: whitespace between adjacent encoded words is not part of the text.
        if between and not (pending and between.isspace()):
            flush()
            out.append(_decode_raw(between, hint))
        charset = match.group(1)
        if pending and charset.lower() != (pending_charset or "").lower():
            flush()
        # Words of one charset are joined as bytes first: senders split multibyte
        # characters across words.
        pending.append(_word_bytes(match.group(2), match.group(3)))
        pending_charset = charset
        pos = match.end()
    flush()
    out.append(_decode_raw(value[pos:], hint))
    return clean_text("".join(out))


def normalise_space(value: str) -> str:
    # Of the characters \s matches only the ASCII space is printable: a printable value
    # without a double space has no run to squeeze.
    if value.isprintable() and "  " not in value:
        return value.strip()
    return _SPACE_RUN.sub(" ", value).strip()


def _simple_addresses(field: str) -> list[tuple[str, str]] | None:
    """``email.utils.getaddresses([field])`` when every address in it has a simple shape
    (see _SIMPLE_ADDRESS), else None; tests/mail/test_headers.py compares the two."""
    pairs: list[tuple[str, str]] = []
    pos, end = 0, len(field)
    while pos < end:
        match = _SIMPLE_ADDRESS.match(field, pos)
        if match is None:
            return None
        bare = match.group("bare")
        if bare is not None:
            pairs.append(("", bare))
        else:
            phrase = match.group("phrase")
            if '"' in phrase:
                # Quoted words lose their quotes; words, quoted or not, are joined by a space.
                words = [
                    word.group(1) if word.group(1) is not None else word.group(2)
                    for word in _PHRASE_WORD.finditer(phrase)
                ]
                name = " ".join(words)
            else:
                name = _LWS_RUN.sub(" ", phrase).strip(" ")
            pairs.append((name, match.group("route")))
        pos = match.end()
    return pairs


def parse_addresses(values: list[str], hint: str | None = None) -> tuple[tuple[str, str], ...]:
    """(name, address) pairs from one or more address headers."""
    prepared = []
    for value in values:
        unfolded = unfold(value)
        # "alice@example.com <bob@example.com>": quote the name or it becomes an address.
        prepared.append(
            _NAME_WITH_AT.sub(lambda m: f'{m.group(1)} "{m.group(2).strip()}" <', unfolded)
        )
    pairs = _simple_addresses(", ".join(prepared))  # how getaddresses joins them
    if pairs is None:
        try:
            pairs = email.utils.getaddresses(prepared)
        except Exception:  # the stdlib parser has crashed on hostile input before
            pairs = []
    result: list[tuple[str, str]] = []
    carry = ""
    for name, addr in pairs:
        name = normalise_space(decode_header_text(name, hint)).strip("\"' ")
        addr = normalise_space(decode_header_text(addr, hint)).strip("<> ")
        if not addr and not name:
            continue
        if "@" not in addr:
            # "Ivanov, Ivan <i@x.ru>" unquoted splits at the comma; keep the piece.
            carry = f"{carry}, {addr or name}".strip(", ") if addr or name else carry
            continue
        if carry:
            name = f"{carry}, {name}".strip(", ")
            carry = ""
        result.append((name, addr))
    if not result:
        for value in values:
            for found in _EMAIL.findall(decode_header_text(value, hint)):
                result.append(("", found))
    return tuple(result)


def parse_msgid(value: str | None) -> str | None:
    ids = parse_msgid_list(value)
    return ids[0] if ids else None


def parse_msgid_list(value: str | None) -> tuple[str, ...]:
    """Message ids in their ``<id@host>`` form, whatever brackets the sender used."""
    if not value:
        return ()
    text = unfold(clean_text(value))
    found = _MSGID.findall(text)
    if not found:
        found = [token.strip("<>,;") for token in text.split() if "@" in token]
    seen: list[str] = []
    for item in found:
        item = item.strip()
        if item and f"<{item}>" not in seen:
            seen.append(f"<{item}>")
    return tuple(seen)


def parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    text = normalise_space(clean_text(unfold(value)))
    parsed: datetime | None = None
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        parsed = None
    if parsed is None:
        for candidate in (text, text.replace(" ", "T", 1)):
            try:
                parsed = datetime.fromisoformat(candidate.replace("Z", "+00:00"))
                break
            except ValueError:
                continue
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if not 1900 <= parsed.year <= 2200:
        return None
    return parsed


def _split_params(value: str) -> list[str]:
    """Split at semicolons outside quoted strings (a backslash escapes inside them)."""
    if '"' not in value:
        return value.split(";")  # nothing is quoted, so nothing is escaped either
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    escaped = False
    # Runs of ordinary characters are taken whole; only the three specials change the state.
    for run in _PARAM_SPECIAL.split(value):
        if not run:
            continue  # split's empty run between two adjacent specials
        if escaped:
            # The escaped character is the run's first; the rest of a run is ordinary.
            current.append(run)
            escaped = False
        elif run == "\\":
            current.append(run)
            escaped = quoted
        elif run == '"':
            quoted = not quoted
            current.append(run)
        elif run == ";" and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(run)
    parts.append("".join(current))
    return parts


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    if value.startswith('"'):
        return value[1:]
    return value


def parse_params(value: str | None, hint: str | None = None) -> tuple[str, dict[str, str]]:
    """``("text/plain", {"charset": "utf-8"})`` from a Content-Type-like header.

    Handles RFC 2231 continuations and charsets, encoded words inside quoted values
    (forbidden, but Outlook and others do it) and raw 8-bit file names.
    """
    if not value:
        return "", {}
    pieces = _split_params(unfold(value))
    main = normalise_space(pieces[0]).lower().strip("\"'")
    plain: dict[str, str] = {}
    sections: dict[str, dict[int, tuple[str, bool]]] = {}
    for piece in pieces[1:]:
        if "=" not in piece:
            continue
        key, _, raw = piece.partition("=")
        key = key.strip().lower()
        if not key:
            continue
        match = _RFC2231_KEY.match(key)
        if match:
            name = match.group(1)
            index = int(match.group(2)) if match.group(2) else 0
            encoded = bool(match.group(3)) or match.group(2) is None
            sections.setdefault(name, {})[index] = (_unquote(raw), encoded)
        elif key not in plain:
            plain[key] = _unquote(raw)
    params = {key: decode_header_text(val, hint).strip() for key, val in plain.items()}
    for name, parts in sections.items():
        decoded = _join_rfc2231([parts[i] for i in sorted(parts)], hint)
        if decoded:
            params[name] = decoded
    return main, params


def _join_rfc2231(parts: list[tuple[str, bool]], hint: str | None) -> str:
    charset: str | None = None
    chunks: list[bytes] = []
    for index, (text, encoded) in enumerate(parts):
        if encoded and index == 0 and text.count("'") >= 2:
            charset, _, rest = text.split("'", 2)
            text = rest
        if encoded:
            chunks.append(unquote_to_bytes(to_bytes(text)))
        else:
            chunks.append(to_bytes(text))
    data = b"".join(chunks)
    if charset is None and data.isascii():
        return decode_header_text(data.decode("ascii"), hint).strip()
    return clean_text(decode_bytes(data, charset or None, hint=hint).text).strip()
