"""Reading labelled files for `litso triage eval`: formats, and errors that name the place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from litso.triage.datasets import DatasetError, iter_examples, load_examples


def write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def test_csv_with_bom_quotes_and_multiline_text(tmp_path: Path) -> None:
    path = write(
        tmp_path / "train.csv",
        '\ufefftext,label\n"Where is my refund, please?",billing\n'
        '"Line one\nline two",technical\r\nZażółć gęślą jaźń,delivery\n',
    )
    examples = list(iter_examples(path))
    assert [(e.text, e.label, e.line) for e in examples] == [
        ("Where is my refund, please?", "billing", 2),
        ("Line one\nline two", "technical", 3),
        ("Zażółć gęślą jaźń", "delivery", 5),
    ]


def test_csv_separated_by_semicolons_with_other_columns(tmp_path: Path) -> None:
    path = write(
        tmp_path / "export.csv",
        "id;utterance;intent\n1;Счёт неверный, проверьте;billing\n2;Paczka nie dotarła;delivery\n",
    )
    texts, labels = load_examples(path, text_col="utterance", label_col="intent")
    assert texts == ["Счёт неверный, проверьте", "Paczka nie dotarła"]
    assert labels == ["billing", "delivery"]


def test_tsv_blank_rows_and_padded_cells(tmp_path: Path) -> None:
    path = write(tmp_path / "a.tsv", "text\tlabel\t\nhello there\t 2 \t\n\n\t\t\nbye now\t1\t\n")
    assert load_examples(path) == (["hello there", "bye now"], ["2", "1"])


def test_json_lines_with_numeric_labels_and_blank_lines(tmp_path: Path) -> None:
    rows = [{"text": "Где посылка?", "label": 3, "id": 1}, {"text": "Faktura", "label": "b"}]
    content = json.dumps(rows[0], ensure_ascii=False) + "\n\n" + json.dumps(rows[1]) + "\n"
    path = write(tmp_path / "test.jsonl", "\ufeff" + content)
    examples = list(iter_examples(path))
    assert [(e.text, e.label, e.line) for e in examples] == [
        ("Где посылка?", "3", 1),
        ("Faktura", "b", 3),
    ]


def test_json_array_and_sniffed_formats(tmp_path: Path) -> None:
    array = write(tmp_path / "data.json", '[{"text": "a b", "label": "x"}]')
    assert load_examples(array) == (["a b"], ["x"])
    jsonl = write(tmp_path / "data.txt", '{"text": "a b", "label": "x"}\n')
    assert load_examples(jsonl) == (["a b"], ["x"])
    csv_file = write(tmp_path / "data", "text,label\na b,x\n")
    assert load_examples(csv_file) == (["a b"], ["x"])


def test_reading_is_lazy(tmp_path: Path) -> None:
    path = write(tmp_path / "t.jsonl", '{"text": "ok", "label": "a"}\nnot json\n')
    examples = iter_examples(path)
    assert next(examples).text == "ok"
    with pytest.raises(DatasetError, match="line 2"):
        next(examples)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", "", r"^empty\.csv: the file is empty$"),
        ("blank.jsonl", "\n  \n", r"^blank\.jsonl: the file is empty$"),
        (
            "train.csv",
            "utterance,intent\nhi,x\n",
            r"^train\.csv: no column 'text' \(columns: utterance, intent\)$",
        ),
        (
            "train.csv",
            "text,label\nhi,a\nhello,\n",
            r"^train\.csv line 3: column 'label' is empty$",
        ),
        (
            "train.csv",
            'text,label\n"two\nlines",a\n" ",b\n',
            r"^train\.csv line 4: column 'text' is empty$",
        ),
        (
            "train.csv",
            "text,label\nhi, there,a\n",
            r"^train\.csv line 2: 3 fields, the header has 2 \(is a quote missing",
        ),
        ("only-header.csv", "text,label\n", r"^only-header\.csv: no examples in the file$"),
        (
            "test.jsonl",
            '{"text": "a", "label": "b"}\n\n{"text": "a" "label": "b"}\n',
            r"^test\.jsonl line 3, column 14: invalid JSON: Expecting ',' delimiter$",
        ),
        (
            "test.jsonl",
            '["a", "b"]\n',
            r"^test\.jsonl line 1: expected a JSON object, got an array$",
        ),
        (
            "test.jsonl",
            '{"body": "a", "label": "b"}\n',
            r"^test\.jsonl line 1: no key 'text' \(keys: body, label\)$",
        ),
        (
            "test.jsonl",
            '{"text": 5, "label": "b"}\n',
            r"^test\.jsonl line 1: key 'text' must be text, not a number$",
        ),
        (
            "test.jsonl",
            '{"text": "a", "label": null}\n',
            r"^test\.jsonl line 1: key 'label' is empty$",
        ),
        (
            "data.json",
            '[{"text": "a", "label": "b"},\n {"text": "a", "label": ["b"]}]',
            r"^data\.json item 2: key 'label' must be text, not an array$",
        ),
        (
            "data.json",
            '[{"text": "a",\n "label": "b"',
            r"^data\.json line 2, column 14: invalid JSON: Expecting ',' delimiter$",
        ),
    ],
)
def test_errors_name_the_file_line_and_column(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = write(tmp_path / name, content)
    with pytest.raises(DatasetError, match=message):
        load_examples(path)


def test_legacy_encoding_is_named_with_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path / "old.csv", b"text,label\nok,a\n" + "Счёт,b\n".encode("cp1251"))
    with pytest.raises(DatasetError, match=r"^old\.csv line 3, column 1: not UTF-8 \(byte 0xd1\)"):
        load_examples(path)
    array = write(tmp_path / "old.json", b'[\n{"text": "x\xe9", "label": "a"}]')
    with pytest.raises(DatasetError, match=r"^old\.json line 2, column 12: not UTF-8"):
        load_examples(array)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"nope\.csv: no such file$"):
        load_examples(tmp_path / "nope.csv")
    with pytest.raises(DatasetError, match="is a directory"):
        load_examples(tmp_path)
