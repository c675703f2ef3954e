"""The trained routers of this desk, loaded from the data folder, or a cold-start one.

One classifier per target (department, request type, priority), each a file written by
`litso triage train`. Workers reload a file when it changes, so a nightly retrain reaches every
process without a restart. With no trained department router yet, one is built from the
departments' names and descriptions (low confidence by design: it informs, it rarely decides).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from django.conf import settings

from litso.core.process_cache import ProcessCache
from litso.departments.models import Department
from litso.triage.classifier import Prediction, TextClassifier

logger = logging.getLogger(__name__)

TARGETS = ("department", "request_type", "priority")
# Subject and the start of the text say what a request is about; the rest is mostly detail.
TEXT_CHARS = 2000

_lock = threading.Lock()
_loaded: dict[str, tuple[float, TextClassifier]] = {}
_cold: dict[tuple[Any, ...], TextClassifier | None] = {}


def model_path(target: str) -> Path:
    return Path(settings.DATA_DIR) / "triage" / f"{target}.joblib"


def text_of(subject: str, body: str) -> str:
    return f"{subject}\n{body[:TEXT_CHARS]}"


def trained(target: str) -> TextClassifier | None:
    path = model_path(target)
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        return None
    with _lock:
        cached = _loaded.get(target)
        if cached and cached[0] == mtime:
            return cached[1]
        try:
            model = TextClassifier.load(path)
        except Exception:
            # A broken or incompatible file must not stop tickets from opening.
            logger.exception("cannot load the %s router from %s", target, path)
            return None
        _loaded[target] = (mtime, model)
        return model


def _department_rows() -> tuple[tuple[Any, ...], ...]:
    return tuple(
        (pk, name, description, tuple(addresses or ()))
        for pk, name, description, addresses in Department.objects.filter(active=True)
        .order_by("pk")
        .values_list("pk", "name", "description", "inbound_addresses")
    )


# Asked for every new ticket while no department router is trained (see ProcessCache).
_departments = ProcessCache("triage.router.departments", _department_rows)
_departments.depends_on(Department)


def cold_start_departments() -> TextClassifier | None:
    rows = _departments.get()
    if len(rows) < 2:
        return None
    with _lock:
        if rows not in _cold:
            descriptions = {
                str(pk): " ".join([name, description, *[a.split("@")[0] for a in addresses]])
                for pk, name, description, addresses in rows
            }
            _cold.clear()
            try:
                _cold[rows] = TextClassifier.from_descriptions(descriptions)
            except ValueError:
                _cold[rows] = None
        return _cold[rows]


def forget() -> None:
    """Drop every cached model (tests, and after training in this process)."""
    with _lock:
        _loaded.clear()
        _cold.clear()
    _departments.invalidate()


def predict(subject: str, body: str) -> dict[str, Prediction]:
    """Every target's prediction for a new request; a target with no model is left out."""
    text = text_of(subject, body)
    out: dict[str, Prediction] = {}
    for target in TARGETS:
        model = trained(target)
        if model is None and target == "department":
            model = cold_start_departments()
        if model is not None:
            out[target] = model.predict(text)
    return out


def as_dict(prediction: Prediction) -> dict[str, Any]:
    return {
        "label": prediction.label,
        "confidence": round(float(prediction.confidence), 4),
        "alternatives": [[label, round(float(p), 4)] for label, p in prediction.alternatives],
        "evidence": list(prediction.evidence),
    }
