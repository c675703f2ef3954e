"""Queries built and compiled once per process, then run with new values.

A page asks the same dozen queries on every request, with only a ticket or customer id
changed. Django builds each one anew (``filter()`` clones and resolves the lookups) and
compiles it to SQL anew: about half a millisecond of Python per query, more than SQLite takes
to answer it, and about a third of a ticket page.

``Prepared(build)`` calls ``build`` once, with stand-in values, compiles the query it returns,
and keeps the SQL, where each stand-in landed among its parameters, and what Django needs to
turn rows into model instances (the compiler's select and the related-object populators).
Later calls run the kept SQL with the real values and build the instances as
``QuerySet.__iter__`` does, select_related included.

What it takes: a ``build`` whose arguments are ids (ints) or plain strings (a key), each used
as a plain query parameter. Queries it cannot keep (a stand-in lost or used twice by the compiler,
prefetch_related, values(), values_list() with expressions other than annotations named last)
are simply run through the ORM each time. ``values_list(*names)`` of plain fields (and of
annotations after them) gives tuples, as the ORM does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections, models
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators

M = TypeVar("M", bound=models.Model)

# Stand-ins no real id takes: negative, far from zero, and inside a 32-bit integer column's
# range (PostgreSQL: Django answers a value out of it with "no rows" without a query); no
# real key holds a NUL.
_STAND_IN = -2_000_000_000
_STAND_IN_TEXT = "\x00litso-prepared-{}\x00"


@dataclass(frozen=True)
class _Plan:
    sql: str
    params: tuple[Any, ...]
    # (parameter position, argument index, the type the compiler gave that parameter)
    slots: tuple[tuple[int, int, type], ...]
    compiler: Any
    model: type[models.Model]
    init_list: tuple[str, ...]
    model_start: int
    model_end: int
    populators: tuple[Any, ...]
    trim: int | None
    # values_list(): tuples, no instances.
    tuples: bool = False


class Prepared(Generic[M]):
    """``build(*ids)``'s rows, the query compiled once per process and database."""

    def __init__(self, build: Callable[..., models.QuerySet[M]]) -> None:
        self.build = build
        # By database and which arguments are strings.
        self._plans: dict[tuple[Any, ...], _Plan | None] = {}
        self._lock = threading.Lock()

    def __call__(self, *ids: int | str, using: str = "default") -> list[M]:
        key = (using, *(type(value) is str for value in ids))
        plan = self._plans.get(key, _UNSET)
        if plan is _UNSET:
            plan = _plan(self.build, [type(value) is str for value in ids], using)
            with self._lock:
                self._plans[key] = plan
        if plan is None:
            return list(self.build(*ids).using(using))
        return _run(plan, ids, using)

    def first(self, *ids: int | str, using: str = "default") -> M | None:
        """The first row (``build`` orders and limits the query itself)."""
        found = self(*ids, using=using)
        return found[0] if found else None


_UNSET: Any = object()


def _plan(
    build: Callable[..., models.QuerySet[Any]], texts: list[bool], using: str
) -> _Plan | None:
    stand_ins: list[int | str] = [
        _STAND_IN_TEXT.format(i) if text else _STAND_IN - i for i, text in enumerate(texts)
    ]
    queryset: Any = build(*stand_ins).using(using)
    tuples = queryset._iterable_class is ValuesListIterable
    if (
        (queryset._iterable_class is not ModelIterable and not tuples)
        or queryset._prefetch_related_lookups
        or queryset._known_related_objects
    ):
        return None
    query = queryset.query
    # values_list() of fields, then annotations named last in the same order: the compiled
    # SELECT already gives the tuples; any other order the ORM would rearrange row by row.
    if tuples and (
        query.extra_select
        or list(queryset._fields) != [*query.values_select, *query.annotation_select]
    ):
        return None
    compiler = queryset.query.get_compiler(using=using)
    try:
        sql, params = compiler.as_sql()
    except (EmptyResultSet, FullResultSet):
        return None
    if any(str(stand_in) in sql for stand_in in stand_ins):
        return None
    slots = []
    for index, stand_in in enumerate(stand_ins):
        # Where the compiler put it: exactly once, as it was given (not folded into the SQL,
        # not turned into something else). It may come wrapped in a subclass of its type, to
        # tell the driver the column's type (psycopg's Int8 for a bigint on PostgreSQL): the
        # real value is then wrapped the same way.
        positions = [
            i for i, p in enumerate(params) if isinstance(p, type(stand_in)) and p == stand_in
        ]
        if len(positions) != 1:
            return None
        slots.append((positions[0], index, type(params[positions[0]])))
    trim = compiler.col_count if compiler.has_extra_select else None
    if tuples:
        return _Plan(sql, tuple(params), tuple(slots), compiler, queryset.model, (), 0, 0, (),
                     trim, tuples=True)  # fmt: skip
    if compiler.annotation_col_map:
        return None
    select, klass_info = compiler.select, compiler.klass_info
    fields = klass_info["select_fields"]
    start, end = fields[0], fields[-1] + 1
    return _Plan(
        sql=sql,
        params=tuple(params),
        slots=tuple(slots),
        compiler=compiler,
        model=klass_info["model"],
        init_list=tuple(f[0].target.attname for f in select[start:end]),
        model_start=start,
        model_end=end,
        # Django 5.2's signature (the type stubs describe a later one).
        populators=tuple(get_related_populators(klass_info, select, using)),  # type: ignore[call-arg]
        trim=trim,
    )


def _run(plan: _Plan, ids: tuple[int | str, ...], using: str) -> list[Any]:
    params = list(plan.params)
    for position, index, kind in plan.slots:
        value = ids[index]
        params[position] = value if type(value) is kind else kind(value)
    with connections[using].cursor() as cursor:
        cursor.execute(plan.sql, params)
        rows = cursor.fetchall()
    if plan.trim is not None:
        rows = [row[: plan.trim] for row in rows]
    if plan.tuples:
        return list(plan.compiler.results_iter([rows], tuple_expected=True))
    found = []
    for row in plan.compiler.results_iter([rows]):
        obj = plan.model.from_db(using, plan.init_list, row[plan.model_start : plan.model_end])
        for populator in plan.populators:
            populator.populate(row, obj)
        found.append(obj)
    return found
