from __future__ import annotations

from typing import Any

import pytest
from django.db.models import F, OuterRef, Q, Subquery, Value

from litso.audit.models import Event
from litso.core import prepared
from litso.core.prepared import Prepared
from litso.customers.models import Customer
from litso.tickets.models import Message, Ticket
from tests.conftest import Desk


def _messages(ticket_id: int) -> Any:
    return (
        Message.objects.filter(ticket_id=ticket_id)
        .select_related("author_agent__agent", "author_customer", "abuse_flag")
        .order_by("created_at", "pk")
    )


def test_rows_are_what_the_orm_gives_related_objects_included(
    desk: Desk, django_assert_num_queries: Any
) -> None:
    ticket = desk.open(subject="Hello", body="Hi")
    other = desk.open(subject="Other", body="Not this one")
    query = Prepared(_messages)
    expected = list(_messages(ticket.pk))
    for _ in range(2):  # planned, then from the plan
        with django_assert_num_queries(1):
            got = query(ticket.pk)
            # select_related: no query for these.
            assert [m.author_customer for m in got] == [m.author_customer for m in expected]
            assert [m.ticket_id for m in got] == [ticket.pk] * len(expected)
        assert got == expected
        for mine, theirs in zip(got, expected, strict=True):
            assert mine.__dict__.keys() == theirs.__dict__.keys()
            assert mine.created_at == theirs.created_at  # converted: a datetime, aware
            assert mine.created_at.tzinfo is not None
    assert query(other.pk) == list(_messages(other.pk))
    assert query(10**9) == []
    assert query(10**12) == []  # beyond a 32-bit id, as the ORM answers it


def test_the_query_is_compiled_once(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    ticket = desk.open(subject="Hello", body="Hi")
    planned = []
    plan = prepared._plan

    def counting(*args: Any) -> Any:
        planned.append(args)
        return plan(*args)

    monkeypatch.setattr(prepared, "_plan", counting)
    query = Prepared(lambda ticket_id: Event.objects.filter(ticket_id=ticket_id).order_by("pk"))
    for _ in range(3):
        assert query(ticket.pk) == list(Event.objects.filter(ticket_id=ticket.pk).order_by("pk"))
    assert len(planned) == 1


def test_slices_and_first(desk: Desk) -> None:
    first = desk.open(subject="One", body="1")
    desk.open(subject="Two", body="2", customer=first.customer)
    newest = Prepared(
        lambda customer_id: Ticket.objects.filter(customer_id=customer_id).order_by("-pk")[:1]
    )
    assert (
        newest.first(first.customer_id)
        == Ticket.objects.filter(customer_id=first.customer_id).order_by("-pk").first()
    )
    assert newest.first(10**9) is None


@pytest.mark.parametrize(
    "build",
    [
        # The id twice: which parameter is which cannot be told apart.
        lambda pk: Ticket.objects.filter(Q(pk=pk) | Q(merged_into_id=pk)),
        # Other shapes: prefetching, values.
        lambda pk: Ticket.objects.filter(pk=pk).prefetch_related("messages"),
        lambda pk: Ticket.objects.filter(pk=pk).values("number"),
    ],
)
def test_what_cannot_be_kept_runs_through_the_orm(desk: Desk, build: Any) -> None:
    ticket = desk.open(subject="Hello", body="Hi")
    query = Prepared(build)
    assert query(ticket.pk) == list(build(ticket.pk))
    assert list(query._plans.values()) == [None]


def test_values_list_gives_the_orms_tuples(desk: Desk) -> None:
    first = desk.open(subject="One", body="1")
    second = desk.open(subject="Two", body="2")
    columns = ("pk", "number", "created_at", "customer__full_name", "sla__resolution_due")

    def build(*ids: int) -> Any:
        return Ticket.objects.filter(pk__in=list(ids)).order_by("pk").values_list(*columns)

    query = Prepared(build)
    for ids in ((first.pk, second.pk), (second.pk,), (first.pk, second.pk)):
        assert query(*ids) == list(build(*ids))
    assert query(first.pk)[0][2].tzinfo is not None  # converted
    assert all(plan is not None for plan in query._plans.values())
    # With an expression among the names: through the ORM.
    with_expression = Prepared(
        lambda pk: Ticket.objects.filter(pk=pk).annotate(n=Q(pk=pk)).values_list("pk", "n")
    )
    assert with_expression(first.pk) == [(first.pk, True)]


def test_values_list_with_annotations_named_last_is_kept(desk: Desk) -> None:
    first = desk.open(subject="One", body="1")
    second = desk.open(subject="Two", body="2", customer=desk.customer_y)

    def build(*ids: int) -> Any:
        name = Customer.objects.filter(pk=OuterRef("customer_id")).values("full_name")[:1]
        return (
            Ticket.objects.filter(pk__in=list(ids))
            .order_by("pk")
            .annotate(name=Subquery(name), label=Value("x"))
            .values_list("pk", "created_at", "name", "label")
        )

    query = Prepared(build)
    for ids in ((first.pk, second.pk), (second.pk,)):
        assert query(*ids) == list(build(*ids))
    assert query(first.pk, second.pk)[1][2] == desk.customer_y.full_name
    assert None not in query._plans.values()
    # Annotations before a field: the ORM reorders each row, so it is left to the ORM.
    reordered = Prepared(
        lambda pk: Ticket.objects.filter(pk=pk).annotate(n=F("number")).values_list("n", "pk")
    )
    assert reordered(first.pk) == [(first.number, first.pk)]
    assert list(reordered._plans.values()) == [None]


def test_a_parameter_the_compiler_wraps_is_wrapped_again(desk: Desk) -> None:
    # PostgreSQL: the ticket number (a bigint) comes as psycopg's Int8, a subclass of int.
    first = desk.open(subject="One", body="1")
    second = desk.open(subject="Two", body="2")
    query = Prepared(lambda number: Ticket.objects.filter(number=number))
    assert query(first.number) == [first]
    assert query(second.number) == [second]
    assert None not in query._plans.values()
