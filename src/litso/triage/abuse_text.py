"""Text views for the abuse detector: undo the tricks people use to slip words past filters.

``views(text)`` returns a `Views`:

* ``primary`` — one normalised form per word, in order, separated by single spaces. Phrase
  patterns ("подам в суд", "take you to court") run on it.
* ``tokens`` — every form of every word: ``primary``'s, the other readings, the joined
  pieces, and all of them again with repeated letters collapsed ("fuuuck" → "fuck",
  "бляяя" → "бля"). Word patterns must match one of them whole.
* ``masked`` — words with mask characters inside ("f*ck", "бл*ть", "k***a"), as regular
  expressions in which each run of masks stands for one to a few letters.

Normalisation: NFKC, lower case, "ё" → "е", invisible characters and stress marks dropped.
A word written in Cyrillic gets its Latin look-alikes and digits read as Cyrillic ("xуй",
"eбaть", "бл9", "пиzдец"); a Latin word gets Cyrillic look-alikes, digits and symbols read as
Latin ("fuсk" with a Cyrillic "с", "sh1t", "a$$", "@ss") and its diacritics folded, so Polish
patterns are written without them ("gowno" matches "gówno" and "gowno"). A Latin word made
only of letters that look Cyrillic ("cyka") also gets a Cyrillic reading. Letters split by
separators inside one chunk ("f.u.c.k", "b-i-t-c-h") or spaced out over three or more chunks
("х у й") are also joined. Digits count as letters only where letters outnumber them:
"sh1t" is a word, "A55" and "S21" are model numbers.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Invisible characters and stress marks that sit inside words without changing them.
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff\u0301\u0300]")

_CYRILLIC = re.compile(r"[а-яіїєґ]")
_LATIN = re.compile(r"[a-z\u00c0-\u024f]")
_MASK = re.compile(r"[*#%]+")
# A chunk's words: letters, digits and the symbols that stand for letters; "!" and "|" only
# between them ("sh!t"), never the trailing "!!!".
_WORD = re.compile(r"[\w@$*#%]+(?:[!|]+[\w@$*#%]+)*")
_JOINABLE = re.compile(r"[^\w@$*#%!|]+")
_BANGS = re.compile(r"[!|]+")
_APOSTROPHE = re.compile(r"\w['’`]\w")
# Punctuation around a word that never stands for a letter.
_EDGE = ".,?!;:()[]{}<>\"'«»„“”‚‘’…-–—/\\~^`"
_SINGLE = re.compile(r"^\W*(\w)\W*$")

# Visual look-alikes first (what someone swapping scripts types), then the phonetic reading
# for letters that have no twin; a second variant reads the ambiguous ones the other way.
_LAT_TO_CYR = str.maketrans(
    {
        "a": "а", "b": "б", "c": "с", "d": "д", "e": "е", "f": "ф", "g": "г", "h": "х",
        "i": "и", "j": "й", "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "р",
        "q": "к", "r": "р", "s": "с", "t": "т", "u": "у", "v": "в", "w": "ш", "x": "х",
        "y": "у", "z": "з", "0": "о", "3": "з", "4": "ч", "6": "б", "9": "я", "@": "а",
        "$": "с",
    }
)  # fmt: skip
_LAT_TO_CYR_VISUAL = str.maketrans({"h": "н", "u": "и", "n": "п", "r": "г", "b": "в"})
_AMBIGUOUS = frozenset("hunrb")
# Latin letters that look Cyrillic: a word made only of these ("cyka") is read as Cyrillic too.
_LOOKS_CYRILLIC = frozenset("aceopxykmt30@")
_CYR_TO_LAT = str.maketrans(
    {
        "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
        "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d",
        "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a",
        "$": "s", "!": "i", "|": "l", "ł": "l", "đ": "d", "ø": "o", "ß": "ss",
    }
)  # fmt: skip
_REPEATS = re.compile(r"(\w)\1+")


@dataclass(frozen=True, slots=True)
class Views:
    primary: str
    tokens: frozenset[str]
    masked: tuple[str, ...]


def fold(text: str) -> str:
    """NFKC, lower case, "ё" → "е", invisible characters and stress marks dropped."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    text = text.lower().replace("ё", "е")
    return _INVISIBLE.sub("", text) if _INVISIBLE.search(text) else text


