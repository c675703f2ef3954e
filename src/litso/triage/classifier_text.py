"""Text → sparse TF-IDF features for the router: the same code at training and at prediction.

Two blocks, each L2-normalised on its own and then concatenated (what scikit-learn's
FeatureUnion of two TfidfVectorizers does):

- words: 1–2-grams of the lower-cased tokens, diacritics kept ("zwrot pieniędzy");
- characters: 3–5-grams inside each token (char_wb), on tokens with the diacritics folded
  away ("pieniedzy"), because Polish and Russian customers often type without them (or with
  ё/е mixed) and because character n-grams carry the rich morphology of both languages
  («возврат», «возврата», «возвратом» share most of their n-grams).

The vectorisers of scikit-learn are used only to build the vocabulary and the idf weights at
training time; prediction builds the row itself from plain dicts and arrays, which is a few
times faster for one message than ``TfidfVectorizer.transform`` and keeps saved models free of
pickled scikit-learn objects. ``tests/triage/test_classifier_text.py`` checks both give the same
row.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

# A support mail's intent is in its subject and first paragraphs; a 200 kB pasted log would
# only cost time, so the tail is ignored (at training and prediction alike).
MAX_CHARS = 20_000
# Character 2-grams doubled the training time on clinc150 for no accuracy on its validation split.
CHAR_NGRAMS = (3, 5)
_TOKEN = re.compile(r"\w+")
# Letters that Unicode decomposition does not split into base + accent.
_FOLD_EXTRA = str.maketrans({"ł": "l", "đ": "d", "ø": "o", "ß": "ss", "æ": "ae", "œ": "oe"})


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens (letters and digits, any script); ё is written е."""
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS]).lower().replace("ё", "е")
    return _TOKEN.findall(text)


# Caches for the words a desk sees again and again; bounded, because a worker lives for weeks
# and mail brings endless new tokens (names, order numbers): 8k entries hold about 13 MB.
CACHED_TOKENS = 8_192


@lru_cache(maxsize=CACHED_TOKENS)
def fold(token: str) -> str:
    """The token without diacritics: "żółć" → "zolc", "йод" → "иод"."""
    decomposed = unicodedata.normalize("NFKD", token)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.translate(_FOLD_EXTRA)


def word_grams(toks: list[str]) -> list[str]:
    # One-letter words ("w", "z", "в", "и", "a") are mostly prepositions and conjunctions.
    words = [t for t in toks if len(t) > 1]
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


@lru_cache(maxsize=CACHED_TOKENS)
def token_char_grams(token: str) -> tuple[str, ...]:
    """char_wb n-grams of one token, exactly as scikit-learn's ``_char_wb_ngrams`` makes them."""
    padded = f" {fold(token)} "
    size = len(padded)
    grams: list[str] = []
    for n in range(CHAR_NGRAMS[0], CHAR_NGRAMS[1] + 1):
        offset = 0
        grams.append(padded[offset : offset + n])
        while offset + n < size:
            offset += 1
            grams.append(padded[offset : offset + n])
        if offset == 0:  # a word shorter than n counts once
            break
    return tuple(grams)


def char_grams(toks: list[str]) -> list[str]:
    grams: list[str] = []
    for tok in toks:
        grams.extend(token_char_grams(tok))
    return grams


def analyse_words(text: str) -> list[str]:
    """Analyzer for the word block (a module-level function so vectorisers can be pickled)."""
    return word_grams(tokens(text))


def analyse_chars(text: str) -> list[str]:
    return char_grams(tokens(text))


@dataclass
class Block:
    """One TF-IDF block: vocabulary, idf weights and where its columns start in the row."""

    kind: str  # "words" or "chars"
    vocabulary: dict[str, int]
    idf: np.ndarray
    offset: int

    def grams(self, toks: list[str]) -> list[str]:
        return word_grams(toks) if self.kind == "words" else char_grams(toks)


@dataclass
class Weighed:
    """One block's features for one text: its grams, the known ones and their values."""

    block: Block
    grams: list[str]
    known: list[str]
    columns: np.ndarray  # row columns (block offset included), in the order of ``known``
    values: np.ndarray


