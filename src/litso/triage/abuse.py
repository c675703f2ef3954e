"""Abusive, obscene or very angry messages in Russian, Polish and English.

``score_text(text, language=None)`` returns an `AbuseVerdict`: a score in 0..1, whether the
message is flagged, and the reasons as short stable codes with their evidence:

* ``profanity:<lang>:<root>`` — an obscene or vulgar word ("profanity:ru:хуй",
  "profanity:en:fuck"), however it is spelled: inflected, prefixed, with look-alike letters
  from the other script, digits for letters, separators, stretched letters or masks
  (`litso.triage.abuse_text` undoes those);
* ``insult:<lang>:<word>``, ``slur:<lang>:<word>`` — an insult, a hate word for a group;
* ``threat:violence:<lang>:<word>`` ("убью", "I will kill you"), ``threat:legal:<lang>:<word>``
  (court, lawyer, a regulator, the police) and ``threat:leave:<lang>:<word>`` (cancelling,
  going to a competitor);
* ``shouting:caps`` (twelve or more letters, at least 70 % capitals) and
  ``shouting:exclamations`` ("!!!", or five "!" in the message).

Scoring. Each reason carries a weight: the evidence it alone gives that the message is
abusive (set per word in the lexicons: 0.9 for mat and strong profanity, 0.7–0.85 for strong
insults, 0.5–0.6 for coarse but common ones ("козёл", "do dupy", "cock"), 0.3–0.45 for mild
words such as "damn", "stupid", "хрен", "głupi"; 0.7 for a threat of violence, 0.35 for a
legal threat, 0.2 for a threat to leave, 0.35 for capitals, 0.15 for exclamation marks). They
combine as independent evidence, ``score = 1 − Π(1 − weight)``, one term per distinct reason,
and the message is flagged at ``score ≥ 0.5``. So one obscene word or strong insult flags
a message on its own; a mild word, a threat or shouting alone does not — it takes two of
them ("stupid" in capitals: 0.64; threats to sue and to leave together: 0.48, not flagged;
with "!!!" as well: 0.56). The reasons are still reported when the message is not flagged,
so a legal threat can raise priority without calling the customer abusive.

``language`` ("ru", "pl", "en") limits insults, mild words and threats to that language; the
strong words (weight ≥ 0.8) of all three are always checked, since people swear across
languages. None checks everything.

``guidance(verdict, language)`` is the short note shown to the agent.

Why word lists and not a learned model: every flag comes with the words that caused it, so
an agent or supervisor can see why; there is no labelled Polish abuse corpus to learn from;
and a list is fast. Cost: each word of a message is looked up once per process (three
regular expressions, then a dict), which keeps a typical message around 0.1 ms of CPU.
"""

from __future__ import annotations

import math
import re
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import cache

from django.utils import translation
from django.utils.translation import gettext as _

from litso.triage.abuse_text import Views, shouting, views
from litso.triage.lexicons import Entry, Lexicon
from litso.triage.lexicons.en import ENGLISH
from litso.triage.lexicons.pl import POLISH
from litso.triage.lexicons.ru import RUSSIAN

FLAG_THRESHOLD = 0.5
UNIVERSAL_WEIGHT = 0.8
CAPS = Entry("shouting", "caps", 0.35, "")
EXCLAMATIONS = Entry("shouting", "exclamations", 0.15, "")
LEXICONS: dict[str, Lexicon] = {"ru": RUSSIAN, "pl": POLISH, "en": ENGLISH}
LANGUAGES = tuple(LEXICONS)


@dataclass(frozen=True)
class AbuseVerdict:
    score: float
    flagged: bool
    reasons: list[str] = field(default_factory=list)


_CACHE_LIMIT = 50_000  # with word_forms's cache, at most about 16 MB
_POLISH_LETTERS = re.compile(r"[ąćęłńśźż]", re.IGNORECASE)
_CYRILLIC_LETTERS = re.compile(r"[а-яё]", re.IGNORECASE)
_LATIN_LETTERS = re.compile(r"[a-z]", re.IGNORECASE)
Found = tuple[tuple[str, Entry], ...]


@dataclass(frozen=True)
class _Language:
    code: str
    entries: dict[str, Entry]
    words: re.Pattern[str] | None
    phrases: re.Pattern[str] | None
    mask_targets: tuple[str, ...]


def _alternation(prefix: str, patterns: tuple[Entry, ...]) -> tuple[str, dict[str, Entry]]:
    names: dict[str, Entry] = {}
    parts = []
    for index, entry in enumerate(patterns):
        if re.compile(entry.pattern).groups:
            raise ValueError(f"capturing group in lexicon pattern {entry.pattern!r}")
        name = f"{prefix}{index}"
        names[name] = entry
        parts.append(f"(?P<{name}>{entry.pattern})")
    return "|".join(parts), names


@cache
def _languages() -> dict[str, _Language]:
    """Two regular expressions per language, built once: whole words, and phrases."""
    built = {}
    for code, lexicon in LEXICONS.items():
        words, word_names = _alternation("w", lexicon.words)
        phrases, phrase_names = _alternation("p", lexicon.phrases)
        exclude = "|".join(lexicon.exclude) or "(?!)"
        built[code] = _Language(
            code=code,
            entries={**word_names, **phrase_names},
            words=re.compile(rf"(?!(?:{exclude})\Z)(?:{words})") if words else None,
            phrases=re.compile(rf"(?<!\w)(?:{phrases})(?!\w)") if phrases else None,
            mask_targets=lexicon.mask_targets,
        )
    return built


