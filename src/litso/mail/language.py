"""A first guess at the language a customer wrote in, until triage detects it properly."""

from __future__ import annotations

import re

_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_POLISH = re.compile(r"[ąćęłńóśźż]", re.IGNORECASE)
_POLISH_WORDS = re.compile(r"\b(dzień dobry|proszę|zamówienie|dziękuję|pozdrawiam|faktur)", re.I)
SUPPORTED = ("en", "ru", "pl")


def guess_language(text: str, declared: str = "") -> str:
    declared = declared.strip().lower()[:2]
    if declared in SUPPORTED:
        return declared
    sample = text[:2000]
    if len(_CYRILLIC.findall(sample)) > 10:
        return "ru"
    if len(_POLISH.findall(sample)) > 3 or _POLISH_WORDS.search(sample):
        return "pl"
    return "en"
