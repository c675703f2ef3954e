"""Temperature scaling of the router's scores, and the folds it is fitted on."""

from __future__ import annotations

import numpy as np

from litso.triage.classifier_calibration import fit_scale, fold_ids, softmax


def test_fit_scale_recovers_the_temperature_of_the_data() -> None:
    rng = np.random.default_rng(1)
    scores = rng.normal(size=(4000, 5))
    truth = np.array([rng.choice(5, p=p) for p in softmax(scores, 3.0)])
    assert abs(fit_scale(scores, truth) - 3.0) < 0.3


def test_all_held_out_right_does_not_promise_certainty() -> None:
    scores = np.array([[2.0, -1.0, -1.0]] * 10)
    truth = np.zeros(10, dtype=np.int64)
    scale = fit_scale(scores, truth)
    mean_confidence = softmax(scores, scale).max(axis=1).mean()
    assert mean_confidence <= 11 / 12 + 1e-6  # rule of succession: (10 + 1) / (10 + 2)
    assert mean_confidence > 0.85


def test_no_held_out_data_keeps_the_default_scale() -> None:
    assert fit_scale(np.zeros((0, 3)), np.zeros(0, dtype=np.int64)) == 1.0


def test_missing_classes_get_no_probability() -> None:
    scores = np.array([[1.0, -np.inf, 0.0], [0.0, -np.inf, 2.0]])
    scale = fit_scale(scores, np.array([0, 2]))
    assert scale > 0
    probabilities = softmax(np.where(np.isfinite(scores), scores, -1e9), scale)
    assert np.all(probabilities[:, 1] == 0)


def test_folds_spread_every_class() -> None:
    labels = ["a"] * 9 + ["b"] * 3 + ["c"]
    ids = fold_ids(labels, 3, seed=0)
    assert sorted(ids[:9].tolist()) == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    assert sorted(ids[9:12].tolist()) == [0, 1, 2]
    assert fold_ids(labels, 3, seed=0).tolist() == ids.tolist()
