"""`litso triage eval --train TRAIN --test TEST`: how well would the router do on your data?

Trains a fresh router on TRAIN (CSV or JSON Lines, see ``litso.triage.datasets``), routes every
message of TEST and prints one JSON object: accuracy, macro F1, training time and the latency
of routing one message at a time (p50/p99 in milliseconds), as the desk routes mail. Nothing is
saved and no network is used. A file that cannot be read ends the command with one line naming
the file, the line and the column.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from django.core.management.base import CommandError
from sklearn.metrics import f1_score

from litso.triage.classifier import NotEnoughData, Prediction, TextClassifier
from litso.triage.datasets import DatasetError, load_examples

# Latency is measured on every test message up to this many (evenly spread beyond it): enough
# for a stable p99 without making a large evaluation twice as long.
LATENCY_SAMPLES = 5_000


@dataclass
class Evaluation:
    """The figures ``litso triage eval`` prints, and what produced them (for bench scripts)."""

    report: dict[str, Any]
    model: TextClassifier
    test_texts: list[str]
    test_labels: list[str]
    predictions: list[Prediction]


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "eval", help="train a fresh router on one labelled file and measure it on another"
    )
    parser.add_argument("--train", required=True, help="labelled examples to learn from")
    parser.add_argument("--test", required=True, help="labelled examples to measure on")
    parser.add_argument("--text-col", default="text", help="column or key of the text")
    parser.add_argument("--label-col", default="label", help="column or key of the label")
    parser.add_argument(
        "--fine-label-col",
        default=None,
        help="optional column or key of a finer label that subdivides the label (e.g. the "
        "request type of a department): the router learns both and routes more accurately",
    )


def run(command: Any, **options: Any) -> None:
    try:
        result = evaluate(
            Path(options["train"]),
            Path(options["test"]),
            text_col=options.get("text_col") or "text",
            label_col=options.get("label_col") or "label",
            fine_label_col=options.get("fine_label_col") or None,
        )
    except (DatasetError, NotEnoughData) as exc:
        raise CommandError(str(exc)) from None
    command.stdout.write(json.dumps(result.report, ensure_ascii=False))


def evaluate(
    train: Path,
    test: Path,
    text_col: str = "text",
    label_col: str = "label",
    fine_label_col: str | None = None,
) -> Evaluation:
    """Train on one file, measure on the other; raises DatasetError or NotEnoughData."""
    train_texts, train_labels = load_examples(train, text_col, label_col)
    test_texts, test_labels = load_examples(test, text_col, label_col)
    # Read in a second pass: the same rows in the same order, checked the same way.
    fine_labels = load_examples(train, text_col, fine_label_col)[1] if fine_label_col else None
    started, started_cpu = time.perf_counter(), time.process_time()
    model = TextClassifier().fit(train_texts, train_labels, fine_labels=fine_labels)
    train_seconds = time.perf_counter() - started
    train_cpu_seconds = time.process_time() - started_cpu

    predictions = model.predict_many(test_texts)
    predicted = [p.label for p in predictions]
    latencies, cpu = _latencies_ms(model, test_texts)
    known = set(model.classes)
    correct = [p == t for p, t in zip(predicted, test_labels, strict=True)]
    report = {
        "accuracy": _round(float(np.mean(correct))),
        "macro_f1": _round(
            float(f1_score(test_labels, predicted, average="macro", zero_division=0))
        ),
        "train_seconds": round(train_seconds, 2),
        "train_cpu_seconds": round(train_cpu_seconds, 2),
        "latency_ms_p50": _round(float(np.percentile(latencies, 50))),
        "latency_ms_p99": _round(float(np.percentile(latencies, 99))),
        "train_examples": len(train_texts),
        "test_examples": len(test_texts),
        "classes": len(known),
        "test_labels_not_in_train": sorted(set(test_labels) - known),
        "mean_confidence": _round(float(np.mean([p.confidence for p in predictions]))),
        "calibrated": model.calibrated,
        "fine_labels": fine_label_col is not None,
        "latency_samples": len(latencies),
        "latency_cpu_ms_p50": _round(float(np.percentile(cpu, 50))),
        "latency_cpu_ms_p99": _round(float(np.percentile(cpu, 99))),
    }
    return Evaluation(report, model, test_texts, test_labels, predictions)


def _latencies_ms(model: TextClassifier, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Wall-clock and CPU milliseconds of routing each message alone.

    On a busy machine the wall-clock tail includes time the process waited for a core; the
    CPU time says what routing itself costs.
    """
    step = max(1, len(texts) // LATENCY_SAMPLES)
    sample = texts[::step][:LATENCY_SAMPLES]
    model.predict(sample[0])  # the first call fills caches; a desk routes mail all day
    wall = np.empty(len(sample))
    cpu = np.empty(len(sample))
    for i, message in enumerate(sample):
        started, started_cpu = time.perf_counter(), time.thread_time()
        model.predict(message)
        cpu[i] = (time.thread_time() - started_cpu) * 1000.0
        wall[i] = (time.perf_counter() - started) * 1000.0
    return wall, cpu


def _round(value: float) -> float:
    return round(value, 4)
