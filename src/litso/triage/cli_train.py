"""`litso triage train`: learn department, request type and priority from the desk's history."""

from __future__ import annotations

import json
from typing import Any

from litso.triage.training import MAX_EXAMPLES, train_all


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "train", help="train the routers on this desk's tickets (also runs nightly)"
    )
    parser.add_argument(
        "--limit", type=int, default=MAX_EXAMPLES, help="newest tickets to learn from"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(command: Any, *, limit: int, json: bool = False, **options: Any) -> None:
    results = train_all(limit)
    summary = {
        r.target: {
            "examples": r.examples,
            "corrections": r.corrections,
            "classes": len(r.classes),
            "holdout_accuracy": r.holdout_accuracy,
            "seconds": r.seconds,
        }
        for r in results
    }
    if json:
        command.stdout.write(_dumps(summary))
        return
    if not results:
        command.stdout.write(
            "Too little history to learn from yet (at least 20 tickets in two "
            "departments); the router uses the departments' descriptions."
        )
        return
    for target, figures in summary.items():
        command.stdout.write(
            f"{target}: {figures['examples']} tickets ({figures['corrections']} corrected by "
            f"agents), {figures['classes']} classes, {figures['holdout_accuracy']:.1%} right on "
            f"held-out tickets, {figures['seconds']} s"
        )


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
