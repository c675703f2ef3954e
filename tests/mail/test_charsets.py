"""charsets: the numpy path of cyrillic_score gives exactly the loop's float."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from litso.mail import charsets

READINGS = ("cp1251", "koi8-r", "koi8-u", "iso8859-5", "cp866", "mac-cyrillic", "cp1252")
RUSSIAN = (
    "Добрый день! Не могу войти в личный кабинет, пишет «неверный пароль». ЁЖИК Ёлка "
    "ЪЫЬ іїєґ ІЇЄҐ — abc ABC 123, 45 €"
).encode("cp1251", "replace")


def score(text: str) -> float:
    return charsets.cyrillic_score.__wrapped__(text)  # type: ignore[attr-defined]


def readings(data: bytes) -> list[str]:
    out = []
    for codec in READINGS:
        try:
            out.append(data.decode(codec))
        except UnicodeDecodeError:
            continue
    return out


@settings(max_examples=1500, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=600),
        st.lists(st.sampled_from(RUSSIAN), max_size=600).map(bytes),
    )
)
def test_every_reading_scores_as_the_loop_does(data: bytes) -> None:
    for text in readings(data):
        assert repr(score(text)) == repr(charsets._score_characters(text))


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=charsets._SHORT_TEXT, max_size=300))
def test_any_text_scores_as_the_loop_does(text: str) -> None:
    assert repr(score(text)) == repr(charsets._score_characters(text))


@pytest.mark.parametrize("codec", ["cp1251", "koi8-r"])
def test_long_mixed_up_text_scores_as_the_loop_does(codec: str) -> None:
    text = (RUSSIAN * 40).decode(codec, "replace")
    assert len(text) > charsets._SHORT_TEXT
    assert repr(score(text)) == repr(charsets._score_characters(text))


@pytest.mark.parametrize("codec", ["cp1251", "koi8-r"])
def test_each_character_of_a_codec_encodes_back_to_its_byte(codec: str) -> None:
    # _score_bytes reads a character's case from the byte the codec encodes it to.
    for byte in range(256):
        try:
            ch = bytes([byte]).decode(codec)
        except UnicodeDecodeError:
            continue
        assert ch.encode(codec) == bytes([byte])
