"""Turn bytes of unknown or untrustworthy charset into text.

Mail clients lie about charsets all the time: Cyrillic windows-1251 labelled iso-8859-1,
UTF-8 labelled us-ascii, KOI8-R labelled windows-1251, or no label at all. The label is a
hint; the bytes decide when the hint is clearly wrong.
"""

from __future__ import annotations

import codecs
import functools
import re
from dataclasses import dataclass

import numpy as np

# Names seen in the wild that codecs.lookup() rejects or maps to something too narrow.
_ALIASES = {
    "utf8": "utf-8",
    "utf-8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    "cp-1251": "cp1251",
    "win-1251": "cp1251",
    "windows1251": "cp1251",
    "x-cp1251": "cp1251",
    "cp-1250": "cp1250",
    "win-1250": "cp1250",
    "cp-1252": "cp1252",
    # gb18030 is a strict superset of gb2312 and gbk; senders often label GBK text gb2312.
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "euc-cn": "gb18030",
    "cp936": "gb18030",
    "ks_c_5601-1987": "cp949",
    "iso-8859-8-i": "iso-8859-8",
    "x-mac-cyrillic": "mac-cyrillic",
    # WHATWG rule: latin-1 and ascii labels mean windows-1252, which only adds printable
    # characters where latin-1 has C1 controls.
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "ansi_x3.4-1968": "cp1252",
}
# Labels that carry no information at all.
_UNKNOWN = {"", "x-unknown", "unknown", "unknown-8bit", "x-user-defined", "default", "none"}
_LATIN1_LIKE = {"cp1252", "iso8859-1", "ascii"}
_CYRILLIC = ("cp1251", "koi8-r", "koi8-u", "iso8859-5", "cp866", "mac-cyrillic")
# Encodings whose bytes may all be ASCII yet still need the codec (stateful 7-bit ones,
# and the UTF-16/32 family whose NUL bytes are ASCII too).
_NEEDS_CODEC = {
    "utf-7",
    "iso2022_jp",
    "iso2022_jp_1",
    "iso2022_jp_2",
    "iso2022_kr",
    "hz",
    "utf-16",
    "utf-16-le",
    "utf-16-be",
    "utf-32",
    "utf-32-le",
    "utf-32-be",
}

# Relative frequency (per mille) of Russian lower-case letters: a correct decoding of
# Russian text scores high, a KOI8-R/windows-1251 mix-up yields rare letters and
# capitals inside words.
_RU_FREQ = {
    "о": 110,
    "е": 85,
    "а": 80,
    "и": 74,
    "н": 67,
    "т": 63,
    "с": 55,
    "р": 47,
    "в": 45,
    "л": 44,
    "к": 35,
    "м": 32,
    "д": 30,
    "п": 28,
    "у": 26,
    "я": 20,
    "ы": 19,
    "ь": 17,
    "г": 17,
    "з": 16,
    "б": 16,
    "ч": 14,
    "й": 12,
    "х": 10,
    "ж": 9,
    "ш": 7,
    "ю": 6,
    "ц": 5,
    "щ": 4,
    "э": 3,
    "ф": 3,
    "ъ": 1,
    "ё": 1,
    "і": 8,
    "ї": 3,
    "є": 3,
    "ґ": 1,
}
_POLISH = set("ąćęłńśźżĄĆĘŁŃŚŹŻ")  # ó is latin-1 too, so it proves nothing
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    charset: str
    note: str | None = None  # set when the label was overridden or missing


def normalise_label(label: str | None) -> str | None:
    """The codec name for a charset label, or None when the label is useless."""
    if label is None:
        return None
    name = label.strip().strip("\"'").strip().lower()
    if name in _UNKNOWN:
        return None
    name = _ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except (LookupError, ValueError):
        pass
    # "windows-1251 " with odd punctuation, "utf_8", "cp 1251".
    squeezed = re.sub(r"[^a-z0-9]", "", name)
    for candidate in (squeezed, _ALIASES.get(squeezed, "")):
        if not candidate:
            continue
        try:
            return codecs.lookup(candidate).name
        except (LookupError, ValueError):
            continue
    return None


def html_meta_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii") if match else None


def _is_ascii(data: bytes) -> bool:
    return data.isascii()


