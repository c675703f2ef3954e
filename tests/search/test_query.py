from __future__ import annotations

import pytest

from litso.search import postgres, sqlite
from litso.search.query import MAX_TERMS, Term, email_phrase, parse, stem


def words(text: str) -> list[tuple[tuple[str, ...], bool]]:
    return [(t.words, t.prefix) for t in parse(text).terms]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("заказа", "заказ"),
        ("заказ", "заказ"),
        ("доставки", "доставк"),
        ("zamowienie", "zamowien"),
        ("zamowienia", "zamowien"),
        ("tkaniny", "tkanin"),
        ("refunds", "refund"),
        ("delivery", "deliver"),
        # Too short to lose an ending: four letters must remain.
        ("pani", "pani"),
        ("мои", "мои"),
    ],
)
def test_stem_removes_one_ending_keeping_four_letters(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_words_are_folded_shortened_and_matched_as_prefixes() -> None:
    assert words("Zamówienia ЗАКАЗА Łódź") == [
        (("zamowien",), True),
        (("заказ",), True),
        (("lodz",), True),
    ]


def test_short_words_and_numbers_match_exactly() -> None:
    assert words("w 2x ZAM-1042") == [(("w",), False), (("2x",), False), (("zam",), True),
                                       (("1042",), False)]  # fmt: skip


def test_quoted_phrase_is_exact_and_in_order() -> None:
    assert words('"Dzień dobry" pani') == [(("dzien", "dobry"), False), (("pani",), True)]


def test_russian_polish_and_curly_quotes_make_phrases_too() -> None:
    assert words("«Добрый день» заказ") == [(("добрый", "день"), False), (("заказ",), True)]
    assert words("„Dzień dobry” pani") == [(("dzien", "dobry"), False), (("pani",), True)]
    assert words("„Dzień dobry“") == [(("dzien", "dobry"), False)]
    assert words("“good morning” sir") == [(("good", "morning"), False), (("sir",), True)]
    # An unclosed one is an ordinary character: the words count one by one.
    assert words("«order now") == [(("order",), True), (("now",), True)]


def test_quoted_single_word_is_a_word() -> None:
    assert words('"zamówienia"') == [(("zamowien",), True)]


def test_repeated_words_count_once() -> None:
    assert words("order order ORDER") == [(("order",), True)]


def test_hash_number_is_a_ticket_number_and_not_a_word() -> None:
    query = parse("#1042 refund")
    assert query.ticket_number == 1042
    assert words("#1042 refund") == [(("refund",), True)]


@pytest.mark.parametrize("text", ["1042", " #1042 ", "#1042"])
def test_a_lone_number_is_a_ticket_number_and_a_word(text: str) -> None:
    query = parse(text)
    assert query.ticket_number == 1042
    assert [t.words for t in query.terms] == [("1042",)]


def test_a_number_among_words_is_only_a_word() -> None:
    query = parse("order 1042")
    assert query.ticket_number is None
    assert [t.words for t in query.terms] == [("order",), ("1042",)]


def test_email_is_taken_out_of_the_words() -> None:
    query = parse("Anna.Nowak+shop@Example.PL refund")
    assert query.emails == ("anna.nowak+shop@example.pl",)
    assert [t.words for t in query.terms] == [("refund",)]


def test_email_as_text_is_a_phrase() -> None:
    assert email_phrase("anna@example.pl") == Term(("anna", "example", "pl"), prefix=False)


@pytest.mark.parametrize(
    "text",
    ['"', "*", "AND (", "", "   ", ")))", "NEAR(a b)", "'; DROP TABLE x; --", '"open',
     "a OR b NOT c", "col:value", "^start", "{x y}", "-minus", "\\", "\x00", "😀"],
)  # fmt: skip
def test_hostile_input_parses_into_quoted_words_only(text: str) -> None:
    query = parse(text)
    for term in query.terms:
        for word in term.words:
            assert word.isalnum(), word
    # Every term reaches FTS5 quoted, whatever it was.
    expression = sqlite.match_expression(query)
    assert expression.count('"') == 2 * len(query.terms)


def test_empty_and_punctuation_only_queries_are_empty() -> None:
    for text in ("", "  ", '"', "*", "()", "#", "@"):
        assert parse(text).is_empty, text


def test_terms_and_length_are_capped() -> None:
    query = parse(" ".join(f"word{i}" for i in range(50)))
    assert len(query.terms) == MAX_TERMS
    assert len(parse("x" * 10_000).text) == 500


def test_fts5_expression_quotes_every_term() -> None:
    query = parse('zamówienia "dzień dobry" w')
    assert sqlite.match_expression(query) == '"dzien dobry" AND "zamowien"* AND "w"'
    # A shortened word with its indexed words listed: their OR.
    assert sqlite.match_expression(query, {"zamowien": ["zamowienia", 'a"b']}) == (
        '"dzien dobry" AND ("zamowienia" OR "a""b") AND "w"'
    )


def test_tsquery_sql_passes_words_as_parameters() -> None:
    sql, params = postgres.tsquery_sql(parse('zamówienia "dzień dobry" w'))
    assert params == ["dzien", "dobry", "zamowien", "w"]
    assert sql.count("%s") == 4
    assert ":*" in sql
    assert "<1>" in sql