# word → what each language's lexicon says of it. Words repeat across messages, so most
# words cost one dict access instead of three regular expressions of a hundred alternatives.
_known: dict[str, Found] = {}


def _word(token: str) -> Found:
    found = _known.get(token)
    if found is None:
        found = tuple(
            (code, language.entries[str(match.lastgroup)])
            for code, language in _languages().items()
            if language.words is not None and (match := language.words.fullmatch(token))
        )
        if len(_known) >= _CACHE_LIMIT:
            _known.clear()
        _known[token] = found
    return found


def _order(language: str | None, text: str) -> tuple[str, ...]:
    """Languages by preference: a word several lexicons know ("idiot", "suka") is reported
    in the first. With a language given, the others only contribute their strong words."""
    if language in LEXICONS:
        return (language, *(code for code in LANGUAGES if code != language))
    if _CYRILLIC_LETTERS.search(text):
        return ("ru", "pl", "en")
    if _POLISH_LETTERS.search(text):
        return ("pl", "en", "ru")
    return ("en", "pl", "ru")


def _pick(found: Found, order: tuple[str, ...], language: str | None) -> tuple[str, Entry] | None:
    for code in order:
        for found_code, entry in found:
            if found_code != code:
                continue
            if language in (None, code) or (
                entry.weight >= UNIVERSAL_WEIGHT and entry.kind in ("profanity", "slur")
            ):
                return code, entry
    return None


def _reason(code: str, entry: Entry) -> str:
    return f"{entry.kind}:{code}:{entry.key}"


def _hits(text_views: Views, language: str | None, order: tuple[str, ...]) -> dict[str, float]:
    hits: dict[str, float] = {}
    for token in text_views.tokens:
        found = _word(token)
        picked = _pick(found, order, language) if found else None
        if picked is not None:
            hits[_reason(*picked)] = picked[1].weight
    languages = _languages()
    cyrillic = _CYRILLIC_LETTERS.search(text_views.primary) is not None
    latin = _LATIN_LETTERS.search(text_views.primary) is not None
    for code in order if language not in LEXICONS else (language,):
        phrases = languages[code].phrases
        if phrases is not None and (cyrillic if code == "ru" else latin):
            for match in phrases.finditer(text_views.primary):
                entry = languages[code].entries[str(match.lastgroup)]
                hits.setdefault(_reason(code, entry), entry.weight)
    for pattern in text_views.masked:
        _masked_hit(re.compile(pattern), language, order, hits)
    return hits


def _masked_hit(
    masked: re.Pattern[str], language: str | None, order: tuple[str, ...], hits: dict[str, float]
) -> None:
    """A masked word ("f*ck") counts as the first known bad word it can stand for."""
    languages = _languages()
    for code in order:
        for target in languages[code].mask_targets:
            if masked.fullmatch(target):
                picked = _pick(_word(target), (code,), language)
                if picked is not None:
                    hits[_reason(*picked)] = picked[1].weight
                    return


def score_text(
    text: str, language: str | None = None, *, threshold: float = FLAG_THRESHOLD
) -> AbuseVerdict:
    hits = _hits(views(text), language, _order(language, text))
    caps, bangs = shouting(text)
    if caps:
        hits["shouting:caps"] = CAPS.weight
    if bangs:
        hits["shouting:exclamations"] = EXCLAMATIONS.weight
    score = 1.0 - math.prod(1.0 - weight for weight in hits.values())
    score = round(score, 3)
    reasons = sorted(hits, key=lambda code: (-hits[code], code))
    return AbuseVerdict(score=score, flagged=bool(hits) and score >= threshold, reasons=reasons)


def guidance(verdict: AbuseVerdict, language: str | None = None) -> str:
    """A short note for the agent, in ``language`` (the agent's) or the active language."""
    kinds = {reason.split(":")[0] for reason in verdict.reasons}
    threats = {":".join(reason.split(":")[:2]) for reason in verdict.reasons}
    if not verdict.reasons:
        return ""
    with translation.override(language) if language else nullcontext():
        notes = []
        if verdict.flagged and kinds & {"profanity", "insult", "slur"}:
            notes.append(
                _(
                    "The customer is using abusive language. Stay calm and polite, do not reply "
                    "in kind, and answer the substance of the request. A supervisor has been "
                    "told; hand the ticket over if the abuse is aimed at you."
                )
            )
        elif verdict.flagged:
            notes.append(
                _(
                    "The customer is very upset. Acknowledge the frustration first, then say "
                    "exactly what will be done and by when."
                )
            )
        if "threat:violence" in threats:
            notes.append(
                _(
                    "The customer threatens violence: do not argue, tell your supervisor now, "
                    "and keep the whole conversation in the ticket."
                )
            )
        if "threat:legal" in threats:
            notes.append(
                _(
                    "Legal action or a regulator is mentioned: stick to the facts and the "
                    "published policy, promise nothing beyond it, and involve your supervisor."
                )
            )
        if "threat:leave" in threats:
            notes.append(
                _(
                    "The customer may leave: make sure the answer solves the problem, or says "
                    "what the next step is."
                )
            )
        return " ".join(notes)

