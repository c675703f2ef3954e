"""headers: the fast path for simple addresses gives what email.utils.getaddresses gives."""

from __future__ import annotations

import email.utils

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from litso.mail import headers as h

# Shapes the fast path must take (the common ones) and what the stdlib makes of them.
SIMPLE = [
    "",
    "a@b.c",
    "  a@b.c  ",
    "first.last+tag@sub.example.com",
    "Name <a@b.c>",
    "Name<a@b.c>",
    "<a@b.c>",
    '"Name" <a@b.c>',
    '"Ivanov, Ivan" <i@x.ru>',
    '"" <a@b.c>',
    '"a""b" <a@b.c>',
    'a"b" <a@b.c>',
    '"Doe, J." Jr. <a@b.c>',
    "J. R.  R.\tTolkien <jrr@example.org>",
    "=?utf-8?B?0JjQstCw0L0g0J/QtdGC0YDQvtCy?= <ivan@example.ru>",
    "=?koi8-r?Q?=E9=D7=C1=CE?= <ivan@example.ru>",
    "Иван Петров <ivan@пример.рф>",
    "ivan@пример.рф",
    "Name <a@b.c>, Other <d@e.f>",
    "a@b.c,d@e.f",
    "a@b.c , d@e.f ,x@y.z",
    "a@b.c,",
    "Name\xa0Surname <a@b.c>",
    "x@localhost",
    "o'brien@example.ie",
    '"quoted (not a comment)" <a@b.c>',
]
# Shapes it must leave to the stdlib.
FALLBACK = [
    " ",
    ",",
    "a@b.c, ",
    "a@b.c,,d@e.f",
    "Name (comment) <a@b.c>",
    "a@b.c (comment)",
    "Group: a@b.c, d@e.f;",
    "undisclosed-recipients:;",
    "Name a@b.c",
    "a@b.c <d@e.f>",
    "Name <a@b.c",
    "Name a@b.c>",
    '"Unclosed <a@b.c>',
    '"Back\\"slash" <a@b.c>',
    "a@[127.0.0.1]",
    "a @b.c",
    "a@b .c",
    "a@b c",
    ".a@b.c",
    "a..b@c.d",
    "a@b.c.",
    "< a@b.c >",
    "Name <a@b.c> junk",
    "Name\r\n <a@b.c>",
    "<@route:a@b.c>",
    "a@b@c.d",
    "just a name",
    "MAILER-DAEMON (Mail Delivery System)",
    "a@b.c;d@e.f",
    "\xa0@b.c",
    "Name <x.\u2003@b.c>",
    "a@\xa0.c",
]


def stdlib(field: str) -> list[tuple[str, str]]:
    return email.utils.getaddresses([field])


@pytest.mark.parametrize("field", SIMPLE)
def test_simple_shapes_take_the_fast_path_with_the_stdlib_result(field: str) -> None:
    assert h._simple_addresses(field) == stdlib(field)


@pytest.mark.parametrize("field", FALLBACK)
def test_other_shapes_go_to_the_stdlib(field: str) -> None:
    assert h._simple_addresses(field) is None


# Pieces of address syntax, so that random joins hit both the simple and the tricky shapes.
PIECES = [
    "a", "b.c", "x", "Ivan", "Иван", "пример.рф", "=?utf-8?q?J=2E_Doe?=", "@", ".", ",", ", ",
    " ", "\t", "<", ">", '"', '""', "(", ")", ":", ";", "\\", "[", "]", "\r\n", "\n", "\xa0",
    "a@b.c", "<a@b.c>", '"Doe, J."', "Name", "group:", "'",
]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12).map("".join))
@example('"Doe, J." <a@b.c>, x@y.z')
@example("Name <a@b.c>,Other<d@e.f>")
def test_the_fast_path_agrees_with_the_stdlib_on_joined_pieces(field: str) -> None:
    fast = h._simple_addresses(field)
    if fast is not None:
        assert fast == stdlib(field)


# Characters the stdlib parser treats specially, and whitespace str.strip() knows but it does not.
SYNTAX = 'ab.@<>", \t\xa0\u2003\x0b\x1c\x85(:;\\[]\r\nж=?_\''


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from(SYNTAX), max_size=16))
@example("\xa0@b.c")
def test_the_fast_path_agrees_with_the_stdlib_on_address_syntax(field: str) -> None:
    fast = h._simple_addresses(field)
    if fast is not None:
        assert fast == stdlib(field)


@settings(max_examples=2000, deadline=None)
@given(st.text(max_size=40))
def test_the_fast_path_agrees_with_the_stdlib_on_any_text(field: str) -> None:
    fast = h._simple_addresses(field)
    if fast is not None:
        assert fast == stdlib(field)


@pytest.mark.parametrize("values", [["Name <a@b.c>"], ["a@b.c", "Other <d@e.f>"], [], [""]])
def test_parse_addresses_joins_values_as_getaddresses_does(values: list[str]) -> None:
    expected = [(n, a) for n, a in email.utils.getaddresses(values) if a]
    assert list(h.parse_addresses(values)) == expected


def test_a_long_unmatched_phrase_fails_fast() -> None:
    # Possessive quantifiers: no backtracking through the words of a phrase.
    assert h._simple_addresses("word " * 20000 + "<a@b.c") is None


# The header helpers' shortcuts, against the formulas they skip.
def split_params_by_character(value: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    escaped = False
    for ch in value:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\" and quoted:
            current.append(ch)
            escaped = True
        elif ch == '"':
            quoted = not quoted
            current.append(ch)
        elif ch == ";" and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


# Header values as the parser stores them: raw 8-bit bytes are surrogates U+DC80-U+DCFF.
HEADER_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from('ab ;"\\=?_\t\r\n\x00\x7f\xa0\u2028\udcd0\udc9fжq*B\'.'),
        st.characters(blacklist_categories=("Cs",)),
        st.characters(min_codepoint=0xDC80, max_codepoint=0xDCFF),
    ),
    max_size=40,
)


@settings(max_examples=3000, deadline=None)
@given(HEADER_TEXT)
@example('a; b="c\\"; d"; e')
@example('a; b="c\\')
@example('"";\\";"\\\\";x')
def test_split_params_splits_as_the_character_loop(value: str) -> None:
    assert h._split_params(value) == split_params_by_character(value)


@settings(max_examples=3000, deadline=None)
@given(HEADER_TEXT)
@example("=?utf-8?q?a?=")
@example("a\r\n b")
def test_header_text_shortcuts_change_nothing(value: str) -> None:
    assert h.unfold(value) == h._FOLD.sub("", value).replace("\r", " ").replace("\n", " ")
    assert h.clean_text(value) == h._SURROGATE.sub("\ufffd", h._CONTROL.sub("", value))
    assert h.normalise_space(value) == h._SPACE_RUN.sub(" ", value).strip()
    assert h.decode_header_text(value) == h._decode_header_text(value, None)
    assert h.decode_header_text(value, "koi8-r") == h._decode_header_text(value, "koi8-r")
