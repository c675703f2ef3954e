"""Does a change to the parser change what it returns? Snapshot and compare, file by file.

    .venv/bin/python bench/mail_parse_compare.py --save SNAPSHOT.jsonl [DIR ...]
    .venv/bin/python bench/mail_parse_compare.py --compare SNAPSHOT.jsonl [DIR ...]

Every file under the directories (default: tests/mail/corpus, ../shared/data/email and the
cached corpus of bench/mail_ingest.py if present) is parsed with parse_message and classified
with autoreply.explain; the result (every field of ParsedMail, attachments by name, type and
SHA-256, the classification and its evidence) is written one line per file. --compare
parses again and lists every file whose result differs from the snapshot, and the time
parsing took both ways. Save with the old code, compare with the new.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
from litso.mail.autoreply import explain  # noqa: E402
from litso.mail.parsing import ParsedMail, UnparseableMail, parse_message  # noqa: E402

DEFAULT_DIRS = (
    REPO / "tests" / "mail" / "corpus",
    REPO.parent / "shared" / "data" / "email",
    Path(tempfile.gettempdir()) / "litso-bench-mail" / "corpus" / "N2000-seed42",
)


def files(dirs: list[Path]) -> Iterator[Path]:
    for directory in dirs:
        if directory.is_dir():
            yield from sorted(p for p in directory.rglob("*") if p.is_file())


def plain(value: Any) -> Any:
    """A JSON-able form of a parse result; bytes by their hash and length."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, bytes):
        return {"sha256": hashlib.sha256(value).hexdigest(), "len": len(value)}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)


def result(raw: bytes) -> dict[str, Any]:
    try:
        parsed: ParsedMail = parse_message(raw)
    except UnparseableMail as exc:
        return {"unparseable": exc.reason}
    kind, evidence = explain(parsed)
    return {"parsed": plain(parsed), "kind": str(kind), "evidence": list(evidence)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--save", type=Path)
    mode.add_argument("--compare", type=Path)
    parser.add_argument("dirs", nargs="*", type=Path)
    args = parser.parse_args()
    dirs = args.dirs or list(DEFAULT_DIRS)

    seconds = 0.0
    results: dict[str, Any] = {}
    for path in files(dirs):
        raw = path.read_bytes()
        started = time.perf_counter()
        results[str(path)] = result(raw)
        seconds += time.perf_counter() - started
    if args.save:
        with args.save.open("w", encoding="utf-8") as out:
            out.write(json.dumps({"seconds": seconds}) + "\n")
            for name, value in results.items():
                out.write(json.dumps({"file": name, "result": value}, ensure_ascii=False) + "\n")
        print(f"saved {len(results)} results ({seconds:.2f} s of parsing) to {args.save}")
        return
    with args.compare.open(encoding="utf-8") as fh:
        before_seconds = json.loads(fh.readline())["seconds"]
        before = {row["file"]: row["result"] for row in map(json.loads, fh)}
    differ = [name for name in results if results[name] != before.get(name)]
    missing = [name for name in before if name not in results]
    print(f"{len(results)} files: {len(differ)} differ, {len(missing)} not parsed now; "
          f"parsing {before_seconds:.2f} s before, {seconds:.2f} s now")
    for name in differ[:20]:
        old, new = before.get(name), results[name]
        print(f"  {name}")
        if isinstance(old, dict) and isinstance(new, dict) and "parsed" in old and "parsed" in new:
            for key in new["parsed"]:
                if new["parsed"][key] != old["parsed"].get(key):
                    print(f"    {key}: {str(old['parsed'].get(key))[:200]!r}\n"
                          f"       -> {str(new['parsed'][key])[:200]!r}")
        else:
            print(f"    {str(old)[:300]}\n -> {str(new)[:300]}")
    sys.exit(1 if differ or missing else 0)


if __name__ == "__main__":
    main()
