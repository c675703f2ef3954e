"""What a person typed in the search box, parsed: words, "quoted phrases", #numbers, e-mails.

    parse('"dzień dobry" zamówienia #1042 anna@shop.pl')

- Words are ANDed. Each is folded (case, Latin diacritics, "ł", "ё": see folding.py), loses
  one inflectional ending when enough of it remains ("заказа" → "заказ", "zamówienia" →
  "zamowieni", "refunds" → "refund") and matches every word that starts with what is left, so
  "заказ" finds "заказа" and "zamówienie" finds "zamówienia" in a desk that writes Russian,
  Polish and English alike, without knowing which language a message is in. Words of one or
  two letters and numbers match exactly: a prefix that short matches half the dictionary.
- A "quoted phrase" matches those words in that order, exactly (folded, not shortened).
- "#1042" is a ticket number; a query that is only a number ("1042") is one too, and is also
  searched as text (it may be an order number in a message).
- An e-mail address names a customer: the search keeps to that customer's tickets.

Nothing the user types reaches the database's query syntax: only folded letters and digits
do, each quoted by the backend (sqlite.py, postgres.py). Stray quotes, stars, brackets and
operators are separators, so no input raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from litso.search.folding import fold

# More words than this are ignored: each one is a posting list to walk.
MAX_TERMS = 12
# Longer input is cut: nobody types more into a search box; a paste should not cost seconds.
MAX_LENGTH = 500

# Straight quotes, and the ones Russian («…»), Polish („…”) and English (“…”) keyboards and
# phones type: a phrase in any of them.
_PHRASE = re.compile(r'"([^"]*)"|«([^»]*)»|„([^”“"]*)[”“"]|“([^”]*)”')
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_TICKET_NUMBER = re.compile(r"#(\d{1,18})\b")
_LONE_NUMBER = re.compile(r"\s*#?(\d{1,18})\s*")
# A word: letters and digits, as both FTS5's unicode61 tokenizer and PostgreSQL's parser (on
# text folded with search_fold, which turns punctuation into spaces) see one.
_WORD = re.compile(r"[^\W_]+")

# Inflectional endings, folded, longest first; one is removed when at least MIN_STEM letters
# remain. Deliberately blunt: it only has to make a word's forms share a prefix.
MIN_STEM = 4
_ENDINGS_CYRILLIC = tuple(
    sorted(
        (  # noqa: SIM905
            "иями ями ами ого его ому ему ыми ими ией ия ие ий ый ой ая яя ое ее ые ую юю ов ев "
            "ам ям ах ях ом ем ей ых их ть а я о е ы и у ю ь й"
        ).split(),
        key=len,
        reverse=True,
    )
)
_ENDINGS_LATIN = tuple(
    sorted(
        (  # noqa: SIM905
            "ami ach owi ego emu ych ich ymi imi iem ing ow om em ie ia iu ej ed a e i o u y s"
        ).split(),
        key=len,
        reverse=True,
    )
)


@dataclass(frozen=True)
class Term:
    """One thing every hit must contain: a word (``words`` has one) or a phrase (more)."""

    words: tuple[str, ...]
    # True: matches words starting with words[-1] (a shortened word); False: exactly.
    prefix: bool

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1


@dataclass(frozen=True)
class Query:
    text: str
    terms: tuple[Term, ...] = ()
    # "#1042", or the whole query "1042": the ticket to jump to, if the user may see it.
    ticket_number: int | None = None
    emails: tuple[str, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        return not self.terms and self.ticket_number is None and not self.emails


def stem(word: str) -> str:
    """The word without one inflectional ending (``word`` is folded)."""
    endings = _ENDINGS_CYRILLIC if _is_cyrillic(word) else _ENDINGS_LATIN
    for ending in endings:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            return word[: -len(ending)]
    return word


def _is_cyrillic(word: str) -> bool:
    return any("\u0400" <= c <= "\u04ff" for c in word)


def word_term(word: str) -> Term:
    if len(word) < 3 or word.isdigit():
        return Term((word,), prefix=False)
    return Term((stem(word),), prefix=True)


def parse(text: str) -> Query:
    text = (text or "")[:MAX_LENGTH]
    terms: list[Term] = []
    seen: set[Term] = set()

    def add(term: Term) -> None:
        if term not in seen and len(terms) < MAX_TERMS:
            seen.add(term)
            terms.append(term)

    lone = _LONE_NUMBER.fullmatch(text)
    ticket_number = int(lone.group(1)) if lone else None

    def take_phrase(match: re.Match[str]) -> str:
        inside = next(group for group in match.groups() if group is not None)
        words = tuple(_WORD.findall(fold(inside)))
        if len(words) == 1:
            add(word_term(words[0]))
        elif words:
            add(Term(words, prefix=False))
        return " "

    rest = _PHRASE.sub(take_phrase, text)
    emails = tuple(dict.fromkeys(e.lower().strip(".'-") for e in _EMAIL.findall(rest)))
    rest = _EMAIL.sub(" ", rest)
    if lone is None:
        numbers = _TICKET_NUMBER.findall(rest)
        ticket_number = int(numbers[0]) if numbers else None
        rest = _TICKET_NUMBER.sub(" ", rest)
    for word in _WORD.findall(fold(rest)):
        add(word_term(word))
    return Query(text=text, terms=tuple(terms), ticket_number=ticket_number, emails=emails)


def email_phrase(email: str) -> Term:
    """An e-mail address as text: its words in order (for an address no customer has)."""
    return Term(tuple(_WORD.findall(fold(email))), prefix=False)
