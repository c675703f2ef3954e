"""The learned router on clinc150 (shared/data/routing/clinc150), through `litso triage eval`.

    .venv/bin/python bench/routing_eval.py [--data PATH] [--quick]

clinc150's 150 intents fall into 10 domains. Two tasks, each trained and measured by
``litso.triage.cli_eval.evaluate`` (what `litso triage eval` runs) on CSV/JSON Lines files this
script writes from the data set:
- departments: the 10 domains, learnt with the intents as finer labels
  (``--fine-label-col intent``, as the desk's department router learns from request types),
  and, for comparison, without them; request types: the 150 intents;
- each trained on ``train`` (15,000 messages) and, for the final figure, on ``train+val``
  (18,000); always measured on the in-scope ``test`` split (4,500). ``--quick`` skips
  train+val.

Out of scope: clinc150 also has messages that belong to no intent (``oos_*``). A desk should
leave such mail in the triage view. The confidence threshold is picked on ``val`` and
``oos_val`` with the train-only model (the one that has not seen ``val``): the threshold
maximising the mean of (share of out-of-scope messages held) and (share of in-scope messages
decided well: routed to the right label, or held when the prediction was wrong). On the test
splits it reports: out-of-scope held, in-scope held, in-scope routed wrongly.

Also: the model's size on disk and the resident memory of a fresh process serving it, and the
peak RSS of this process (training included). Targets (issue #5): domain accuracy >= 0.98,
intent accuracy >= 0.93, p50 and p99 < 1 ms per message, training < 60 s.
Writes bench/results/routing_eval.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
from _setup import write_result
from litso.triage.classifier import TextClassifier
from litso.triage.cli_eval import evaluate

SHARED = Path(
    os.environ.get("LITSO_SHARED_DATA") or Path(__file__).resolve().parents[2] / "shared/data"
)
DATA = SHARED / "routing" / "clinc150" / "data"
TARGETS = {"domain": 0.98, "domain_plain": 0.98, "intent": 0.93}
THRESHOLDS = np.round(np.arange(0.05, 0.96, 0.01), 2)
DESK_DEFAULT = 0.60  # LITSO_TRIAGE_ROUTE_CONFIDENCE

Pairs = list[tuple[str, str]]


def write_csv(path: Path, rows: Pairs, fine: list[str] | None = None) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        if fine is None:
            writer.writerow(["text", "label"])
            writer.writerows(rows)
        else:
            writer.writerow(["text", "label", "fine"])
            writer.writerows((t, label, f) for (t, label), f in zip(rows, fine, strict=True))
    return path


def write_jsonl(path: Path, rows: Pairs) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for text, label in rows:
            handle.write(json.dumps({"text": text, "label": label}, ensure_ascii=False) + "\n")
    return path


def pick_threshold(model: TextClassifier, val: Pairs, oos: list[str]) -> dict[str, float]:
    predictions = model.predict_many([t for t, _ in val])
    confidence = np.array([p.confidence for p in predictions])
    correct = np.array([p.label == label for p, (_, label) in zip(predictions, val, strict=True)])
    oos_confidence = np.array([p.confidence for p in model.predict_many(oos)])
    best: dict[str, float] = {}
    for threshold in THRESHOLDS:
        held = confidence < threshold
        good_in = float(np.mean(np.where(held, ~correct, correct)))
        oos_held = float(np.mean(oos_confidence < threshold))
        score = (good_in + oos_held) / 2
        if not best or score > best["score"]:
            best = {"threshold": float(threshold), "score": round(score, 4)}
    return best


def out_of_scope(
    model: TextClassifier, test: Pairs, oos: list[str], threshold: float
) -> dict[str, Any]:
    predictions = model.predict_many([t for t, _ in test])
    confidence = np.array([p.confidence for p in predictions])
    correct = np.array([p.label == label for p, (_, label) in zip(predictions, test, strict=True)])
    held = confidence < threshold
    oos_confidence = np.array([p.confidence for p in model.predict_many(oos)])
    return {
        "threshold": threshold,
        "oos_test_held": round(float(np.mean(oos_confidence < threshold)), 4),
        "in_scope_test_held": round(float(np.mean(held)), 4),
        "in_scope_test_routed_wrongly": round(float(np.mean(~held & ~correct)), 4),
        "accuracy_of_routed": round(float(np.mean(correct[~held])), 4),
        "wrong_predictions_held": round(float(np.mean(held[~correct])), 4)
        if (~correct).any()
        else None,
    }


def serving_memory(model_path: Path) -> dict[str, float]:
    """RSS of a fresh process before and after loading the model and routing 1,000 messages."""
    code = (
        "import sys; from pathlib import Path\n"
        "from litso.triage.classifier import TextClassifier\n"
        "def rss():\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith('VmRSS:'): return int(line.split()[1]) / 1024\n"
        "before = rss(); model = TextClassifier.load(Path(sys.argv[1]))\n"
        "for i in range(1000): model.predict(f'please move my meeting to friday number {i}')\n"
        "peak = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')][0]\n"
        "print(before, rss(), int(peak.split()[1]) / 1024)\n"
    )
    src = str(Path(__file__).resolve().parent.parent / "src")
    env = {**os.environ, "PYTHONPATH": src}
    out = subprocess.run(
        [sys.executable, "-c", code, str(model_path)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout.split()
    before, after, peak = map(float, out)
    return {
        "rss_mib_before_load": round(before, 1),
        "rss_mib_serving": round(after, 1),
        "rss_mib_model": round(after - before, 1),
        "peak_rss_mib": round(peak, 1),
    }


def reference_us() -> float:
    """Microseconds for sum(range(1000)): about 10 on an idle core, more when it is shared."""
    return round(min(timeit.repeat("sum(range(1000))", number=2000, repeat=5)) / 2000 * 1e6, 1)


def run_task(
    name: str,
    splits: dict[str, Pairs],
    oos: dict[str, list[str]],
    tmp: Path,
    quick: bool,
    fine: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    test = write_jsonl(tmp / f"{name}-test.jsonl", splits["test"])
    figures: dict[str, Any] = {}
    variants = [("train", splits["train"], fine["train"] if fine else None)]
    if not quick:
        variants.append(
            (
                "train+val",
                splits["train"] + splits["val"],
                fine["train"] + fine["val"] if fine else None,
            )
        )
    threshold = 0.5
    for variant, rows, fine_rows in variants:
        train = write_csv(tmp / f"{name}-{variant}.csv", rows, fine_rows)
        result = evaluate(train, test, fine_label_col="fine" if fine_rows else None)
        entry: dict[str, Any] = dict(result.report)
        entry.pop("test_labels_not_in_train")
        if variant == "train":
            picked = pick_threshold(result.model, splits["val"], oos["val"])
            threshold = picked["threshold"]
            entry["threshold_picked_on_val"] = picked
        entry["out_of_scope"] = out_of_scope(result.model, splits["test"], oos["test"], threshold)
        entry["out_of_scope_at_desk_default"] = out_of_scope(
            result.model, splits["test"], oos["test"], DESK_DEFAULT
        )
        model_path = tmp / f"{name}-{variant}.joblib"
        result.model.save(model_path)
        entry["model_mib_on_disk"] = round(model_path.stat().st_size / 2**20, 1)
        entry["serving"] = serving_memory(model_path)
        entry["bench_process_peak_rss_mib"] = round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
        )
        figures[variant] = entry
        print(f"  {name} / {variant}: accuracy {entry['accuracy']}, {entry['train_seconds']} s")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--quick", action="store_true", help="train on train only")
    args = parser.parse_args()
    data: Path = args.data
    if not (data / "data_full.json").is_file():
        print(f"routing_eval: skipped, no clinc150 data at {data}")
        return
    full = json.loads((data / "data_full.json").read_text(encoding="utf-8"))
    domains = json.loads((data / "domains.json").read_text(encoding="utf-8"))
    domain_of = {intent: domain for domain, intents in domains.items() for intent in intents}
    oos = {"val": [t for t, _ in full["oos_val"]], "test": [t for t, _ in full["oos_test"]]}
    intents = {
        split: [(t, label) for t, label in full[split]] for split in ("train", "val", "test")
    }
    by_domain = {
        split: [(t, domain_of[label]) for t, label in rows] for split, rows in intents.items()
    }
    started = time.perf_counter()
    figures: dict[str, Any] = {"data": str(data), "test_split": "test (in scope, 4,500)"}
    # The machine is shared: a wall-clock figure means little without the load it ran under.
    figures["load_average_at_start"] = os.getloadavg()[0]
    figures["reference_us_at_start"] = reference_us()
    with tempfile.TemporaryDirectory(prefix="routing-eval-") as tmp:
        fine = {split: [label for _, label in rows] for split, rows in intents.items()}
        figures["domain"] = run_task("domain", by_domain, oos, Path(tmp), args.quick, fine)
        figures["domain_plain"] = run_task("domain_plain", by_domain, oos, Path(tmp), args.quick)
        figures["intent"] = run_task("intent", intents, oos, Path(tmp), args.quick)
    figures["targets"] = {"accuracy": TARGETS, "latency_ms": 1.0, "train_seconds": 60}
    figures["seconds"] = round(time.perf_counter() - started, 1)
    figures["load_average_at_end"] = os.getloadavg()[0]
    figures["reference_us_at_end"] = reference_us()
    _print(figures)
    print(f"wrote {write_result('routing_eval', figures)}")


def _print(figures: dict[str, Any]) -> None:
    head = (
        f"{'task':12} {'trained on':10} {'accuracy':>8} {'macro F1':>8} {'train s':>7} "
        f"{'cpu s':>6} {'p50 ms':>7} {'p99 ms':>7} {'p99 cpu':>7} {'MiB disk':>8} "
        f"{'MiB RSS':>7}  target"
    )
    print(head)
    print("-" * len(head))
    for task in ("domain", "domain_plain", "intent"):
        for variant, e in figures[task].items():
            met = "met" if e["accuracy"] >= TARGETS[task] else "MISSED"
            print(
                f"{task:12} {variant:10} {e['accuracy']:8.4f} {e['macro_f1']:8.4f} "
                f"{e['train_seconds']:7.1f} {e['train_cpu_seconds']:6.1f} "
                f"{e['latency_ms_p50']:7.3f} {e['latency_ms_p99']:7.3f} "
                f"{e['latency_cpu_ms_p99']:7.3f} "
                f"{e['model_mib_on_disk']:8.1f} {e['serving']['rss_mib_model']:7.1f}  "
                f">= {TARGETS[task]} {met}"
            )
    print("\nout of scope (threshold picked on val + oos_val with the train-only model,")
    print("and the desk's default LITSO_TRIAGE_ROUTE_CONFIDENCE=60):")
    for task in ("domain", "domain_plain", "intent"):
        for variant, e in figures[task].items():
            for o in (e["out_of_scope"], e["out_of_scope_at_desk_default"]):
                _print_oos(task, variant, o)
    print(
        f"({figures['seconds']} s; load average {figures['load_average_at_start']:.1f} at the "
        f"start, {figures['load_average_at_end']:.1f} at the end, on {os.cpu_count()} cores; "
        f"sum(range(1000)) took {figures['reference_us_at_start']} µs at the start, "
        f"{figures['reference_us_at_end']} µs at the end)"
    )


def _print_oos(task: str, variant: str, o: dict[str, Any]) -> None:
    print(
        f"  {task:7} {variant:10} threshold {o['threshold']:.2f}: oos_test held "
        f"{o['oos_test_held']:.1%}, in-scope held {o['in_scope_test_held']:.1%}, "
        f"in-scope routed wrongly {o['in_scope_test_routed_wrongly']:.1%}, "
        f"accuracy of routed {o['accuracy_of_routed']:.2%}"
    )


if __name__ == "__main__":
    main()
