"""`litso triage eval`: one JSON object on success, one line naming the problem on failure."""

from __future__ import annotations

import csv
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from litso.cli import main
from tests.triage.routing_fixtures import TEST, TRAIN

KEYS = {"accuracy", "macro_f1", "train_seconds", "latency_ms_p50", "latency_ms_p99"}


def write_csv(path: Path, rows: list[tuple[str, str]], header: tuple[str, str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_jsonl(path: Path, rows: list[tuple[str, str]], header: tuple[str, str]) -> Path:
    lines = [json.dumps(dict(zip(header, row, strict=True)), ensure_ascii=False) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def eval_json(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command("triage", "eval", *args, stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    result: dict[str, Any] = json.loads(lines[0])
    return result


def test_eval_prints_one_json_object_with_the_figures(tmp_path: Path) -> None:
    train = write_csv(tmp_path / "train.csv", TRAIN, ("text", "label"))
    test = write_jsonl(tmp_path / "test.jsonl", [*TEST, ("Доставка", "unknown")], ("text", "label"))
    result = eval_json("--train", str(train), "--test", str(test))
    assert set(result) >= KEYS
    assert result["train_examples"] == len(TRAIN)
    assert result["test_examples"] == len(TEST) + 1
    assert result["classes"] == 4
    assert result["test_labels_not_in_train"] == ["unknown"]
    assert 0.9 <= float(result["accuracy"]) < 1.0
    assert 0.5 <= float(result["macro_f1"]) < 1.0
    assert 0 < float(result["latency_ms_p50"]) <= float(result["latency_ms_p99"])
    assert float(result["train_seconds"]) > 0


def test_eval_with_other_column_names(tmp_path: Path) -> None:
    train = write_jsonl(tmp_path / "train.jsonl", TRAIN, ("utterance", "intent"))
    test = write_csv(tmp_path / "test.csv", TEST, ("utterance", "intent"))
    args = ["--text-col", "utterance", "--label-col", "intent"]
    result = eval_json("--train", str(train), "--test", str(test), *args)
    assert result["test_examples"] == len(TEST)
    assert float(result["accuracy"]) >= 0.9
    with pytest.raises(CommandError, match=r"^train\.jsonl line 1: no key 'text' \(keys: utt"):
        call_command("triage", "eval", "--train", str(train), "--test", str(test))


def test_bad_files_end_with_one_line(tmp_path: Path) -> None:
    train = write_csv(tmp_path / "train.csv", TRAIN, ("text", "label"))
    bad = tmp_path / "test.jsonl"
    bad.write_text('{"text": "a", "label": "b"}\n{"text": "a" "label": "b"}\n', encoding="utf-8")
    with pytest.raises(CommandError, match=r"^test\.jsonl line 2, column 14: invalid JSON"):
        call_command("triage", "eval", "--train", str(train), "--test", str(bad))
    one_label = write_csv(tmp_path / "one.csv", [("a b", "x"), ("c d", "x")], ("text", "label"))
    with pytest.raises(CommandError, match="at least two labels"):
        call_command("triage", "eval", "--train", str(one_label), "--test", str(train))


def test_the_litso_command_shows_no_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "train.csv"
    bad.write_text("text,label\nhello,\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        main(["triage", "eval", "--train", str(bad), "--test", str(bad)])
    assert exit_.value.code != 0
    captured = capsys.readouterr()
    assert captured.err.strip().splitlines() == [
        "CommandError: train.csv line 2: column 'label' is empty"
    ]
    assert captured.out == ""


def test_eval_with_a_finer_label_column(tmp_path: Path) -> None:
    train = tmp_path / "train.jsonl"
    lines = [
        json.dumps({"text": t, "label": label, "kind": "long" if len(t) > 40 else "short"})
        for t, label in TRAIN
    ]
    train.write_text("\n".join(lines) + "\n", encoding="utf-8")
    test = write_jsonl(tmp_path / "test.jsonl", TEST, ("text", "label"))
    result = eval_json("--train", str(train), "--test", str(test), "--fine-label-col", "kind")
    assert result["fine_labels"] is True
    assert float(result["accuracy"]) >= 0.9
    with pytest.raises(CommandError, match=r"^train\.jsonl line 1: no key 'sort'"):
        call_command(
            "triage", "eval", "--train", str(train), "--test", str(test), "--fine-label-col", "sort"
        )
