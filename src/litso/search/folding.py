"""Folding text the way the search index does: case, Latin diacritics, "ł" and "ё".

The index and the query must fold alike, or "zamowienie" would not find "zamówienie".
SQLite folds with FTS5's ``unicode61 remove_diacritics 2`` tokenizer plus the ``replace()``
calls in the triggers (migrations/0001_initial.py); PostgreSQL with ``search_fold()``
(``lower`` and ``unaccent``). Python folds the words of a query (before shortening them, see
query.py) and the text of snippets. tests/search/test_folding.py checks, character by
character, that folding in Python first changes nothing the database would see.

What is folded:
- case;
- diacritics of Latin letters ("ó" → "o", "ż" → "z"): Polish is often typed without them;
- "ł" → "l" and "ё" → "е": Polish without diacritics writes "l", Russian usually writes "е";
  FTS5 keeps both (they do not decompose), so the SQLite triggers replace them;
- combining marks left over from decomposed input are dropped.
Cyrillic "й" stays a letter of its own, as in FTS5.
"""

from __future__ import annotations

import re
import unicodedata

# Letters FTS5 does not fold by itself; the SQLite triggers spell out a replace() for each
# (upper and lower case), so keep this in step with them.
SPECIAL = {"ł": "l", "ё": "е"}

# Latin letters whose diacritics FTS5 removes: Latin-1 Supplement, Extended-A and -B, and
# Latin Extended Additional (Vietnamese). Other scripts keep their marks.
_LATIN = ((0x00C0, 0x024F), (0x1E00, 0x1EFF))
_COMBINING = (0x0300, 0x036F)
# FTS5's own exceptions in those ranges (measured, see the test): letters built on "æ", "ø",
# "ʒ" or on an already marked letter keep their marks, as does "ẛ" (PostgreSQL's unaccent
# does not know it); the long s is an "s".
_KEEP = frozenset("ǡǣǯǽǿẛ")
_ALSO = {"ſ": "s"}
# The characters whose folding tests/search/test_folding.py checks against both databases.
CHECKED_RANGES = ((0x0020, 0x007E), (0x0080, 0x024F), (0x0300, 0x036F), (0x0400, 0x04FF),
                  (0x1E00, 0x1EFF))  # fmt: skip


def _is_latin(code: int) -> bool:
    return any(low <= code <= high for low, high in _LATIN)


def fold_char(char: str) -> str:
    """One character folded: "" (a dropped mark), one character, or rarely more."""
    out = []
    for c in char.lower():
        c = SPECIAL.get(c, c)
        code = ord(c)
        if _COMBINING[0] <= code <= _COMBINING[1]:
            continue
        if c in _ALSO:
            c = _ALSO[c]
        elif _is_latin(code) and c not in _KEEP:
            c = unicodedata.normalize("NFD", c)[0]
        out.append(c)
    return "".join(out)


# Text without these folds character for character (lower(), then a translate table), which
# keeps offsets: a match in the folded text is the same slice of the original.
_IRREGULAR = re.compile("[\u0300-\u036f\u0130]")
_TABLE = {
    code: fold_char(chr(code))
    for low, high in CHECKED_RANGES
    for code in range(low, high + 1)
    if chr(code) == chr(code).lower() and fold_char(chr(code)) != chr(code)
}


# str.translate looks every character up in _TABLE (about 70 ns each: 3 ms for the ~40 KB of
# subjects a search ranks); a character class finds the few that fold at C speed (0.8 ms).
_FOLDS = {chr(code): folded for code, folded in _TABLE.items()}
_FOLDING = re.compile("[" + re.escape("".join(_FOLDS)) + "]")


def _fold_regular(text: str) -> str:
    """``text.lower().translate(_TABLE)``, faster."""
    return _FOLDING.sub(lambda match: _FOLDS[match.group()], text.lower())


def fold(text: str) -> str:
    return fold_with_offsets(text)[0]


def fold_with_offsets(text: str) -> tuple[str, list[int] | None]:
    """The folded text and, for each of its characters, the index it came from in ``text``
    (None when that is its own index, the usual case)."""
    if _IRREGULAR.search(text) is None:
        return _fold_regular(text), None
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for c in fold_char(char):
            folded.append(c)
            origin.append(index)
    return "".join(folded), origin
