"""One INSERT without the ORM's query compiler, for the rows every incoming mail writes.

``Model.save(force_insert=True)`` builds and compiles an InsertQuery for every row: about
0.15 ms of CPU for an audit event whose INSERT itself costs a fraction of that. A mail
writes half a dozen such rows (ticket, message, triage, events), so `insert` keeps the SQL
per model and does what Django's insert does with the values: each field's ``pre_save``
(``auto_now_add``, ``auto_now``) and ``get_db_prep_save``, then the primary key from
``RETURNING`` (SQLite 3.35+ and PostgreSQL).

What it does not do, it refuses to skip: a model with pre_save/post_save receivers, or whose
``save`` is overridden (unless the caller says the override adds nothing to an insert), or
with parents (multi-table inheritance), is saved by the ORM as before.
"""

from __future__ import annotations

import functools
from typing import TypeVar

from django.db import connection, models
from django.db.models.signals import post_save, pre_save

M = TypeVar("M", bound=models.Model)


@functools.cache
def _insert_sql(model: type[models.Model], vendor: str) -> tuple[str, list[models.Field]]:
    meta = model._meta
    fields = [field for field in meta.local_concrete_fields if field is not meta.auto_field]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(field.column)) for field in fields)
    values = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({values})"
    if meta.auto_field is not None:
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
