"""Training the routers on the desk's own history, agents' corrections counting extra.

A ticket teaches where it ended up (its department, request type and priority now), read from
its subject and first customer message. A ticket a person moved, typed or re-prioritised is a
correction of an earlier guess and is shown to the model several times. Tickets still waiting
in the triage view teach nothing until someone settles them.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery

from litso.audit.models import ActorKind, Event
from litso.tickets.models import Message, MessageKind, Ticket
from litso.triage import router
from litso.triage.classifier import TextClassifier
from litso.triage.models import TrainedRouter

# The newest tickets say most about today's desk; older ones add little but time.
MAX_EXAMPLES = 50_000
CORRECTION_WEIGHT = 3
HOLDOUT_SHARE = 0.1
MIN_EXAMPLES = 20
FIELDS = {"department": "department_id", "request_type": "request_type_id", "priority": "priority"}
# A finer label the model also learns (TextClassifier's fine_labels): a department's request
# types tell apart what its name blurs (clinc150: domain accuracy 0.978 -> 0.980).
FINE_FIELDS = {"department": "request_type_id"}
# The audit verbs that mean a person changed the target.
CORRECTION_VERBS = {
    "department": ("department", "forward", "route_confirmed"),
    "request_type": ("request_type",),
    "priority": ("priority",),
}


@dataclass(frozen=True)
class Examples:
    texts: list[str]
    labels: list[str]
    corrected: list[bool]
    fine: list[str] | None = None


def examples(target: str, limit: int = MAX_EXAMPLES) -> Examples:
    column = FIELDS[target]
    fine_column = FINE_FIELDS.get(target)
    first_body = Subquery(
        Message.objects.filter(ticket_id=OuterRef("pk"), kind=MessageKind.INBOUND)
        .order_by("created_at", "pk")
        .values("body_text")[:1]
    )
    rows = list(
        Ticket.objects.filter(**{f"{column}__isnull": False})
        .exclude(triage__needs_review=True)
        .filter(merged_into__isnull=True)
        .annotate(first_body=first_body)
        .order_by("-pk")
        .values_list("pk", "subject", "first_body", column, fine_column or column)[:limit]
    )
    ids = [row[0] for row in rows]
    corrected_ids = (
        set(
            Event.objects.filter(
                ticket_id__in=ids, actor_kind=ActorKind.AGENT, verb__in=CORRECTION_VERBS[target]
            ).values_list("ticket_id", flat=True)
        )
        if ids
        else set()
    )
    texts, labels, corrected, fine = [], [], [], []
    for pk, subject, body, label, fine_label in rows:
        texts.append(router.text_of(subject, body or ""))
        labels.append(str(label))
        corrected.append(pk in corrected_ids)
        fine.append("" if fine_label is None else str(fine_label))
    return Examples(texts, labels, corrected, fine if fine_column else None)


def _fit(data: Examples, indices: list[int]) -> TextClassifier:
    texts, labels, fine = [], [], []
    for i in indices:
        times = CORRECTION_WEIGHT if data.corrected[i] else 1
        texts.extend([data.texts[i]] * times)
        labels.extend([data.labels[i]] * times)
        if data.fine is not None:
            fine.extend([data.fine[i]] * times)
    return TextClassifier().fit(texts, labels, fine_labels=fine if data.fine is not None else None)


def train(target: str, limit: int = MAX_EXAMPLES) -> TrainedRouter | None:
    """Train one router and install it for every process; None when there is too little."""
    data = examples(target, limit)
    if len(data.texts) < MIN_EXAMPLES or len(set(data.labels)) < 2:
        return None
    started = time.perf_counter()
    order = list(range(len(data.texts)))
    random.Random(42).shuffle(order)
    cut = max(1, int(len(order) * HOLDOUT_SHARE))
    held, kept = order[:cut], order[cut:]
    # Accuracy on tickets the model has not seen, so the admin knows how far to trust it.
    probe = _fit(data, kept)
    predicted = probe.predict_many([data.texts[i] for i in held])
    accuracy = sum(p.label == data.labels[i] for p, i in zip(predicted, held, strict=True)) / len(
        held
    )
    model = _fit(data, order)
    path = router.model_path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    model.save(path)
    router.forget()
    return TrainedRouter.objects.create(
        target=target,
        path=str(path),
        examples=len(data.texts),
        corrections=sum(data.corrected),
        classes=sorted(set(data.labels)),
        holdout_accuracy=round(accuracy, 4),
        seconds=round(time.perf_counter() - started, 2),
    )


def train_all(limit: int = MAX_EXAMPLES) -> list[TrainedRouter]:
    results = []
    for target in router.TARGETS:
        result = train(target, limit)
        if result is not None:
            results.append(result)
    return results
