"""Features of the router: tokens in three scripts, folding, and the fast one-message row."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from litso.triage import classifier_text as text
from tests.triage.routing_fixtures import TEST, TRAIN, texts


def test_tokens_keep_cyrillic_and_polish_letters() -> None:
    assert text.tokens("Zażółć GĘŚLĄ jaźń!") == ["zażółć", "gęślą", "jaźń"]
    assert text.tokens("Ёлка, ПРИВЕТ-мир 2024") == ["елка", "привет", "мир", "2024"]
    assert text.tokens("ﬁle") == ["file"]  # NFKC: the ligature is two letters


def test_fold_drops_diacritics_for_character_grams() -> None:
    assert text.fold("żółć") == "zolc"
    assert text.fold("łódź") == "lodz"
    assert text.fold("йод") == "иод"
    assert set(text.token_char_grams("pieniędzy")) == set(text.token_char_grams("pieniedzy"))


def test_char_grams_match_scikit_learn_char_wb() -> None:
    reference = TfidfVectorizer(analyzer="char_wb", ngram_range=text.CHAR_NGRAMS).build_analyzer()
    for word in ("a", "ab", "abc", "refund", "przesyłka"):
        assert list(text.token_char_grams(word)) == reference(text.fold(word))


def test_word_grams_skip_one_letter_words() -> None:
    assert text.word_grams(["i", "want", "a", "refund"]) == ["want", "refund", "want refund"]


def test_fast_rows_equal_tfidf_vectorizer_rows() -> None:
    corpus = texts(TRAIN)
    blocks: list[text.Block] = []
    parts = []
    offset = 0
    for kind, analyse in (("words", text.analyse_words), ("chars", text.analyse_chars)):
        vectoriser = TfidfVectorizer(analyzer=analyse, sublinear_tf=True, dtype=np.float32)
        vectoriser.fit(corpus)
        blocks.append(text.Block(kind, dict(vectoriser.vocabulary_), vectoriser.idf_, offset))
        parts.append(vectoriser.transform(texts(TEST)))
        offset += len(vectoriser.vocabulary_)
    expected = sp.hstack(parts).toarray()
    fast = text.matrix(blocks, texts(TEST), offset).toarray()
    assert fast.shape == expected.shape
    assert np.allclose(fast, expected, atol=1e-6)
    cols, vals = text.row(text.analyse(blocks, text.tokens(TEST[0][0])))
    one = np.zeros(offset)
    one[cols] = vals
    assert np.allclose(one, expected[0], atol=1e-6)


def test_long_text_is_cut() -> None:
    assert len(text.tokens("słowo " * 10_000)) == -(-text.MAX_CHARS // len("słowo "))


def test_contributions_go_to_the_words_that_carry_them() -> None:
    blocks = [
        text.Block("words", {"refund": 0, "please": 1, "refund please": 2}, np.ones(3), 0),
    ]
    toks = text.tokens("Refund please")
    weights = np.array([2.0, 0.0, 1.0])
    shares = text.token_contributions(text.analyse(blocks, toks), toks, weights, np.zeros(3))
    # each gram is worth 1/sqrt(3); the bigram's share is split between its two words
    assert abs(shares["refund"] - 2.5 / np.sqrt(3)) < 1e-6
    assert abs(shares["please"] - 0.5 / np.sqrt(3)) < 1e-6
    baseline = np.array([2.0, 0.0, 0.0])  # every class likes "refund": it explains nothing
    centred = text.token_contributions(text.analyse(blocks, toks), toks, weights, baseline)
    assert abs(centred["refund"] - 0.5 / np.sqrt(3)) < 1e-6
