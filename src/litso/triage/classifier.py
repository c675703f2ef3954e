"""The learned router: subject and body → department, request type or priority, with a
calibrated confidence and the words that made the choice.

Pure Python and scikit-learn, no Django: the triage app trains one ``TextClassifier`` per
target (department, request type, priority) from the desk's tickets and stores it with
``save``; ``litso triage eval`` trains one on a customer's files.

- Features: TF-IDF word 1–2-grams and character 3–5-grams (``classifier_text``).
- Model: a linear SVM (one-vs-rest LinearSVC, C=1, chosen on clinc150's validation split).
- Confidence: softmax of the SVM scores with a temperature fitted on held-out folds
  (``classifier_calibration``); ``calibrated`` says whether there was data to fit it.
- Cold start: ``from_descriptions`` learns from a few words per label.
- Finer labels: given ``fine_labels`` (a department's request types, clinc150's intents for its
  domains), a second model learns the pairs (label, fine label) on the same features, and a
  label's probability is the mean of the first model's and the sum over its pairs. The finer
  model sees distinctions the coarse one blurs: on clinc150's domains 0.978 → 0.980 (weight
  chosen on ``val``).

Saved models are joblib files of plain arrays and dicts (no scikit-learn objects), so they
load in any scikit-learn version; like any pickle, load only files the desk wrote itself.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import scipy.sparse as sp

from litso.triage import classifier_text as text
from litso.triage.classifier_calibration import (
    DEFAULT_SCALE,
    fit_scale,
    held_out_scores,
    softmax,
)

FORMAT = "litso-triage-text-classifier"
FORMAT_VERSION = 1
# Below this many examples every n-gram counts; above it n-grams seen once are mostly typos
# and names, and dropping them halves the model at no cost in accuracy (clinc150 val).
MIN_DF_ABOVE = 2_000
ALTERNATIVES = 3
EVIDENCE = 5
EVIDENCE_SHARE = 0.25
# The finer model's share of a label's probability (clinc150 val: 0.25 0.9750, 0.5 0.9757,
# 0.75 0.9740 domain accuracy).
FINE_WEIGHT = 0.5
FINE_SEP = "\x1f"


class NotEnoughData(ValueError):
    """The examples cannot make a router (no examples, or fewer than two labels)."""


class ModelFormatError(ValueError):
    """A saved model is not one this version of Litso can read."""


@dataclass(frozen=True)
class Prediction:
    """One routing decision.

    ``alternatives`` are the three most probable labels with their probabilities, the
    predicted one first; ``evidence`` the words of the message that pushed most towards the
    predicted label (empty when no word of the message was known to the model).
    """

    label: str
    confidence: float
    alternatives: list[tuple[str, float]] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "confidence": self.confidence,
            "alternatives": [[label, p] for label, p in self.alternatives],
            "evidence": list(self.evidence),
        }


class TextClassifier:
    """A text classifier with calibrated confidences; see the module docstring."""

    def __init__(self, c: float = 1.0, calibration_folds: int = 3, seed: int = 0) -> None:
        self.c = c
        self.calibration_folds = calibration_folds
        self.seed = seed
        self._classes: list[str] = []
        self._blocks: list[text.Block] = []
        self._weights = np.zeros((0, 0), dtype=np.float32)  # features × classes
        self._mean = np.zeros(0, dtype=np.float32)  # each feature's mean weight over classes
        self._bias = np.zeros(0, dtype=np.float32)
        self._scale = DEFAULT_SCALE
        self._fallback = ""
        self._fine: _FineModel | None = None
        self.calibrated = False
        self.source = ""
        self.trained_on = 0

    # -- training ------------------------------------------------------------------------
    @property
    def classes(self) -> list[str]:
        return list(self._classes)

    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[str],
        calibrate: bool = True,
        fine_labels: Sequence[str] | None = None,
    ) -> TextClassifier:
        """Train on examples; raises NotEnoughData without two labels to tell apart.

        ``fine_labels`` (optional, one per example) subdivide the labels; see the module
        docstring. They are ignored when they divide no label further.
        """
        if len(texts) != len(labels):
            raise ValueError(f"{len(texts)} texts but {len(labels)} labels")
        if fine_labels is not None and len(fine_labels) != len(labels):
            raise ValueError(f"{len(labels)} labels but {len(fine_labels)} fine labels")
        labels = [str(label) for label in labels]
        counts = Counter(labels)
        if not counts:
            raise NotEnoughData("no training examples")
        if len(counts) < 2:
            raise NotEnoughData(
                f"all {len(labels)} examples have the label {labels[0]!r}: "
                "a router needs at least two labels to choose between"
            )
        blocks, x = _fit_features(texts)
        if x.nnz == 0:
            raise NotEnoughData("the training texts contain no words")
        classes = sorted(counts)
        weights, bias = _train(x, labels, self.c)
        scale, calibrated = DEFAULT_SCALE, False
        if calibrate:
            scores, truth = held_out_scores(
                x, labels, classes, self._fold_scorer, self.calibration_folds, self.seed
            )
            if len(truth):
                scale, calibrated = fit_scale(scores, truth), True
        fine = None
        if fine_labels is not None:
            pairs = [f"{a}{FINE_SEP}{b}" for a, b in zip(labels, fine_labels, strict=True)]
            if len(set(pairs)) > len(classes):
                fine = self._fit_fine(x, pairs, classes, calibrate)
        # Assigned only now: a fit that fails leaves the previous model whole.
        self._classes, self._blocks = classes, blocks
        self._weights, self._bias, self._mean = weights, bias, weights.mean(axis=1)
        self._scale, self.calibrated = scale, calibrated
        self._fine = fine
        self._fallback = counts.most_common(1)[0][0]
        self.source = "history"
        self.trained_on = len(labels)
        return self

    def _fit_fine(
        self, x: sp.csr_matrix, pairs: list[str], classes: list[str], calibrate: bool
    ) -> _FineModel:
        fine_classes = sorted(set(pairs))
        weights, bias = _train(x, pairs, self.c)
        scale = DEFAULT_SCALE
        if calibrate:
            scores, truth = held_out_scores(
                x, pairs, fine_classes, self._fold_scorer, self.calibration_folds, self.seed
            )
            if len(truth):
                scale = fit_scale(scores, truth)
        return _FineModel.build(fine_classes, classes, weights, bias, scale)

    def _fold_scorer(
        self, x: sp.csr_matrix, y: np.ndarray
    ) -> tuple[list[str], Callable[[sp.csr_matrix], np.ndarray]]:
        weights, bias = _train(x, list(y), self.c)
        classes = sorted(set(y.tolist()))
        return classes, lambda rows: np.asarray(rows @ weights) + bias

    @classmethod
    def from_descriptions(cls, descriptions: dict[str, str]) -> TextClassifier:
        """A cold-start router from a few words per label (department descriptions, keywords).

        Each description is split at sentence and list punctuation, and the whole text and
        every piece become examples, without function words such as "the" or "для" (the label
        itself only when the description is empty: a label may be a database id, and "12" is
        no keyword). Put the name in the description.
        There is nothing to hold out, so the confidence is not calibrated and stays modest:
        with a sensible threshold the desk routes obvious mail and leaves the rest in the
        triage view.
        """
        texts: list[str] = []
        labels: list[str] = []
        for label, description in descriptions.items():
            pieces = [p.strip() for p in re.split(r"[\n.;,:!?()]+", description)]
            for piece in [description, *pieces] if description.strip() else [label]:
                words = text.without_stopwords(piece)
                if words:
                    texts.append(words)
                    labels.append(label)
        model = cls().fit(texts, labels, calibrate=False)
        model.source = "descriptions"
        return model

    # -- prediction ----------------------------------------------------------------------
    def predict(self, message: str) -> Prediction:
        """Route one message (the fast path: a fraction of a millisecond)."""
        self._require_fitted()
        toks = text.tokens(message)
        weighed = text.analyse(self._blocks, toks)
        columns, values = text.row(weighed)
        if len(columns) == 0:
            return self._unknown()
        probabilities = softmax(values @ self._weights[columns] + self._bias, self._scale)
        if self._fine is not None:
            probabilities = self._fine.blend(probabilities, values @ self._fine.weights[columns])
        return self._prediction(probabilities, weighed, toks)

    def predict_many(self, messages: Sequence[str]) -> list[Prediction]:
        """Route many messages: one matrix product for the scores."""
        self._require_fitted()
        tokenised = [text.tokens(message) for message in messages]
        analysed = [text.analyse(self._blocks, toks) for toks in tokenised]
        x = text.stack(analysed, self._weights.shape[0])
        probabilities = self._matrix_probabilities(x)
        empty = np.diff(x.indptr) == 0
        return [
            self._unknown() if empty[i] else self._prediction(probabilities[i], weighed, toks)
            for i, (toks, weighed) in enumerate(zip(tokenised, analysed, strict=True))
        ]

    def probabilities(self, messages: Sequence[str]) -> np.ndarray:
        """Class probabilities, one row per message and one column per ``classes`` entry."""
        self._require_fitted()
        x = text.matrix(self._blocks, messages, self._weights.shape[0])
        probabilities = self._matrix_probabilities(x)
        empty = np.diff(x.indptr) == 0
        probabilities[empty] = 1.0 / len(self._classes)
        return probabilities

    def _matrix_probabilities(self, x: sp.csr_matrix) -> np.ndarray:
        probabilities = softmax(np.asarray(x @ self._weights) + self._bias, self._scale)
        if self._fine is not None:
            probabilities = self._fine.blend(probabilities, np.asarray(x @ self._fine.weights))
        return probabilities

    def _unknown(self) -> Prediction:
        # No known word: the model knows nothing, so it says so (uniform probabilities)
        # rather than turning its intercepts into a confident guess.
        uniform = 1.0 / len(self._classes)
        others = [c for c in self._classes if c != self._fallback]
        alternatives = [(c, uniform) for c in [self._fallback, *others][:ALTERNATIVES]]
        return Prediction(self._fallback, uniform, alternatives, [])

    def _prediction(
        self, probabilities: np.ndarray, weighed: list[text.Weighed], toks: list[str]
    ) -> Prediction:
        order = np.argsort(-probabilities)[:ALTERNATIVES]
        best = int(order[0])
        shares = text.token_contributions(weighed, toks, self._weights[:, best], self._mean)
        ranked = sorted(((s, t) for t, s in shares.items() if s > 0), reverse=True)
        # Words far behind the strongest one ("in", "is") explain nothing to a person.
        evidence = [t for s, t in ranked[:EVIDENCE] if s >= EVIDENCE_SHARE * ranked[0][0]]
        return Prediction(
            label=self._classes[best],
            confidence=float(probabilities[best]),
            alternatives=[(self._classes[i], float(probabilities[i])) for i in order],
            evidence=evidence,
        )

    def _require_fitted(self) -> None:
        if not self._classes:
            raise ValueError("the classifier is not trained: call fit() or load() first")

    # -- persistence ---------------------------------------------------------------------
    def save(self, path: Path) -> None:
        """Write the model atomically: a crash leaves the old file or the new one, never half."""
        self._require_fitted()
        path = Path(path)
        state = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "classes": self._classes,
            "blocks": [
                {"kind": b.kind, "vocabulary": b.vocabulary, "idf": b.idf, "offset": b.offset}
                for b in self._blocks
            ],
            "weights": self._weights,
            "bias": self._bias,
            "scale": self._scale,
            "fallback": self._fallback,
            "calibrated": self.calibrated,
            "source": self.source,
            "trained_on": self.trained_on,
            "c": self.c,
            "fine": None if self._fine is None else self._fine.state(),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                joblib.dump(state, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path) -> TextClassifier:
        path = Path(path)
        try:
            state = joblib.load(path)
        except FileNotFoundError:
            raise
        except Exception as exc:
            raise ModelFormatError(f"{path}: not a Litso triage model ({exc})") from exc
        if not isinstance(state, dict) or state.get("format") != FORMAT:
            raise ModelFormatError(f"{path}: not a Litso triage model")
        if state.get("version") != FORMAT_VERSION:
            raise ModelFormatError(
                f"{path}: model format version {state.get('version')}, this Litso reads "
                f"version {FORMAT_VERSION}; train it again (litso triage train)"
            )
        model = cls(c=float(state["c"]))
        model._classes = list(state["classes"])
        model._blocks = [text.Block(**block) for block in state["blocks"]]
        model._weights = state["weights"]
        model._mean = model._weights.mean(axis=1)
        model._bias = state["bias"]
        model._scale = float(state["scale"])
        model._fallback = state["fallback"]
        model.calibrated = bool(state["calibrated"])
        model.source = state["source"]
        model.trained_on = int(state["trained_on"])
        fine = state.get("fine")  # absent from files written before finer labels existed
        model._fine = None if fine is None else _FineModel.build(**fine, classes=model._classes)
        return model


@dataclass
class _FineModel:
    """The model of (label, fine label) pairs and which label each pair belongs to."""

    classes: list[str]
    weights: np.ndarray  # features × pairs
    bias: np.ndarray
    scale: float
    to_label: np.ndarray  # pairs × labels, one 1 per row

    @classmethod
    def build(
        cls,
        fine_classes: list[str],
        classes: list[str],
        weights: np.ndarray,
        bias: np.ndarray,
        scale: float,
    ) -> _FineModel:
        index = {label: i for i, label in enumerate(classes)}
        to_label = np.zeros((len(fine_classes), len(classes)), dtype=np.float32)
        for row, pair in enumerate(fine_classes):
            to_label[row, index[pair.split(FINE_SEP, 1)[0]]] = 1.0
        return cls(list(fine_classes), weights, bias, float(scale), to_label)

    def blend(self, probabilities: np.ndarray, fine_scores: np.ndarray) -> np.ndarray:
        fine = softmax(fine_scores + self.bias, self.scale) @ self.to_label
        return np.asarray((1.0 - FINE_WEIGHT) * probabilities + FINE_WEIGHT * fine)

    def state(self) -> dict[str, Any]:
        return {
            "fine_classes": self.classes,
            "weights": self.weights,
            "bias": self.bias,
            "scale": self.scale,
        }


def _train(x: sp.csr_matrix, labels: list[str], c: float) -> tuple[np.ndarray, np.ndarray]:
    """A one-vs-rest linear SVM as (features × classes weights, per-class bias), classes sorted.

    With two classes LinearSVC learns one score s for the second; the first gets -s, so both
    cases score through the same matrix product.
    """
    from sklearn.svm import LinearSVC  # here: a worker that only routes never loads sklearn

    svm = LinearSVC(C=c, random_state=0).fit(x, labels)
    coef = svm.coef_.astype(np.float32)
    bias = svm.intercept_.astype(np.float32)
    if coef.shape[0] == 1:
        coef = np.vstack([-coef, coef])
        bias = np.concatenate([-bias, bias])
    return np.ascontiguousarray(coef.T), bias


def _fit_features(texts: Sequence[str]) -> tuple[list[text.Block], sp.csr_matrix]:
    """The vocabularies and idf weights learnt from the texts, and the texts' feature rows."""
    # Imported here: scikit-learn costs a routing worker 70 MB and only training needs it.
    from sklearn.feature_extraction.text import TfidfVectorizer

    min_df = 2 if len(texts) > MIN_DF_ABOVE else 1
    blocks: list[text.Block] = []
    parts: list[sp.csr_matrix] = []
    offset = 0
    for kind, analyse in (("words", text.analyse_words), ("chars", text.analyse_chars)):
        vectoriser = TfidfVectorizer(
            analyzer=analyse, sublinear_tf=True, min_df=min_df, dtype=np.float32
        )
        try:
            part = vectoriser.fit_transform(texts)
        except ValueError:  # every text empty of this block's grams
            continue
        blocks.append(
            text.Block(
                kind=kind,
                vocabulary={g: int(i) for g, i in vectoriser.vocabulary_.items()},
                idf=vectoriser.idf_.astype(np.float32),
                offset=offset,
            )
        )
        parts.append(part)
        offset += part.shape[1]
    if not parts:
        return blocks, sp.csr_matrix((len(texts), 0), dtype=np.float32)
    return blocks, sp.hstack(parts, format="csr", dtype=np.float32)
