"""Turning a linear model's scores into probabilities a threshold can be set on.

The router's confidence is ``softmax(scale · scores)``: one number, the scale, is fitted by
minimising the log-loss of held-out scores (temperature scaling). It keeps the model's ranking
and costs one extra fit on part of the data, where CalibratedClassifierCV would cost a fit per
fold *and* keep every fold's model for prediction (three times the memory and latency).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse as sp

# Without held-out data the scale stays 1: linear SVM scores live around [-1.5, 1.5], so
# softmax(1 · scores) gives modest confidences, which is the honest thing for an
# uncalibrated model (it keeps its predictions under a sensible threshold).
DEFAULT_SCALE = 1.0
# Above this many examples one held-out third is plenty to fit one number, and the other two
# folds would only double the training time.
ONE_FOLD_ABOVE = 5_000

# fit_scores(x, y) → (the classes it learnt, a function scoring rows against them)
Scorer = Callable[
    [sp.csr_matrix, np.ndarray], tuple[list[str], Callable[[sp.csr_matrix], np.ndarray]]
]


def fold_ids(labels: Sequence[str], folds: int, seed: int) -> np.ndarray:
    """A fold number per example, each class spread evenly over the folds."""
    rng = np.random.default_rng(seed)
    ids = np.zeros(len(labels), dtype=np.int64)
    by_class: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        by_class.setdefault(label, []).append(i)
    for members in by_class.values():
        order = rng.permutation(len(members))
        start = int(rng.integers(folds))
        for rank, pos in enumerate(order):
            ids[members[pos]] = (start + rank) % folds
    return ids


def held_out_scores(
    x: sp.csr_matrix,
    labels: Sequence[str],
    classes: Sequence[str],
    fit_scores: Scorer,
    folds: int = 3,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Scores of examples from models that did not see them, and their true class index.

    ``fit_scores(x, y)`` trains on a part and returns (its classes, a scoring function). A
    class missing from a fold's training part gets -inf (probability 0); examples of such a
    class are left out, since no model could have predicted them.
    """
    y = np.asarray(labels)
    index = {c: i for i, c in enumerate(classes)}
    ids = fold_ids(labels, folds, seed)
    used = 1 if len(labels) > ONE_FOLD_ABOVE else folds
    score_rows: list[np.ndarray] = []
    truth: list[np.ndarray] = []
    for fold in range(used):
        train, test = ids != fold, ids == fold
        if len(set(y[train])) < 2 or not test.any():
            continue
        fold_classes, score = fit_scores(x[train], y[train])
        known = set(fold_classes)
        keep = np.array([label in known for label in y[test]])
        if not keep.any():
            continue
        part = score(x[test][keep])
        full = np.full((part.shape[0], len(classes)), -np.inf)
        full[:, [index[c] for c in fold_classes]] = part
        score_rows.append(full)
        truth.append(np.array([index[label] for label in y[test][keep]]))
    if not score_rows:
        return np.zeros((0, len(classes))), np.zeros(0, dtype=np.int64)
    return np.vstack(score_rows), np.concatenate(truth)


def fit_scale(scores: np.ndarray, truth: np.ndarray) -> float:
    """The scale that minimises the log-loss of softmax(scale · scores)."""
    if len(truth) == 0:
        return DEFAULT_SCALE
    # Imported here, with the rest of training: a worker that only routes does not need them.
    from scipy.optimize import minimize_scalar
    from scipy.special import logsumexp

    finite = np.where(np.isfinite(scores), scores, -1e9)
    picked = finite[np.arange(len(truth)), truth]

    def loss(log_scale: float) -> float:
        scale = float(np.exp(log_scale))
        return float(np.mean(logsumexp(scale * finite, axis=1) - scale * picked))

    best = minimize_scalar(loss, bounds=(-4.0, 6.0), method="bounded")
    return _cap(float(best.x), finite, truth)


def _cap(log_scale: float, scores: np.ndarray, truth: np.ndarray) -> float:
    """Never more confident on average than the held-out hits allow.

    When every held-out example was right (a small desk, easy labels) the log-loss keeps
    falling as the scale grows and would promise certainty. The rule of succession,
    (hits + 1) / (n + 2), bounds the mean confidence instead; on large data it barely binds.
    """
    hits = int(np.sum(scores.argmax(axis=1) == truth))
    bound = (hits + 1) / (len(truth) + 2)

    def mean_confidence(log_s: float) -> float:
        return float(softmax(scores, float(np.exp(log_s))).max(axis=1).mean())

    if mean_confidence(log_scale) <= bound:
        return float(np.exp(log_scale))
    low, high = -4.0, log_scale
    for _ in range(40):
        middle = (low + high) / 2
        low, high = (middle, high) if mean_confidence(middle) <= bound else (low, middle)
    return float(np.exp(low))


def softmax(scores: np.ndarray, scale: float) -> np.ndarray:
    z = scale * scores
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=-1, keepdims=True))
