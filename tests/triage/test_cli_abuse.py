"""`litso triage abuse`: one JSON object per input line, in order, whatever the bytes."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command


def run_abuse(data: bytes, monkeypatch: pytest.MonkeyPatch, *args: str) -> list[dict[str, Any]]:
    stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)
    out = io.StringIO()
    call_command("triage", "abuse", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_one_object_per_line_in_order_with_exactly_three_keys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = "Thank you!\n\nты сука\nfuck this\n\n\nДобрый день\nlast line without newline"
    answers = run_abuse(data.encode(), monkeypatch)
    assert [a["flagged"] for a in answers] == [False, False, True, True, False, False, False, False]
    assert all(set(a) == {"score", "flagged", "reasons"} for a in answers)
    assert answers[1] == {"score": 0.0, "flagged": False, "reasons": []}
    assert answers[2]["reasons"] == ["profanity:ru:сука"]
    assert answers[3] == {"score": 0.9, "flagged": True, "reasons": ["profanity:en:fuck"]}


def test_bytes_that_are_not_utf8_and_stray_line_breaks_keep_the_count(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = (
        b"plain\r\n"
        + "ты хуйло".encode("cp1251") + b"\n"  # a legacy encoding: replaced, not fatal
        + b"fuck \xff\xfe you\n"
        + "half\rline\u2028same line".encode() + b"\n"
        + b"\x00\x01 control\n"
    )
    answers = run_abuse(data, monkeypatch)
    assert len(answers) == 5
    assert answers[2]["reasons"] == ["profanity:en:fuck"]
    assert [a["flagged"] for a in answers] == [False, False, True, False, False]


def test_reasons_are_printed_unescaped(monkeypatch: pytest.MonkeyPatch) -> None:
    stdin = io.TextIOWrapper(io.BytesIO("пиздец\n".encode()), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)
    out = io.StringIO()
    call_command("triage", "abuse", stdout=out)
    assert out.getvalue() == '{"score": 0.9, "flagged": true, "reasons": ["profanity:ru:пизд"]}\n'


def test_language_and_threshold_options(monkeypatch: pytest.MonkeyPatch) -> None:
    data = "That was stupid\nНу вы тупой\n".encode()
    assert [a["flagged"] for a in run_abuse(data, monkeypatch)] == [False, False]
    lowered = run_abuse(data, monkeypatch, "--threshold", "0.4")
    assert [a["flagged"] for a in lowered] == [True, True]
    english = run_abuse(data, monkeypatch, "--language", "en", "--threshold", "0.4")
    assert [a["reasons"] for a in english] == [["insult:en:stupid"], []]


def test_bad_options_are_refused() -> None:
    with pytest.raises(CommandError):
        call_command("triage", "abuse", "--threshold", "2")
    with pytest.raises(CommandError):
        call_command("triage", "abuse", "--language", "de")


def test_the_litso_command_answers_each_line_as_it_arrives(tmp_path: Path) -> None:
    # Its own SQLite desk: the abuse scorer needs no database, but Django's start-up checks
    # would fail on the test run's DATABASE_URL, whose database the test runner renames.
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["LITSO_DATA_DIR"] = str(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "litso.cli", "triage", "abuse"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
    )  # fmt: skip
    assert process.stdin is not None
    assert process.stdout is not None
    try:
        # The first answer comes back while stdin is still open: the command streams.
        process.stdin.write("kurwa mać\n".encode())
        process.stdin.flush()
        first = json.loads(process.stdout.readline())
        process.stdin.write(b"hello\n")
        process.stdin.close()
        rest = process.stdout.read().decode().splitlines()
    finally:
        process.wait(timeout=60)
    assert first == {"score": 0.9, "flagged": True, "reasons": ["profanity:pl:kurwa"]}
    assert [json.loads(line) for line in rest] == [{"score": 0.0, "flagged": False, "reasons": []}]
    assert process.returncode == 0
