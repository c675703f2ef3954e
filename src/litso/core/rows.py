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

import asyncio
import contextvars
import datetime
import functools
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models.expressions import Col
from django.db.models.fields import AutoFieldMixin
from django.db.models.signals import post_save, pre_save
from django.db.transaction import TransactionManagementError

M = TypeVar("M", bound=models.Model)


def _connection() -> BaseDatabaseWrapper:
    # The default connection itself, once per call: each attribute read through the
    # ``connection`` proxy looks it up again (a thread-local read), and preparing a row's
    # values reads it for every field.
    return connections[DEFAULT_DB_ALIAS]


# This module's statements in SQLite's placeholder style, which Django's cursor rewrites them
# into on every execute.
_QMARK: dict[str, str] = {}
_FORMAT = re.compile(r"(?<!%)%s")
Rows = list[tuple[Any, ...]]


def _kept_cursor(conn: BaseDatabaseWrapper) -> Any:
    """A DB-API cursor of the connection, kept for this module's statements; None when
    Django's own cursor must run them: when something watches statements (DEBUG's query log,
    a test counting queries, an execute wrapper), in an event loop (Django refuses there),
    on other databases, or with no connection open yet.

    Django's cursor cost ~20 us a statement (a wrapper made for each, the SQL rewritten each
    time) around SQLite's few: a mail runs a dozen statements."""
    dbapi = conn.connection
    if conn.vendor != "sqlite" or dbapi is None or conn.queries_logged or conn.execute_wrappers:
        return None
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        return None
    conn.validate_thread_sharing()
    kept = conn.__dict__.get("_litso_rows_cursor")
    if kept is None or kept[0] is not dbapi:
        # A new connection (Django reconnected): a cursor of it.
        kept = (dbapi, dbapi.cursor())
        conn.__dict__["_litso_rows_cursor"] = kept
    return kept[1]


def _execute(cursor: Any, sql: str, params: Any, many: bool) -> tuple[Rows, int]:
    if many:
        cursor.executemany(sql, params)
    else:
        cursor.execute(sql, params)
    # All rows: a statement left unfinished would keep SQLite from committing.
    found = cursor.fetchall() if cursor.description is not None else []
    return found, cursor.rowcount


def _run(
    conn: BaseDatabaseWrapper, sql: str, params: Any, *, many: bool = False
) -> tuple[Rows, int]:
    """Execute (``executemany`` with ``many``): every row it returns, and its row count. As
    Django's cursor does: the broken-transaction check, and Django's exceptions."""
    cursor = _kept_cursor(conn)
    if cursor is None:
        with conn.cursor() as django_cursor:
            return _execute(django_cursor, sql, params, many)
    qmark = _QMARK.get(sql)
    if qmark is None:
        qmark = _QMARK[sql] = _FORMAT.sub("?", sql).replace("%%", "%")
    conn.validate_no_broken_transaction()
    with conn.wrap_database_errors:
        return _execute(cursor, qmark, params, many)


def fetch(sql: str, params: Sequence[Any]) -> Rows:
    """``cursor.execute(sql, params)`` and every row it returns, for plain SQL asked for every
    mail (see `_kept_cursor`)."""
    return _run(_connection(), sql, params)[0]


# How each field's value is written: (field, attname, the value types written as they are, or
# None for "always ask the field", whether the field has its own pre_save, whether the field is
# a date-time that SQLite stores as text, see `_utc_naive`).
Plan = list[tuple[models.Field, str, tuple[type, ...] | None, bool, bool]]
_UTC = datetime.UTC


