"""One-row INSERT and SELECT without the ORM's query compiler, for every incoming mail.

``Model.save(force_insert=True)`` builds and compiles an InsertQuery for every row: about
0.15 ms of CPU for an audit event whose INSERT itself costs a fraction of that. A mail
writes half a dozen such rows (ticket, message, triage, events), so `insert` keeps the SQL
per model and does what Django's insert does with the values: each field's ``pre_save``
(``auto_now_add``, ``auto_now``) and ``get_db_prep_save``, then the primary key from
``RETURNING`` (SQLite 3.35+ and PostgreSQL).

What it does not do, it refuses to skip: a model with pre_save/post_save receivers, or whose
``save`` is overridden (unless the caller says the override adds nothing to an insert), or
with parents (multi-table inheritance), is saved by the ORM as before.

`get` reads one row by primary key the same way: the SQL kept per model, the values passed
through the converters the ORM would apply (SQLite's datetimes, JSON...), the instance made
by ``Model.from_db``, as a queryset makes it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import DatabaseError, connection, models
from django.db.models.expressions import Col
from django.db.models.signals import post_save, pre_save
from django.db.transaction import TransactionManagementError

M = TypeVar("M", bound=models.Model)


@functools.cache
def _insert_sql(
    model: type[models.Model], vendor: str, returning: bool = True
) -> tuple[str, list[models.Field]]:
    meta = model._meta
    fields = [field for field in meta.local_concrete_fields if field is not meta.auto_field]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(field.column)) for field in fields)
    values = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({values})"
    if returning and meta.auto_field is not None:
        sql += f" RETURNING {quote(str(meta.auto_field.column))}"
    return sql, fields


def _plain(model: type[models.Model], save_override_ok: bool) -> bool:
    meta = model._meta
    if meta.parents:
        return False
    if any(
        getattr(field, "generated", False) or (field.db_returning and field is not meta.auto_field)
        for field in meta.local_concrete_fields
    ):
        return False
    if pre_save.has_listeners(model) or post_save.has_listeners(model):
        return False
    return save_override_ok or model.save is models.Model.save


def insert(instance: M, *, save_override_ok: bool = False) -> M:
    """``instance.save(force_insert=True)``, a new row, at a fraction of the cost.

    ``save_override_ok``: the model overrides ``save`` but the override adds nothing to
    inserting a new row (the audit Event only refuses changes to saved events)."""
    model = type(instance)
    if not _plain(model, save_override_ok):
        instance.save(force_insert=True)
        return instance
    sql, fields = _insert_sql(model, connection.vendor)
    params = [
        field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if model._meta.auto_field is not None:
            instance.pk = cursor.fetchone()[0]
    instance._state.adding = False
    instance._state.db = connection.alias
    return instance


def prepared_insert(instance: models.Model, *, save_override_ok: bool = False) -> list[Any]:
    """The parameters `insert` would write for ``instance``, computed now (``auto_now_add``
    is the time of this call) for `insert_prepared` to write later. Only for models `insert`
    writes itself and whose rows need no key back (an id given, or none wanted)."""
    model = type(instance)
    if not _plain(model, save_override_ok):
        raise TypeError(f"{model.__name__} must be saved by the ORM")
    _sql, fields = _insert_sql(model, connection.vendor)
    return [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]


def insert_prepared(model: type[models.Model], rows: Sequence[Sequence[Any]]) -> None:
    """Write rows made by `prepared_insert`: one prepared statement for all of them."""
    if not rows:
        return
    sql, _fields = _insert_sql(model, connection.vendor, returning=False)
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


@functools.cache
def _update_sql(
    model: type[models.Model], vendor: str, names: tuple[str, ...] | None
) -> tuple[str, list[models.Field]]:
    meta = model._meta
    if names is None:
        fields = [field for field in meta.local_concrete_fields if not field.primary_key]
    else:
        fields = [meta.get_field(name) for name in names]  # type: ignore[misc]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(str(field.column))} = %s" for field in fields)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(str(meta.pk.column))} = %s"
    return sql, fields


def update(instance: M, fields: Sequence[str] | None = None) -> M:
    """``instance.save(update_fields=fields)`` (``instance.save()`` without ``fields``) for a
    row that exists, without the ORM's update compiler: each field's ``pre_save``
    (``auto_now``) and ``get_db_prep_save``, then one UPDATE by primary key. A model with
    save signals or its own ``save`` is saved by the ORM."""
    model = type(instance)
    if not _plain(model, False):
        instance.save(update_fields=fields)
        return instance
    names = tuple(fields) if fields is not None else None
    sql, concrete = _update_sql(model, connection.vendor, names)
    params = [
        field.get_db_prep_save(field.pre_save(instance, False), connection) for field in concrete
    ]
    params.append(model._meta.pk.get_db_prep_value(instance.pk, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.rowcount == 0:
            # As the ORM says when a save(update_fields=…) finds no row.
            raise DatabaseError(f"{model.__name__} {instance.pk}: no row to update")
    return instance


Converters = list[tuple[int, list[Callable[..., Any]], Col]]


def converters(fields: Sequence[models.Field], table: str) -> Converters:
    """What the ORM applies to each of these columns as read (``SQLCompiler.get_converters``)."""
    found: Converters = []
    for index, field in enumerate(fields):
        column = field.get_col(table)
        functions = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if functions:
            found.append((index, functions, column))
    return found


def convert(row: Sequence[Any], found: Converters) -> list[Any]:
    values = list(row)
    for index, functions, column in found:
        value = values[index]
        for function in functions:
            value = function(value, column, connection)
        values[index] = value
    return values


@functools.cache
def _select_sql(
    model: type[models.Model], vendor: str, for_update: bool
) -> tuple[str, list[str], Converters]:
    meta = model._meta
    fields = list(meta.concrete_fields)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(field.column)) for field in fields)
    sql = f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {quote(str(meta.pk.column))} = %s"
    if for_update and connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    return sql, [field.attname for field in fields], converters(fields, meta.db_table)


def get(model: type[M], pk: Any, *, for_update: bool = False) -> M | None:
    """``model.objects.filter(pk=pk).first()`` (``select_for_update()`` with ``for_update``)."""
    if for_update and not connection.in_atomic_block:
        raise TransactionManagementError(
            "select_for_update cannot be used outside of a transaction."
        )
    sql, attnames, found = _select_sql(model, connection.vendor, for_update)
    with connection.cursor() as cursor:
        cursor.execute(sql, [model._meta.pk.get_db_prep_value(pk, connection)])
        row = cursor.fetchone()
    if row is None:
        return None
    return model.from_db(connection.alias, attnames, convert(row, found))
