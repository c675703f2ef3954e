from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import DatabaseError, transaction
from django.db.models.signals import post_save
from django.utils import timezone
from django_tasks_db.compat import task_enqueued
from django_tasks_db.models import DBTaskResult

from litso.audit.models import ActorKind, Event
from litso.core.rows import (
    deferred_inserts,
    enqueue,
    get,
    insert,
    insert_prepared,
    prepared_insert,
    update,
)
from litso.customers.models import Customer
from litso.departments.models import Department
from litso.tickets.models import Message, Ticket
from litso.triage.tasks import notify_supervisors
from tests.conftest import Desk

pytestmark = pytest.mark.django_db


def row(model: type[Any], pk: int) -> dict[str, Any]:
    values = model.objects.filter(pk=pk).values().get()
    return {k: v for k, v in values.items() if k not in ("id", "created_at", "updated_at")}


def test_a_row_inserted_is_the_row_the_orm_would_write(desk: Desk) -> None:
    ticket = desk.open()
    fields: dict[str, Any] = {
        "ticket": ticket,
        "actor_kind": ActorKind.RULE,
        "rule_name": "VIP",
        "verb": "priority",
        "field": "priority",
        "old_value": "normal",
        "new_value": "high",
        "reason": "a rule",
        "data": {"message": 7, "words": ["ß", "ж"]},
    }
    by_orm = Event.objects.create(**fields)
    ours = insert(Event(**fields), save_override_ok=True)
    assert ours.pk is not None
    assert ours.pk != by_orm.pk
    assert not ours._state.adding
    assert ours.created_at is not None
    assert Event.objects.get(pk=ours.pk).created_at == ours.created_at
    assert row(Event, ours.pk) == row(Event, by_orm.pk)

    message = insert(Message(ticket=ticket, kind="inbound", author_kind="customer", body_text="Hi"))
    assert Message.objects.get(pk=message.pk).body_text == "Hi"
    assert Message.objects.get(pk=message.pk).created_at == message.created_at


