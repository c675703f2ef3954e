"""Word lists of the abuse detector, written for Litso (not copied from any published list).

Each language module defines a `Lexicon`. A word `Entry` is a regular expression that must
match one whole normalised word (see `litso.triage.abuse_text`): write roots with their
prefixes and endings, e.g. ``r"(?:на|по|)ху[йяеию]\\w*"``. Russian patterns are Cyrillic
with "ё" written as "е"; Polish and English patterns are Latin without diacritics ("gowno"
matches "gówno"). A phrase `Entry` runs over the whole normalised text, word boundaries
implied at both ends. ``exclude`` names innocent words a word pattern would otherwise catch
("страхуй", "shiitake"). ``mask_targets`` are the whole words a masked spelling ("f*ck",
"k***a") is compared with.

Kinds: "profanity" (obscene or vulgar words), "insult", "slur" (hate words for a group),
"threat:legal" (court, lawyer, a regulator), "threat:leave" (cancelling, going to a
competitor). Weights are the evidence one hit gives that the message is abusive; see
`litso.triage.abuse` for how they combine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class Entry(NamedTuple):
    kind: str
    key: str
    weight: float
    pattern: str


@dataclass(frozen=True)
class Lexicon:
    language: str
    words: tuple[Entry, ...]
    phrases: tuple[Entry, ...] = ()
    exclude: tuple[str, ...] = ()
    mask_targets: tuple[str, ...] = ()


def entries(kind: str, weight: float, table: dict[str, str]) -> tuple[Entry, ...]:
    """{key: pattern} → entries of one kind and weight."""
    return tuple(Entry(kind, key, weight, pattern) for key, pattern in table.items())