def _as_is(field: models.Field, ops: BaseDatabaseOperations) -> tuple[type, ...] | None:
    """The value types (and None) that ``field.get_db_prep_save`` returns unchanged on this
    backend, judged by which of Django's methods the field uses; None when unsure. Asking the
    field for every value of every row was a twentieth of a mail's processing."""
    cls = type(field)
    if isinstance(field, models.ForeignKey):
        # None stays None; anything else is what the target field makes of it.
        if cls.get_db_prep_save is not models.ForeignKey.get_db_prep_save:
            return None
        return _as_is(field.target_field, ops)
    if cls.get_db_prep_save is not models.Field.get_db_prep_save:
        return None
    prep, db_prep = cls.get_prep_value, cls.get_db_prep_value
    if prep in (models.CharField.get_prep_value, models.TextField.get_prep_value):
        return (str,) if db_prep is models.Field.get_db_prep_value else None
    if prep is models.BooleanField.get_prep_value:
        return (bool,) if db_prep is models.Field.get_db_prep_value else None
    if prep is models.IntegerField.get_prep_value:
        ops_class = type(ops)
        if db_prep is AutoFieldMixin.get_db_prep_value:
            default = BaseDatabaseOperations.validate_autopk_value
            unchanged = ops_class.validate_autopk_value is default
        else:
            # PostgreSQL (psycopg 3) wraps integers in its own types here.
            unchanged = db_prep is models.IntegerField.get_db_prep_value and (
                ops_class.adapt_integerfield_value
                is BaseDatabaseOperations.adapt_integerfield_value
            )
        return (int,) if unchanged else None
    return None


def _utc_text_field(field: models.Field, ops: BaseDatabaseOperations) -> bool:
    """Whether the field writes a date-time as Django's SQLite backend does: made naive in
    the connection's time zone, then ``str()`` (judged by the methods it uses)."""
    cls = type(field)
    adapt = type(ops).adapt_datetimefield_value
    return (
        ops.connection.vendor == "sqlite"
        and adapt.__module__ == "django.db.backends.sqlite3.operations"
        and cls.get_db_prep_save is models.Field.get_db_prep_save
        and cls.get_db_prep_value is models.DateTimeField.get_db_prep_value
        and cls.get_prep_value is models.DateTimeField.get_prep_value
    )


def _utc_naive(conn: BaseDatabaseWrapper) -> bool:
    """Whether Django writes an aware UTC date-time here as ``str()`` of its naive value (a
    mail writes about fifteen; Django's way, through make_naive, cost four times that)."""
    # Asked per row, not kept in the plan: settings can change (tests override them).
    return bool(settings.USE_TZ) and conn.timezone_name == "UTC"


def _plan(fields: Sequence[models.Field], ops: BaseDatabaseOperations) -> Plan:
    return [
        (
            field,
            str(field.attname),
            _as_is(field, ops),
            type(field).pre_save is not models.Field.pre_save,
            _utc_text_field(field, ops),
        )
        for field in fields
    ]


def _values(instance: models.Model, plan: Plan, conn: BaseDatabaseWrapper, add: bool) -> list[Any]:
    """``[field.get_db_prep_save(field.pre_save(instance, add), conn) for field in fields]``,
    without the calls for values a field would write as they are (see `_as_is`)."""
    params = []
    utc_naive: bool | None = None  # asked once a row, at the first date-time
    for field, attname, as_is, own_pre_save, utc_text in plan:
        value = field.pre_save(instance, add) if own_pre_save else getattr(instance, attname)
        if as_is is not None and (value is None or type(value) in as_is):
            params.append(value)
        elif utc_text and type(value) is datetime.datetime and value.tzinfo is _UTC:
            if utc_naive is None:
                utc_naive = _utc_naive(conn)
            if utc_naive:
                params.append(str(value.replace(tzinfo=None)))
            else:
                params.append(field.get_db_prep_save(value, conn))
        else:
            params.append(field.get_db_prep_save(value, conn))
    return params


@functools.cache
def _insert_sql(model: type[models.Model], vendor: str, returning: bool = True) -> tuple[str, Plan]:
    meta = model._meta
    fields = [field for field in meta.local_concrete_fields if field is not meta.auto_field]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(field.column)) for field in fields)
    values = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({values})"
    if returning and meta.auto_field is not None:
        sql += f" RETURNING {quote(str(meta.auto_field.column))}"
    return sql, _plan(fields, connection.ops)