def test_models_the_orm_must_save_are_saved_by_it(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Event overrides save: without the caller's word, its save runs.
    ticket = desk.open()
    saves: list[Event] = []
    guarded = Event.save

    def save(self: Event, *args: Any, **kwargs: Any) -> None:
        saves.append(self)
        guarded(self, *args, **kwargs)

    monkeypatch.setattr(Event, "save", save)
    event = insert(Event(ticket=ticket, actor_kind=ActorKind.SYSTEM, verb="x"))
    assert saves == [event]
    assert Event.objects.filter(pk=event.pk).exists()
    insert(Event(ticket=ticket, actor_kind=ActorKind.SYSTEM, verb="y"), save_override_ok=True)
    assert saves == [event]

    seen: list[Any] = []

    def receiver(instance: Any, created: bool, **kwargs: Any) -> None:
        seen.append((instance.name, created))

    post_save.connect(receiver, sender=Department, weak=False, dispatch_uid="test_rows")
    try:
        insert(Department(name="Returns"))
    finally:
        post_save.disconnect(sender=Department, dispatch_uid="test_rows")
    assert seen == [("Returns", True)]


def test_a_primary_key_that_is_a_relation_is_written_as_given(desk: Desk) -> None:
    from litso.triage.models import TicketTriage

    ticket = Ticket.objects.create(
        number=99001, subject="s", department=desk.dept_a, customer=Customer.objects.first()
    )
    triage = insert(TicketTriage(ticket=ticket, language="pl", predictions={"a": 1}))
    assert triage.pk == ticket.pk
    assert TicketTriage.objects.get(pk=ticket.pk).predictions == {"a": 1}


def test_a_row_read_is_the_instance_the_orm_would_make(desk: Desk) -> None:
    from django.db import transaction

    from litso.core.rows import get

    ticket = desk.open(subject="Zamówienie 7", custom_fields={}, tags=["vip"])
    Ticket.objects.filter(pk=ticket.pk).update(custom_fields={"order": "ß7"})
    ours = get(Ticket, ticket.pk)
    theirs = Ticket.objects.get(pk=ticket.pk)
    assert ours is not None
    assert not ours._state.adding
    names = [f.attname for f in Ticket._meta.concrete_fields]
    assert [getattr(ours, n) for n in names] == [getattr(theirs, n) for n in names]
    assert ours.created_at.tzinfo is not None
    assert ours.customer == desk.customer_x
    assert get(Ticket, ticket.pk + 1000) is None
    with transaction.atomic():
        assert get(Ticket, ticket.pk, for_update=True) == theirs


def test_rows_prepared_now_and_written_later_are_the_rows_the_orm_would_write(
    desk: Desk,
) -> None:
    ticket = desk.open()
    fields: dict[str, Any] = {
        "ticket": ticket,
        "actor_kind": ActorKind.SYSTEM,
        "verb": "later",
        "data": {"message": 3, "words": ["ß"]},
    }
    by_orm = Event.objects.create(**fields)
    prepared = [
        prepared_insert(Event(**fields), save_override_ok=True),
        prepared_insert(Event(**{**fields, "verb": "later2"}), save_override_ok=True),
    ]
    # Nothing is written until insert_prepared.
    assert Event.objects.filter(verb__startswith="later").count() == 1
    insert_prepared(Event, prepared)
    written = list(Event.objects.filter(verb__startswith="later").exclude(pk=by_orm.pk))
    assert [e.verb for e in written] == ["later", "later2"]
    assert {**row(Event, written[0].pk), "verb": "x"} == {**row(Event, by_orm.pk), "verb": "x"}
    insert_prepared(Event, [])


def test_a_model_the_orm_must_save_cannot_be_prepared(desk: Desk) -> None:
    # Event overrides save: without the caller's word that it adds nothing, it is refused.
    ticket = desk.open()
    with pytest.raises(TypeError, match="Event"):
        prepared_insert(Event(ticket=ticket, actor_kind=ActorKind.SYSTEM, verb="x"))


def test_a_row_updated_is_the_row_the_orm_would_write(desk: Desk) -> None:
    by_orm, ours = desk.open(), desk.open()
    for ticket in (by_orm, ours):
        ticket.priority = "high"
        ticket.custom_fields = {"order": "ß-17"}
    by_orm.save()
    before = Ticket.objects.get(pk=ours.pk).updated_at
    update(ours)
    assert row(Ticket, ours.pk) | {"number": 0} == row(Ticket, by_orm.pk) | {"number": 0}
    # auto_now is stamped, as save() stamps it.
    assert Ticket.objects.get(pk=ours.pk).updated_at == ours.updated_at >= before

    # Only the fields named, as save(update_fields=...).
    ours.subject, ours.priority = "not written", "low"
    update(ours, ["priority"])
    stored = Ticket.objects.get(pk=ours.pk)
    assert (stored.priority, stored.subject) != ("low", "not written")
    assert stored.priority == "low"


def test_updating_a_row_that_is_gone_fails_as_the_orm_does(desk: Desk) -> None:
    ticket = desk.open()
    Ticket.objects.filter(pk=ticket.pk).delete()
    with pytest.raises(DatabaseError):
        update(ticket, ["priority"])


def test_a_model_with_save_signals_is_updated_by_the_orm(desk: Desk) -> None:
    seen: list[Any] = []

    def receiver(instance: Any, update_fields: Any, **kwargs: Any) -> None:
        seen.append((instance.name, set(update_fields or ())))

    post_save.connect(receiver, sender=Department, weak=False, dispatch_uid="test_rows_update")
    try:
        desk.dept_a.name = "Renamed"
        update(desk.dept_a, ["name"])
    finally:
        post_save.disconnect(sender=Department, dispatch_uid="test_rows_update")
    assert seen == [("Renamed", {"name"})]
    assert Department.objects.get(pk=desk.dept_a.pk).name == "Renamed"


def task_rows() -> list[dict[str, Any]]:
    skip = ("id", "enqueued_at")
    return [
        {k: v for k, v in values.items() if k not in skip}
        for values in DBTaskResult.objects.order_by("enqueued_at").values()
    ]


def test_a_task_row_enqueued_later_is_the_row_django_tasks_writes(desk: Desk) -> None:
    DBTaskResult.objects.all().delete()
    seen: list[Any] = []

    def receiver(task_result: Any, **kwargs: Any) -> None:
        seen.append(task_result)

    task_enqueued.connect(receiver, weak=False, dispatch_uid="test_rows_enqueue")
    try:
        notify_supervisors.enqueue(41, "chase")
        by_library = task_rows()
        DBTaskResult.objects.all().delete()
        with transaction.atomic(), deferred_inserts():
            enqueue(notify_supervisors, 41, "chase")
            assert not DBTaskResult.objects.exists()
        ours = task_rows()
        later = notify_supervisors.using(run_after=timezone.now() + timedelta(hours=1))
        with transaction.atomic(), deferred_inserts():
            enqueue(later, 42, "abuse")
    finally:
        task_enqueued.disconnect(dispatch_uid="test_rows_enqueue")
    assert ours == by_library
    assert ours[0]["run_after"].year == 9999  # what django_tasks_db's receiver sets
    assert [r.args for r in seen] == [[41, "chase"], [41, "chase"], [42, "abuse"]]
    written = DBTaskResult.objects.get(pk=seen[-1].id)
    assert written.run_after == later.run_after
    assert written.task_result.args == [42, "abuse"]


def test_rows_deferred_in_a_savepoint_that_rolled_back_are_not_written(desk: Desk) -> None:
    DBTaskResult.objects.all().delete()
    with transaction.atomic(), deferred_inserts():
        enqueue(notify_supervisors, 1, "kept")
        try:
            with transaction.atomic():
                enqueue(notify_supervisors, 2, "rolled back")
                raise ValueError("rolled back")
        except ValueError:
            pass
        enqueue(notify_supervisors, 3, "kept")
    assert sorted(r["args_kwargs"]["args"][0] for r in task_rows()) == [1, 3]
    # Outside deferred_inserts, a task is enqueued at once.
    enqueue(notify_supervisors, 4, "now")
    assert DBTaskResult.objects.count() == 3


def test_values_written_as_they_are_are_those_the_fields_would_write(db: None) -> None:
    # `insert` and `update` skip get_db_prep_save for the values _as_is names; on this
    # database, every such field of every model must give them back unchanged.
    from django.apps import apps
    from django.db import connection

    from litso.core.rows import _as_is

    samples: dict[type, list[Any]] = {
        str: ["", "x", "ß ж", "0"],
        int: [0, 1, -7, 2**40],
        bool: [True, False],
    }
    checked = 0
    for model in apps.get_models():
        for field in model._meta.local_concrete_fields:
            as_is = _as_is(field, connection.ops)
            if as_is is None:
                continue
            for kind in as_is:
                for value in [None, *samples[kind]]:
                    prepared = field.get_db_prep_save(value, connection)
                    assert prepared == value, (field, value)
                    assert type(prepared) is type(value), (field, value)
                    checked += 1
    assert checked > 100
    # Values of other types (a choice's enum member, a lazy string) are left to the field.
    assert _as_is(Event._meta.get_field("data"), connection.ops) is None
    assert _as_is(Event._meta.get_field("created_at"), connection.ops) is None


def test_date_times_written_as_utc_text_are_those_the_fields_would_write(db: None) -> None:
    # On SQLite `_values` writes aware UTC date-times itself; for every date-time field of
    # every model it must write what Django writes, and leave anything else to the field.
    import datetime
    import zoneinfo

    from django.apps import apps
    from django.db import connection
    from django.test import override_settings

    from litso.core.rows import _utc_text_field, _values

    utc = datetime.UTC
    warsaw = zoneinfo.ZoneInfo("Europe/Warsaw")
    values = [
        datetime.datetime(2026, 12, 7, 20, 19, 59, 123456, tzinfo=utc),
        datetime.datetime(2026, 1, 1, tzinfo=utc),
        datetime.datetime(1999, 12, 31, 23, 59, 59, 1, tzinfo=utc),
        datetime.datetime(2026, 6, 1, 12, 30, tzinfo=warsaw),
        None,
    ]

    def written(field: Any, value: Any) -> list[Any]:
        instance = field.model()
        setattr(instance, field.attname, value)
        # The field's own pre_save (auto_now) left out: the value as given is what is compared.
        return _values(instance, [(field, field.attname, None, False, True)], connection, False)

    checked = 0
    for model in apps.get_models():
        for field in model._meta.local_concrete_fields:
            if not _utc_text_field(field, connection.ops):
                continue
            for value in values:
                assert written(field, value) == [field.get_db_prep_save(value, connection)]
                checked += 1
    if connection.vendor != "sqlite":
        assert checked == 0
        return
    assert checked > 50
    field = Event._meta.get_field("created_at")
    with override_settings(USE_TZ=False), pytest.raises(ValueError, match="USE_TZ"):
        # As Django refuses an aware value without time-zone support: not written as UTC.
        written(field, values[0])


def test_statements_are_seen_and_fail_as_through_djangos_cursor(desk: Desk) -> None:
    # Statements run on a kept cursor unless something watches them; either way a failure is
    # Django's exception, and a transaction that failed refuses further statements.
    from django.db import IntegrityError, connection
    from django.db.transaction import TransactionManagementError
    from django.test.utils import CaptureQueriesContext

    ticket = desk.open()
    seen: list[str] = []

    def watch(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        assert get(Ticket, ticket.pk) == ticket
    with CaptureQueriesContext(connection) as captured:
        assert get(Ticket, ticket.pk) == ticket
    assert len(seen) == len(captured.captured_queries) == 1
    assert get(Ticket, ticket.pk) == ticket  # unwatched
    assert len(seen) == 1
    taken = Ticket(
        number=ticket.number, subject="s", department=desk.dept_a, customer=ticket.customer
    )

    def insert_watched() -> None:
        with connection.execute_wrapper(watch):
            insert(taken)

    for attempt in (insert_watched, lambda: insert(taken)):
        with pytest.raises(IntegrityError), transaction.atomic():
            attempt()
    with transaction.atomic():
        with pytest.raises(IntegrityError), transaction.atomic(savepoint=False):
            insert(taken)
        with pytest.raises(TransactionManagementError):
            get(Ticket, ticket.pk)


def test_rows_inserted_all_are_the_rows_bulk_create_writes(desk: Desk) -> None:
    from litso.core.rows import insert_all

    ticket = desk.open()

    def events(verb: str) -> list[Event]:
        return [
            Event(ticket=ticket, actor_kind=ActorKind.SYSTEM, verb=verb, data={"n": n})
            for n in range(3)
        ]

    # Event overrides save (insert_all then leaves it to bulk_create); Message does not.
    for model, make in (
        (Event, events),
        (
            Message,
            lambda body: [
                Message(ticket=ticket, kind="inbound", author_kind="customer", body_text=body)
                for _ in range(3)
            ],
        ),
    ):
        ours, theirs = make("ours"), make("theirs")
        insert_all(ours)
        model.objects.bulk_create(theirs)
        assert all(o.pk is not None and not o._state.adding for o in ours)
        assert len({o.pk for o in ours}) == 3
        for a, b in zip(ours, theirs, strict=True):
            mine, other = row(model, a.pk), row(model, b.pk)
            assert {k: v for k, v in mine.items() if "ours" not in str(v)} == {
                k: v for k, v in other.items() if "theirs" not in str(v)
            }
    insert_all([])