def _try(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _cp1252(data: bytes) -> str:
    # cp1252 leaves five bytes undefined; map those the latin-1 way instead of failing.
    text = _try(data, "cp1252")
    if text is not None:
        return text
    return "".join(
        chr(b) if b in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else bytes([b]).decode("cp1252") for b in data
    )


# Deciding between Cyrillic readings scores the same text up to five times (each candidate,
# then the winner and the labelled reading again); a score is a pure function of the text.
@functools.lru_cache(maxsize=8)
def cyrillic_score(text: str) -> float:
    """Average plausibility per non-ASCII character of text read as Russian."""
    if len(text) >= _SHORT_TEXT:
        for codec, cases, values in _CASE_TABLES:
            try:
                data = text.encode(codec)
            except UnicodeEncodeError:
                continue
            if len(data) == len(text):  # one byte per character
                return _score_bytes(data, cases, values)
    return _score_characters(text)


def _score_characters(text: str) -> float:
    # The definition of the score; _score_classes computes the same on bytes.
    score = 0.0
    count = 0
    prev_letter = False
    for ch in text:
        if ch.isascii():
            prev_letter = ch.isalpha()
            continue
        count += 1
        low = ch.lower()
        if low in _RU_FREQ:
            if ch == low:
                score += _RU_FREQ[low] / 20
            # A capital right after a letter is what a KOI8-R/cp1251 mix-up produces.
            score += -3.0 if (ch != low and prev_letter) else 0.0
            prev_letter = True
        else:
            score -= 2.0
            prev_letter = ch.isalpha()
    return score / count if count else 0.0


# Scoring long texts a character at a time in Python was most of the cost of decoding Cyrillic
# mail. Text that a single-byte Cyrillic codec encodes (every reading _best_cyrillic makes) is
# scored on its bytes with numpy instead: each byte becomes the value of its character's case
# in the loop above, a capital after a letter costs 3, and the values are added left to right
# by np.add.accumulate, which is the loop's own sequence of float additions (np.sum would add
# pairwise and round differently). Adding the 0.0 of ASCII and of free capitals changes
# nothing: no partial sum is ever -0.0.
_ASCII, _ASCII_LETTER, _CAPITAL, _OTHER, _OTHER_LETTER, _LOWER = range(6)
_IS_LETTER = np.array([False, True, True, False, True, True])
_IS_WIDE = np.array([False, False, True, True, True, True])
# Below this length the loop is faster than numpy's setup.
_SHORT_TEXT = 96


def _case_of(ch: str) -> tuple[int, float]:
    # The loop's cases in _score_characters, and what each adds (a capital: see _score_bytes).
    if ch.isascii():
        return (_ASCII_LETTER if ch.isalpha() else _ASCII), 0.0
    low = ch.lower()
    if low in _RU_FREQ:
        return (_LOWER, _RU_FREQ[low] / 20) if ch == low else (_CAPITAL, 0.0)
    return (_OTHER_LETTER if ch.isalpha() else _OTHER), -2.0


def _case_tables(codec: str) -> tuple[np.ndarray, np.ndarray]:
    cases = np.zeros(256, dtype=np.uint8)
    values = np.zeros(256, dtype=np.float64)
    for byte in range(256):
        try:
            ch = bytes([byte]).decode(codec)
        except UnicodeDecodeError:
            continue  # undefined: no character encodes to it
        cases[byte], values[byte] = _case_of(ch)
    return cases, values


_CASE_TABLES = tuple((codec, *_case_tables(codec)) for codec in ("cp1251", "koi8-r"))


def _score_bytes(data: bytes, case_table: np.ndarray, value_table: np.ndarray) -> float:
    codes = np.frombuffer(data, dtype=np.uint8)
    cases = case_table[codes]
    values = value_table[codes]
    # A capital right after a letter (the text's first character follows nothing).
    values[1:][(cases[1:] == _CAPITAL) & _IS_LETTER[cases[:-1]]] = -3.0
    count = int(np.count_nonzero(_IS_WIDE[cases]))
    return float(np.add.accumulate(values)[-1]) / count if count else 0.0


def _adjacent_high_ratio(data: bytes) -> float:
    """Share of high bytes next to another high byte: Cyrillic and CJK text is made of
    runs of them, Western European text has isolated accented letters."""
    high = 0
    adjacent = 0
    for i, b in enumerate(data):
        if b < 0x80:
            continue
        high += 1
        if (i > 0 and data[i - 1] >= 0x80) or (i + 1 < len(data) and data[i + 1] >= 0x80):
            adjacent += 1
    return adjacent / high if high else 0.0


def _polish_ratio(text: str) -> float:
    wide = [ch for ch in text if not ch.isascii()]
    return sum(1 for ch in wide if ch in _POLISH) / len(wide) if wide else 0.0


def _cjk_ratio(text: str) -> float:
    wide = [ch for ch in text if not ch.isascii()]
    if not wide:
        return 0.0
    cjk = sum(1 for ch in wide if "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef")
    return cjk / len(wide)


def _mostly_utf8(data: bytes) -> bool:
    """UTF-8 with a truncated character or a stray byte: other charsets almost never
    produce several valid multibyte sequences by accident."""
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if not ch.isascii()) - bad
    return good >= 3 and good >= 8 * bad


