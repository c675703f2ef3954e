"""Creating the whole demo company in one transaction: all of it or, on failure, none of it."""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django_tasks.signals import task_enqueued
from django_tasks_db.models import DBTaskResult

from litso.audit.models import Event
from litso.customers.models import Customer
from litso.demo.clock import Clock, clock_in_charge
from litso.demo.company import COMPANY, DEPARTMENTS, STAFF, build_company, demo_password
from litso.demo.conversations import Conversation, Desk
from litso.demo.people import create_people
from litso.demo.plans import STATUSES, plan_ticket
from litso.demo.texts import languages
from litso.departments.models import Department
from litso.tickets.models import Delivery, Message, Ticket

MARKER_DEPARTMENT = DEPARTMENTS["sales"][0]
CHUNK = 500  # ids per IN (...) list, well under every database's parameter limit


@dataclass(frozen=True)
class Options:
    tickets: int = 1000
    customers: int = 160
    seed: int = 2024


@dataclass
class Summary:
    created: list[str]
    customers: int
    organisations: int
    tickets: int
    messages: int
    events: int
    by_status: dict[str, int]
    seconds: float


def desk_is_empty() -> bool:
    return not Ticket.objects.exists() and not get_user_model().objects.exists()


def demo_is_present() -> bool:
    return Department.objects.filter(name=MARKER_DEPARTMENT).exists()


def build_demo(options: Options, say: Callable[[str], None] = print) -> Summary:
    started = time.monotonic()
    before = _counts()
    now = timezone.now()
    rng = random.Random(options.seed)
    clock = Clock(now)
    task_ids: list[Any] = []

    def remember_task(sender: object, task_result: Any, **kwargs: object) -> None:
        task_ids.append(task_result.id)

    task_enqueued.connect(remember_task, weak=False, dispatch_uid="litso-demo-tasks")
    try:
        with clock_in_charge(clock), transaction.atomic():
            clock.set(now - datetime.timedelta(days=120))
            company = build_company(joined=clock.now())
            say(
                f"{COMPANY}: {len(company.departments)} departments, "
                f"{len(company.request_types)} request types, {len(company.agents)} staff"
            )
            people, organisations = create_people(rng, options.customers, clock, now)
            say(f"{len(people)} customers in {len(organisations)} organisations and on their own")
            desk = Desk(
                rng=rng,
                clock=clock,
                company=company,
                languages=languages(),
                people={
                    code: [p for p in people if p.language == code] for code in ("ru", "pl", "en")
                },
                popularity={},
            )
            # A few customers write often, most once or twice.
            desk.popularity = {
                code: [1 / (rank + 1) ** 0.7 for rank in range(len(group))]
                for code, group in desk.people.items()
            }
            days = settings.LITSO_AUTO_CLOSE_DAYS
            for i in range(options.tickets):
                plan = plan_ticket(rng, i, now, days)
                plan.follow_up = (
                    plan.status in ("new", "open", "pending_customer")
                    and i >= 20
                    and rng.random() < 0.04
                )
                Conversation(desk, plan).play()
                if (i + 1) % 250 == 0:
                    say(f"  {i + 1} tickets")
            _settle_side_effects(desk.reply_ids, task_ids)
    finally:
        task_enqueued.disconnect(dispatch_uid="litso-demo-tasks")
    after = _counts()
    by_status = dict.fromkeys(STATUSES, 0)
    for status in Ticket.objects.filter(pk__gt=before["last_ticket"]).values_list(
        "status", flat=True
    ):
        by_status[status] += 1
    return Summary(
        created=company.created,
        customers=after["customers"] - before["customers"],
        organisations=len(organisations),
        tickets=after["tickets"] - before["tickets"],
        messages=after["messages"] - before["messages"],
        events=after["events"] - before["events"],
        by_status=by_status,
        seconds=time.monotonic() - started,
    )


def _counts() -> dict[str, int]:
    last = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first()
    return {
        "customers": Customer.objects.count(),
        "tickets": Ticket.objects.count(),
        "messages": Message.objects.count(),
        "events": Event.objects.count(),
        "last_ticket": last or 0,
    }


def _settle_side_effects(reply_ids: list[int], task_ids: list[Any]) -> None:
    """Pretend the demo's past already happened: its replies went out long ago.

    Each reply enqueued a delivery task, and each hand-out by the supervisor a notification.
    Left queued, the worker's first start would mail about two thousand invented replies to
    invented customers (and to the agents), long after the fact. The task rows go, and the
    replies are marked sent, as they would be on a desk that had lived those three months.
    """
    for i in range(0, len(task_ids), CHUNK):
        DBTaskResult.objects.filter(id__in=task_ids[i : i + CHUNK]).delete()
    for i in range(0, len(reply_ids), CHUNK):
        Message.objects.filter(pk__in=reply_ids[i : i + CHUNK], delivery=Delivery.QUEUED).update(
            delivery=Delivery.SENT, delivery_attempts=1
        )


def describe(summary: Summary) -> list[str]:
    kept = [m.username for m in STAFF if f"user {m.username}" not in summary.created]
    statuses = ", ".join(f"{status} {count}" for status, count in summary.by_status.items())
    password_from = (
        "LITSO_DEMO_PASSWORD"
        if getattr(settings, "LITSO_DEMO_PASSWORD", "")
        else f"the default, {demo_password()!r}"
    )
    return [
        f"Created the demo company {COMPANY} in {summary.seconds:.1f} s:",
        f"  {summary.tickets} tickets ({statuses})",
        f"  {summary.messages} messages, {summary.events} audit events",
        f"  {summary.customers} customers, {summary.organisations} organisations",
        f"  {', '.join(summary.created)}",
        "  sign in as admin, supervisor or agent1 … agent6; password: " + password_from,
    ] + (
        [f"  kept the existing sign-ins {', '.join(kept)} with their own passwords"] if kept else []
    )
