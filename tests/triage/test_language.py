from __future__ import annotations

import pytest

from litso.triage.language import detect


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello, my order has not arrived yet, could you check?", "en"),
        ("Здравствуйте, мой заказ до сих пор не пришёл", "ru"),
        ("Dzień dobry, moje zamówienie jeszcze nie dotarło", "pl"),
        # Polish written without diacritics, as on many phones.
        ("Dzien dobry, prosze o fakture do zamowienia", "pl"),
    ],
)
def test_detects_the_desk_languages(text: str, expected: str) -> None:
    found = detect(text)
    assert found is not None
    assert found.language == expected
    assert 0.5 <= found.confidence <= 1


@pytest.mark.parametrize("text", ["", "  ", "12345 !!!", "ok"])
def test_too_little_text_says_nothing(text: str) -> None:
    assert detect(text) is None


def test_only_the_configured_languages_are_candidates(settings) -> None:  # type: ignore[no-untyped-def]
    from litso.triage import language

    settings.LITSO_LANGUAGES = ["en", "pl"]
    found = language.detect("Здравствуйте, мой заказ до сих пор не пришёл")
    # Russian is not a desk language here: the detector may only answer en or pl, or nothing.
    assert found is None or found.language in ("en", "pl")
