"""Highlighted excerpts of a hit: HTML-escaped text with the query's matches in <mark>.

Matches are found in the folded text (folding.py) the way the index matches them: a
shortened word matches words that start with it, an exact word or a phrase matches whole
words. Both databases may match a little more than this finds (PostgreSQL's unaccent folds
"ß" to "ss", for one); such a hit simply gets an excerpt without marks.
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from litso.search.folding import fold_with_offsets
from litso.search.query import Query, Term

# Characters of context in an excerpt, and of a message read to find one.
WIDTH = 200
BEFORE = 60
SOURCE_CHARS = 20_000

_LETTER = r"[^\W_]"
_WHITESPACE = re.compile(r"\s+")


def _term_pattern(term: Term) -> str:
    body = r"[\W_]+".join(re.escape(w) for w in term.words)
    tail = f"{_LETTER}*" if term.prefix else f"(?!{_LETTER})"
    return f"(?<!{_LETTER}){body}{tail}"


def matcher(query: Query) -> re.Pattern[str] | None:
    """A pattern over folded text that finds what any of the query's terms matches."""
    # Longest first, so a phrase wins over one of its words.
    terms = sorted(query.terms, key=lambda t: -sum(len(w) + 1 for w in t.words))
    if not terms:
        return None
    return re.compile("|".join(_term_pattern(t) for t in terms))


def term_matchers(query: Query) -> list[re.Pattern[str]]:
    """One pattern over folded text per term of the query."""
    return [re.compile(_term_pattern(t)) for t in query.terms]


def _spans(text: str, pattern: re.Pattern[str] | None) -> list[tuple[int, int]]:
    if pattern is None or not text:
        return []
    folded, origin = fold_with_offsets(text)
    spans = []
    for match in pattern.finditer(folded):
        start, end = match.span()
        if start == end:
            continue
        if origin is not None:
            start, end = origin[start], origin[end - 1] + 1
        spans.append((start, end))
    return spans


def _marked(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    out: list[str] = []
    at = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(escape(text[at:s]))
        out.append(f"<mark>{escape(text[s:e])}</mark>")
        at = e
    out.append(escape(text[at:end]))
    return "".join(out)


def highlight(text: str, pattern: re.Pattern[str] | None) -> SafeString:
    """All of ``text`` (a subject), escaped, matches marked."""
    return mark_safe(_marked(text, _spans(text, pattern), 0, len(text)))  # noqa: S308


def excerpt(text: str, pattern: re.Pattern[str] | None, width: int = WIDTH) -> SafeString:
    """About ``width`` characters of ``text`` around its first match (its start if none),
    whitespace collapsed, escaped, matches marked, "…" where it was cut."""
    text = _WHITESPACE.sub(" ", text).strip()
    spans = _spans(text, pattern)
    start = max(0, spans[0][0] - BEFORE) if spans else 0
    if start:
        # Begin at a word, not inside one.
        space = text.find(" ", start, spans[0][0])
        start = space + 1 if space != -1 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start + width // 2, end)
        end = space if space != -1 else end
    html = _marked(text, spans, start, end)
    return mark_safe(("…" if start else "") + html + ("…" if end < len(text) else ""))  # noqa: S308