@functools.cache
def _plain_fields(model: type[models.Model]) -> bool:
    """What `_plain` asks of the model's fields (they do not change while the process runs)."""
    meta = model._meta
    if meta.parents:
        return False
    return not any(
        getattr(field, "generated", False) or (field.db_returning and field is not meta.auto_field)
        for field in meta.local_concrete_fields
    )


def _plain(model: type[models.Model], save_override_ok: bool, pre_save_done: bool = False) -> bool:
    if not _plain_fields(model):
        return False
    # Receivers may be connected, and save replaced, at any time (tests do): asked every time.
    if (pre_save.has_listeners(model) and not pre_save_done) or post_save.has_listeners(model):
        return False
    return save_override_ok or model.save is models.Model.save


def insert(instance: M, *, save_override_ok: bool = False, pre_save_done: bool = False) -> M:
    """``instance.save(force_insert=True)``, a new row, at a fraction of the cost.

    ``save_override_ok``: the model overrides ``save`` but the override adds nothing to
    inserting a new row (the audit Event only refuses changes to saved events).
    ``pre_save_done``: the caller did what the model's pre_save receivers would do."""
    model = type(instance)
    if not _plain(model, save_override_ok, pre_save_done):
        instance.save(force_insert=True)
        return instance
    conn = _connection()
    sql, plan = _insert_sql(model, conn.vendor)
    params = _values(instance, plan, conn, True)
    returned, _count = _run(conn, sql, params)
    if model._meta.auto_field is not None:
        instance.pk = returned[0][0]
    instance._state.adding = False
    instance._state.db = conn.alias
    return instance


def insert_all(instances: Sequence[M]) -> None:
    """``Model.objects.bulk_create(instances)`` for rows `insert` writes itself (each gets its
    key). On SQLite one `insert` each: a statement there is a call, not a round trip, and
    bulk_create's compiler spent more on preparing the values than SQLite on writing them;
    elsewhere one bulk_create."""
    if not instances:
        return
    model = type(instances[0])
    if _connection().vendor != "sqlite" or not _plain(model, False):
        model._default_manager.bulk_create(instances)
        return
    for instance in instances:
        insert(instance)


def prepared_insert(
    instance: models.Model, *, save_override_ok: bool = False, pre_save_done: bool = False
) -> list[Any]:
    """The parameters `insert` would write for ``instance``, computed now (``auto_now_add``
    is the time of this call) for `insert_prepared` to write later. Only for models `insert`
    writes itself and whose rows need no key back (an id given, or none wanted).
    ``pre_save_done``: the caller did what the model's pre_save receivers would do."""
    model = type(instance)
    if not _plain(model, save_override_ok, pre_save_done):
        raise TypeError(f"{model.__name__} must be saved by the ORM")
    conn = _connection()
    _sql, plan = _insert_sql(model, conn.vendor)
    return _values(instance, plan, conn, True)


def insert_prepared(model: type[models.Model], rows: Sequence[Sequence[Any]]) -> None:
    """Write rows made by `prepared_insert`: one prepared statement for all of them."""
    if not rows:
        return
    sql, _plan = _insert_sql(model, connection.vendor, returning=False)
    _run(_connection(), sql, rows, many=True)


class _Marker:
    """A no-op on_commit callback: while Django keeps it, its savepoints were not rolled back
    (Django drops the callbacks registered in a savepoint when it rolls back)."""

    __slots__ = ()

    def __call__(self) -> None:
        return None


class _Deferred:
    def __init__(self) -> None:
        self.rows: dict[type[models.Model], list[tuple[_Marker, list[Any]]]] = {}
        self._marker: _Marker | None = None
        self._savepoints: tuple[str | None, ...] = ()

    def add(self, model: type[models.Model], params: list[Any]) -> None:
        savepoints = tuple(_connection().savepoint_ids)
        if self._marker is None or savepoints != self._savepoints:
            # Savepoint ids are never reused on a connection: one marker per set of them.
            self._marker, self._savepoints = _Marker(), savepoints
            transaction.on_commit(self._marker)
        self.rows.setdefault(model, []).append((self._marker, params))

    def flush(self) -> None:
        alive = {id(entry[1]) for entry in connection.run_on_commit}
        pending, self.rows, self._marker = self.rows, {}, None
        for model, rows in pending.items():
            insert_prepared(model, [params for marker, params in rows if id(marker) in alive])