def weigh(block: Block, toks: list[str]) -> Weighed:
    """Sublinear tf × idf, L2-normalised: what TfidfVectorizer(sublinear_tf=True) computes."""
    grams = block.grams(toks)
    lookup = block.vocabulary.get
    known: list[str] = []
    columns: list[int] = []
    tf: list[int] = []
    # One pass, one dict lookup per distinct gram: this loop is most of a prediction's time.
    for gram, count in Counter(grams).items():
        column = lookup(gram)
        if column is not None:
            known.append(gram)
            columns.append(column)
            tf.append(count)
    if not known:
        empty = np.zeros(0, dtype=np.float32)
        return Weighed(block, grams, [], np.zeros(0, dtype=np.int64), empty)
    index = np.array(columns, dtype=np.int64)
    values = (1.0 + np.log(np.array(tf, dtype=np.float32))) * block.idf[index]
    values /= np.sqrt(np.dot(values, values))
    return Weighed(block, grams, known, index + block.offset, values.astype(np.float32))


def analyse(blocks: list[Block], toks: list[str]) -> list[Weighed]:
    return [weigh(block, toks) for block in blocks]


def row(weighed: list[Weighed]) -> tuple[np.ndarray, np.ndarray]:
    """Column indices and values of one text's feature row."""
    if len(weighed) == 1:
        return weighed[0].columns, weighed[0].values
    return (
        np.concatenate([w.columns for w in weighed]),
        np.concatenate([w.values for w in weighed]),
    )


def matrix(blocks: list[Block], texts: Iterable[str], width: int) -> sp.csr_matrix:
    """Feature rows of many texts as one sparse matrix."""
    return stack([analyse(blocks, tokens(text)) for text in texts], width)


def stack(analysed: list[list[Weighed]], width: int) -> sp.csr_matrix:
    """Analysed texts as one sparse matrix, a row each."""
    indptr = [0]
    columns: list[np.ndarray] = []
    values: list[np.ndarray] = []
    for weighed in analysed:
        cols, vals = row(weighed) if weighed else (np.zeros(0), np.zeros(0))
        columns.append(cols.astype(np.int64))
        values.append(vals.astype(np.float32))
        indptr.append(indptr[-1] + len(cols))
    data = np.concatenate(values) if values else np.zeros(0, dtype=np.float32)
    index = np.concatenate(columns) if columns else np.zeros(0, dtype=np.int64)
    return sp.csr_matrix((data, index, np.asarray(indptr)), shape=(len(indptr) - 1, width))


def token_contributions(
    weighed: list[Weighed], toks: list[str], weights: np.ndarray, baseline: np.ndarray
) -> dict[str, float]:
    """How much each word of the text adds to one class's score, against the average class.

    ``weights`` holds the class's weight per feature column, ``baseline`` the mean weight over
    all classes (so a word every class likes, such as "please", explains nothing). A word
    n-gram's share goes to its words (a bigram's half to each); a character n-gram's share is
    split over its occurrences, so a word collects the n-grams it is made of. The result is
    what an agent can read: words.
    """
    shares: dict[str, float] = {}
    for part in weighed:
        if not part.known:
            continue
        contribution = part.values * (weights[part.columns] - baseline[part.columns])
        if part.block.kind == "words":
            for gram, share in zip(part.known, contribution.tolist(), strict=True):
                words = gram.split(" ")
                for word in words:
                    shares[word] = shares.get(word, 0.0) + share / len(words)
        else:
            occurrences = Counter(part.grams)
            per_occurrence = {
                gram: share / occurrences[gram]
                for gram, share in zip(part.known, contribution.tolist(), strict=True)
            }
            get = per_occurrence.get
            for tok, times in Counter(toks).items():
                share = times * sum(get(gram, 0.0) for gram in token_char_grams(tok))
                shares[tok] = shares.get(tok, 0.0) + share
    return shares


# Function words of the desk's languages. Only the cold start drops them: a model trained on
# the desk's mail learns what they are worth, but one built from two lines of description per
# department would take "the" in one of them for a keyword.
_STOPWORDS = """
    a an and are as at be by can do does for from has have how i if in is it its me my no not
    of on or our please so that the their there this to us was we what when where which who
    why will with you your
    а без бы в во вы да для до его ее её если есть же за и из или их к как ко ли мне мой
    мы на над не нет но о об от по при про с со так то у уже чем что это я
    a aby albo ale bez by być czy dla do i ich jak jest jestem już lub ma mam mi mnie moja moje
    mój na nad nam nas nie o od po pod przez przy się są ta tak te to u w we z za ze że
"""
STOPWORDS = frozenset(_STOPWORDS.split())


def without_stopwords(text: str) -> str:
    return " ".join(t for t in tokens(text) if t not in STOPWORDS)
