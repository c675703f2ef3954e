"""Which of the desk's languages a message is written in (lingua, restricted to LITSO_LANGUAGES)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from itertools import islice

from django.conf import settings
from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

# Enough text to decide; long mails are mostly quotes and signatures anyway.
SAMPLE_CHARS = 2000
# Below this the text says too little (a "thanks!", an order number): keep what we knew.
MIN_CONFIDENCE = 0.5


@dataclass(frozen=True)
class Detected:
    language: str
    confidence: float


@cache
def _detector(codes: tuple[str, ...]) -> LanguageDetector:
    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in codes]
    if len(languages) == 1:
        # lingua needs two candidates; English is the harmless second one.
        languages.append(Language.ENGLISH if languages[0] != Language.ENGLISH else Language.RUSSIAN)
    # The models load on the first detection (~0.5 s, the same as preloading them here, which
    # happened on the first message too). Preloading loaded them in parallel, at a peak
    # ~36 MiB above the ~100 MiB they keep: the peak of a whole mail ingest.
    return LanguageDetectorBuilder.from_languages(*languages).build()


def desk_languages() -> tuple[str, ...]:
    return tuple(code.strip().lower() for code in settings.LITSO_LANGUAGES if code.strip())


def detect(text: str) -> Detected | None:
    """The desk language the text is most likely in, or None when the text cannot tell."""
    sample = " ".join(text[:SAMPLE_CHARS].split())
    # Three letters are enough to go on; counting stops at the third.
    if len(list(islice(filter(str.isalpha, sample), 3))) < 3:
        return None
    codes = desk_languages()
    values = _detector(codes).compute_language_confidence_values(sample)
    if not values:
        return None
    best = values[0]
    code = best.language.iso_code_639_1.name.lower()
    if code not in codes or best.value < MIN_CONFIDENCE:
        return None
    return Detected(code, round(best.value, 3))