_deferred: contextvars.ContextVar[_Deferred | None] = contextvars.ContextVar(
    "litso_rows_deferred", default=None
)


@contextmanager
def deferred_inserts() -> Iterator[None]:
    """Rows given to `insert_later` inside are written when it ends, one statement per
    model; a row given inside a savepoint that rolled back is not written. Use inside the
    transaction, so the rows commit with the changes they belong to."""
    deferred = _Deferred()
    token = _deferred.set(deferred)
    try:
        yield
    finally:
        _deferred.reset(token)
    deferred.flush()


def insert_later(instance: M, *, save_override_ok: bool = False, pre_save_done: bool = False) -> M:
    """`insert` now, or inside `deferred_inserts` when that ends (the instance then has no
    key from the database: for rows whose key is given or not wanted). Values, ``auto_now_add``
    included, are taken now either way."""
    deferred = _deferred.get()
    if deferred is None or not _connection().in_atomic_block:
        return insert(instance, save_override_ok=save_override_ok, pre_save_done=pre_save_done)
    params = prepared_insert(
        instance, save_override_ok=save_override_ok, pre_save_done=pre_save_done
    )
    deferred.add(type(instance), params)
    return instance


def enqueue(task: Any, *args: Any) -> None:
    """``task.enqueue(*args)``; with django-tasks' database backend, inside `deferred_inserts`,
    its row is written with the batch's other rows. The row and the signal are those
    ``DatabaseBackend.enqueue`` makes (tests/core/test_rows.py compares them)."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.compat import normalize_json, task_enqueued
    from django_tasks_db.models import DBTaskResult, get_date_max

    backend = task.get_backend()
    if _deferred.get() is None or type(backend) is not DatabaseBackend:
        task.enqueue(*args)
        return
    backend.validate_task(task)
    row: DBTaskResult[Any, Any] = DBTaskResult(
        id=backend._get_id(),
        args_kwargs=normalize_json({"args": args, "kwargs": {}}),
        priority=task.priority,
        task_path=task.module_path,
        queue_name=task.queue_name,
        # What django_tasks_db's pre_save receiver (set_run_after) does.
        run_after=task.run_after if task.run_after is not None else get_date_max(),
        backend_name=backend.alias,
    )
    insert_later(row, pre_save_done=True)
    task_enqueued.send(type(backend), task_result=row.task_result)


@functools.cache
def _update_sql(
    model: type[models.Model], vendor: str, names: tuple[str, ...] | None
) -> tuple[str, Plan]:
    meta = model._meta
    if names is None:
        fields = [field for field in meta.local_concrete_fields if not field.primary_key]
    else:
        fields = [meta.get_field(name) for name in names]  # type: ignore[misc]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(str(field.column))} = %s" for field in fields)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(str(meta.pk.column))} = %s"
    return sql, _plan(fields, connection.ops)


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
    conn = _connection()
    sql, plan = _update_sql(model, conn.vendor, names)
    params = _values(instance, plan, conn, False)
    params.append(model._meta.pk.get_db_prep_value(instance.pk, conn))
    _rows, count = _run(conn, sql, params)
    if count == 0:
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
    conn = _connection()
    values = list(row)
    for index, functions, column in found:
        value = values[index]
        for function in functions:
            value = function(value, column, conn)
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
    conn = _connection()
    if for_update and not conn.in_atomic_block:
        raise TransactionManagementError(
            "select_for_update cannot be used outside of a transaction."
        )
    sql, attnames, found = _select_sql(model, conn.vendor, for_update)
    returned, _count = _run(conn, sql, [model._meta.pk.get_db_prep_value(pk, conn)])
    if not returned:
        return None
    return model.from_db(conn.alias, attnames, convert(returned[0], found))
