"""`litso triage abuse`: score text for abuse, one JSON object per input line.

    litso triage abuse [--language ru|pl|en] [--threshold 0.5] < messages.txt

Reads stdin line by line as it arrives and prints, for each line and in the same order,
``{"score": 0.9, "flagged": true, "reasons": ["profanity:ru:хуй"]}`` (UTF-8, not escaped).
An empty line still gets its object. Bytes that are not UTF-8 are replaced, never fatal: one
bad line must not stop the stream or shift the answers against their lines. Lines end at
"\\n" only ("\\r\\n" is stripped whole).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import Any

from litso.triage.abuse import FLAG_THRESHOLD, LANGUAGES, score_text


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "abuse", help="score lines of stdin for abuse; one JSON object per line"
    )
    parser.add_argument(
        "--language", choices=LANGUAGES, default=None, help="the text's language (default: any)"
    )
    parser.add_argument(
        "--threshold",
        type=_threshold,
        default=FLAG_THRESHOLD,
        help=f"flag at this score or above (default {FLAG_THRESHOLD})",
    )


def _threshold(value: str) -> float:
    number = float(value)
    if not 0.0 <= number <= 1.0:
        raise argparse.ArgumentTypeError(f"{value} is not between 0 and 1")
    return number


def run(command: Any, **options: Any) -> None:
    language = options.get("language")
    threshold = options.get("threshold", FLAG_THRESHOLD)
    out = command.stdout
    for line in _lines(sys.stdin):
        verdict = score_text(line, language, threshold=threshold)
        answer = {"score": verdict.score, "flagged": verdict.flagged, "reasons": verdict.reasons}
        out.write(json.dumps(answer, ensure_ascii=False))
        out.flush()


def _lines(stream: Any) -> Iterator[str]:
    """Lines without their ending, split at "\\n" only (a stray "\\r" or U+2028 inside a
    message must not shift the answers). Read as bytes when possible, so that bytes that
    are not UTF-8 are replaced instead of raising halfway through the stream."""
    raw = getattr(stream, "buffer", None)
    if raw is None:
        while text := stream.readline():
            yield text.removesuffix("\n").removesuffix("\r")
        return
    # readline, not iteration: a pipe fed line by line gets each answer at once.
    while data := raw.readline():
        yield data.decode("utf-8", errors="replace").removesuffix("\n").removesuffix("\r")