def _strip_accents(word: str) -> str:
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=20_000)
def word_forms(word: str) -> tuple[str, ...]:
    """Readings of one lower-cased word, the main one first; () when it has no letters.

    Cached: words repeat across messages, and this is most of the cost of a view."""
    has_cyr = _CYRILLIC.search(word) is not None
    has_lat = _LATIN.search(word) is not None
    if not (has_cyr or has_lat):
        return ()
    digits = sum(c.isdigit() for c in word)
    # "sh1t" and "бл9" hide letters; "A55" and "S21" are model numbers, not words.
    if digits and digits * 2 > len(word):
        return ()
    forms: list[str] = []
    if has_cyr:
        forms.append(word.translate(_LAT_TO_CYR))
        if has_lat and _AMBIGUOUS.intersection(word):
            forms.append(word.translate(_LAT_TO_CYR_VISUAL).translate(_LAT_TO_CYR))
    if has_lat:
        forms.append(_strip_accents(word.translate(_CYR_TO_LAT)))
        if not has_cyr and len(word) >= 3 and _LOOKS_CYRILLIC.issuperset(word):
            forms.append(word.translate(_LAT_TO_CYR))
    forms.extend([_REPEATS.sub(r"\1", form) for form in forms])
    return tuple(dict.fromkeys(forms))


def views(text: str) -> Views:
    primary: list[str] = []
    tokens: set[str] = set()
    masked: list[str] = []
    singles: list[str] = []
    for chunk in fold(text).split():
        core = chunk.strip(_EDGE)
        if core.isalpha():  # the common case: a plain word, maybe with punctuation around
            forms = word_forms(core)
            if forms:
                primary.append(forms[0])
                tokens.update(forms)
            singles.append(core if len(core) == 1 else "")
            continue
        single = _SINGLE.match(chunk)
        singles.append(single.group(1) if single and not single.group(1).isdigit() else "")
        words = _WORD.findall(chunk)
        for word in words:
            if "!" in word or "|" in word:
                # "sh!t" hides a letter; "хуйней!аминь" lacks a space.
                for part in _BANGS.split(word):
                    _add(part, primary, tokens, masked)
                _add(word, None, tokens, masked)
            else:
                _add(word, primary, tokens, masked)
        # "f.u.c.k", "b-i-t-c-h": short pieces are letters split up; long ones are words,
        # except after an apostrophe, which stands for "ь" or "ъ" in "ot'ebis", "u'ebische".
        if len(words) > 1 and (max(map(len, words)) <= 3 or _APOSTROPHE.search(chunk)):
            _add(_JOINABLE.sub("", chunk).rstrip("!|"), None, tokens, masked)
    _join_spaced_letters(singles, tokens, masked)
    return Views(primary=" ".join(primary), tokens=frozenset(tokens), masked=tuple(masked))


def _add(word: str, primary: list[str] | None, tokens: set[str], masked: list[str]) -> None:
    word = word.lstrip("*#%")
    if _MASK.search(word):
        masked.extend(_mask_patterns(word))
        word = _MASK.sub("", word)
    forms = word_forms(word)
    if forms:
        if primary is not None:
            primary.append(forms[0])
        tokens.update(forms)


def _join_spaced_letters(singles: list[str], tokens: set[str], masked: list[str]) -> None:
    run: list[str] = []
    for letter in [*singles, ""]:
        if letter:
            run.append(letter)
            continue
        if len(run) >= 3:
            _add("".join(run), None, tokens, masked)
        run = []


def _mask_patterns(word: str) -> list[str]:
    """"k***a" → "k\\w{2,4}a": each run of masks stands for about as many letters."""
    pieces = [piece for piece in re.split(r"([*#%]+)", word) if piece]
    letters = "".join(piece for piece in pieces if piece[0] not in "*#%")
    patterns = []
    for form in word_forms(letters):
        if len(form) != len(letters):
            continue
        # Put the masks back into each reading of the visible letters.
        out: list[str] = []
        position = 0
        for piece in pieces:
            if piece[0] in "*#%":
                out.append(rf"\w{{{max(1, len(piece) - 1)},{len(piece) + 1}}}")
            else:
                out.append(re.escape(form[position : position + len(piece)]))
                position += len(piece)
        patterns.append("".join(out))
    return patterns


def shouting(text: str) -> tuple[bool, bool]:
    """(mostly capitals over at least 12 letters, three "!" in a row or five in all)."""
    upper = sum(map(str.isupper, text))
    lower = sum(map(str.islower, text))
    caps = upper >= 12 and upper >= 0.7 * (upper + lower)
    bangs = "!!!" in text or text.count("!") >= 5
    return caps, bangs