def _best_cyrillic(data: bytes, candidates: tuple[str, ...] = ("cp1251", "koi8-r")) -> Decoded:
    best: tuple[float, str, str] | None = None
    for codec in candidates:
        text = _try(data, codec)
        if text is None:
            continue
        score = cyrillic_score(text)
        if best is None or score > best[0]:
            best = (score, codec, text)
    if best is None:
        return Decoded(_cp1252(data), "cp1252")
    return Decoded(best[2], best[1])


def guess(data: bytes) -> Decoded:
    """Decode bytes that carry no usable label."""
    if _is_ascii(data):
        return Decoded(data.decode("ascii"), "ascii")
    text = _try(data, "utf-8-sig")
    if text is not None:
        return Decoded(text, "utf-8")
    if _mostly_utf8(data):
        return Decoded(data.decode("utf-8", "replace"), "utf-8")
    if _adjacent_high_ratio(data) > 0.6:
        gb = _try(data, "gb18030")
        if gb is not None and _cjk_ratio(gb) > 0.6:
            cyr = _best_cyrillic(data)
            if cyrillic_score(cyr.text) < 2.0:
                return Decoded(gb, "gb18030")
        cyr = _best_cyrillic(data)
        if cyrillic_score(cyr.text) > 0.5:
            return cyr
    # Latin script: Polish only when Polish-only letters dominate the high bytes,
    # otherwise windows-1252 (a superset of latin-1) is the safest reading.
    best_ratio, best = 0.0, Decoded(_cp1252(data), "cp1252")
    for codec in ("iso8859-2", "cp1250"):
        candidate = _try(data, codec)
        if candidate is None:
            continue
        ratio = _polish_ratio(candidate)
        if ratio > best_ratio + 0.01:
            best_ratio, best = ratio, Decoded(candidate, codec)
    return best if best_ratio >= 0.3 else Decoded(_cp1252(data), "cp1252")


def decode_bytes(data: bytes, label: str | None, *, hint: str | None = None) -> Decoded:
    """Decode ``data`` labelled ``label``; ``hint`` is a weaker label (say, the body's
    charset for an unencoded 8-bit header) tried after UTF-8 when ``label`` is useless."""
    codec = normalise_label(label)
    if not data:
        return Decoded("", codec or "ascii")
    if _is_ascii(data) and codec not in _NEEDS_CODEC:
        return Decoded(data.decode("ascii"), codec or "ascii")
    if codec is None:
        hinted = normalise_label(hint)
        if hinted is not None and hinted not in _LATIN1_LIKE:
            text = _try(data, "utf-8")
            if text is not None:
                return Decoded(text, "utf-8")
            found = decode_bytes(data, hinted)
            if found.note is None:
                return Decoded(found.text, found.charset, f"no charset; used {found.charset}")
        found = guess(data)
        note = None if found.charset in ("ascii",) else f"no charset; guessed {found.charset}"
        return Decoded(found.text, found.charset, note)
    if codec == "utf-8":
        text = _try(data, "utf-8-sig")
        if text is not None:
            return Decoded(text, "utf-8")
        found = guess(data)
        if found.charset != "utf-8" and _plausible(found):
            return Decoded(found.text, found.charset, f"labelled utf-8, decoded as {found.charset}")
        return Decoded(data.decode("utf-8", "replace"), "utf-8", "invalid utf-8 replaced")
    if codec in _LATIN1_LIKE:
        text = _try(data, "utf-8")
        if text is not None:
            return Decoded(text, "utf-8", f"labelled {label}, bytes are utf-8")
        if _adjacent_high_ratio(data) > 0.6:
            found = guess(data)
            if found.charset not in ("cp1252",) and _plausible(found):
                return Decoded(
                    found.text, found.charset, f"labelled {label}, bytes look like {found.charset}"
                )
        return Decoded(_cp1252(data), "cp1252")
    if codec in _CYRILLIC:
        text = _try(data, "utf-8")
        if text is not None:
            return Decoded(text, "utf-8", f"labelled {label}, bytes are utf-8")
        labelled = _try(data, codec)
        best = _best_cyrillic(data, ("cp1251", "koi8-r", codec))
        if labelled is None or (
            best.charset != codec and cyrillic_score(best.text) > cyrillic_score(labelled) + 1.5
        ):
            return Decoded(
                best.text, best.charset, f"labelled {label}, bytes look like {best.charset}"
            )
        return Decoded(labelled, codec)
    text = _try(data, codec)
    if text is not None:
        return Decoded(text, codec)
    text = _try(data, "utf-8")
    if text is not None:
        return Decoded(text, "utf-8", f"labelled {label}, bytes are utf-8")
    return Decoded(data.decode(codec, "replace"), codec, f"invalid {codec} replaced")


def _plausible(found: Decoded) -> bool:
    if found.charset in ("cp1251", "koi8-r"):
        return cyrillic_score(found.text) > 0.5
    if found.charset == "gb18030":
        return _cjk_ratio(found.text) > 0.6
    return found.charset in ("iso8859-2", "cp1250")
