from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from litso.core import process_cache
from litso.core.process_cache import ProcessCache
from litso.departments.models import Department


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(process_cache.time, "monotonic", fake)
    return fake


@pytest.fixture
def names() -> Iterator[ProcessCache[list[str]]]:
    cache = ProcessCache(
        "test.department_names",
        lambda: sorted(Department.objects.values_list("name", flat=True)),
        seconds=2.0,
    )
    cache.depends_on(Department, ignore_fields={"description"})
    yield cache
    process_cache._all.remove(cache)


def queries_of(cache: ProcessCache[list[str]]) -> tuple[list[str], int]:
    with CaptureQueriesContext(connection) as captured:
        value = cache.get()
    return value, len(captured.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_kept_until_a_save_here_and_read_once(names: ProcessCache[list[str]], clock: Clock) -> None:
    assert queries_of(names) == ([], 1)
    assert queries_of(names) == ([], 0)
    Department.objects.create(name="Sales")
    assert queries_of(names) == (["Sales"], 1)
    assert queries_of(names) == (["Sales"], 0)
    Department.objects.get(name="Sales").delete()
    assert queries_of(names) == ([], 1)


@pytest.mark.django_db(transaction=True)
def test_changes_without_signals_are_seen_after_the_seconds(
    names: ProcessCache[list[str]], clock: Clock
) -> None:
    Department.objects.create(name="Sales")
    assert names.get() == ["Sales"]
    # What another process (or QuerySet.update) does sends no signal here.
    Department.objects.update(name="Billing")
    clock.now += 1.9
    assert names.get() == ["Sales"]
    clock.now += 0.2
    assert names.get() == ["Billing"]


@pytest.mark.django_db(transaction=True)
def test_a_save_of_ignored_fields_only_keeps_the_value(
    names: ProcessCache[list[str]], clock: Clock
) -> None:
    sales = Department.objects.create(name="Sales")
    assert queries_of(names) == (["Sales"], 1)
    sales.description = "We sell"
    sales.save(update_fields=["description"])
    assert queries_of(names) == (["Sales"], 0)
    sales.save()
    assert queries_of(names) == (["Sales"], 1)


@pytest.mark.django_db(transaction=True)
def test_a_change_rolled_back_is_never_kept(names: ProcessCache[list[str]], clock: Clock) -> None:
    assert names.get() == []
    seen = []
    with transaction.atomic():
        Department.objects.create(name="Sales")
        # The thread that made the change reads it, straight from the database, every time.
        seen += [queries_of(names), queries_of(names)]
        transaction.set_rollback(True)
    assert seen == [(["Sales"], 1), (["Sales"], 1)]
    assert queries_of(names) == ([], 1)
    assert queries_of(names) == ([], 0)


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_is_read_again_after_the_commit(
    names: ProcessCache[list[str]], clock: Clock
) -> None:
    with transaction.atomic():
        Department.objects.create(name="Sales")
        assert names.get() == ["Sales"]
    assert queries_of(names) == (["Sales"], 1)
    assert queries_of(names) == (["Sales"], 0)
