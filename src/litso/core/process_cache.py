"""Small tables a process keeps instead of reading them for every mail (rules, departments...).

Every new ticket needs the active triage rules, the departments, the SLA policies and who is
on shift; they change a few times a day, so each process keeps what it read:

* in this process a save or delete of a model the value depends on (post_save, post_delete,
  m2m_changed) drops it at once, and again when that transaction commits (another thread may
  have read the old rows in between);
* other processes (the admin saves a rule in the web process while a worker ingests mail)
  and changes that send no signal (``QuerySet.update``, ``bulk_create``, raw SQL) are seen
  within ``seconds``: every value is read again once it is that old;
* a thread that changed a dependency inside a transaction still open reads it from the
  database, uncached, until that transaction is over, so a change that is rolled back is
  never kept.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Iterable
from typing import Any, Generic, TypeVar

from django.db import connection, connections, models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

T = TypeVar("T")
# How stale a value may be in a process that did not make the change itself.
SECONDS = 2.0

_all: list[ProcessCache[Any]] = []


class ProcessCache(Generic[T]):
    """``load()``'s result, kept by the process as the module docstring says."""

    def __init__(self, name: str, load: Callable[[], T], *, seconds: float = SECONDS) -> None:
        self.name = name
        self.load = load
        self.seconds = seconds
        self._lock = threading.Lock()
        self._value: T | None = None
        self._loaded_at: float | None = None
        # Bumped by every invalidation: a value read before a change is not kept after it.
        self._generation = 0
        # Set in a thread that registered an invalidation for its commit: only then is the
        # thread's list of commit callbacks (long in a batch of mail) searched for it.
        self._local = threading.local()
        _all.append(self)

    def get(self) -> T:
        if getattr(self._local, "pending", False):
            if connection.in_atomic_block and self._changed_in_open_transaction():
                return self.load()
            # Committed (and invalidated) or rolled back: nothing of it waits any more.
            self._local.pending = False
        with self._lock:
            if self._loaded_at is not None and time.monotonic() - self._loaded_at < self.seconds:
                return self._value  # type: ignore[return-value]
            generation = self._generation
        value = self.load()
        with self._lock:
            if generation == self._generation:
                self._value, self._loaded_at = value, time.monotonic()
        return value

    def invalidate(self) -> None:
        with self._lock:
            self._value, self._loaded_at = None, None
            self._generation += 1

    def depends_on(
        self,
        *models_: type[models.Model],
        m2m: Iterable[type[models.Model]] = (),
        ignore_fields: Collection[str] = (),
    ) -> None:
        """Drop the value when one of ``models_`` is saved or deleted, or an ``m2m`` through
        table changes. A save that writes only ``ignore_fields`` (``update_fields``) does not
        count: an assignment stamping ``last_assigned_at`` does not change who is on shift."""
        ignored = frozenset(ignore_fields)
        uid = f"process_cache:{self.name}:{id(self)}"

        def saved(update_fields: Collection[str] | None = None, **kwargs: Any) -> None:
            if update_fields and ignored and set(update_fields) <= ignored:
                return
            self._changed(**kwargs)

        for model in models_:
            label = model._meta.label
            post_save.connect(
                saved,
                sender=model,
                weak=False,
                dispatch_uid=f"{uid}:save:{label}",
            )
            post_delete.connect(
                self._changed,
                sender=model,
                weak=False,
                dispatch_uid=f"{uid}:delete:{label}",
            )
        for through in m2m:
            m2m_changed.connect(
                self._changed,
                sender=through,
                weak=False,
                dispatch_uid=f"{uid}:m2m:{through._meta.label}",
            )

    def _changed(self, using: str = "default", **kwargs: Any) -> None:
        self.invalidate()
        if connections[using].in_atomic_block:
            transaction.on_commit(self.invalidate, using=using)
            self._local.pending = True

    def _changed_in_open_transaction(self) -> bool:
        # The invalidation waiting for this thread's commit is the mark: Django drops it when
        # the transaction (or the savepoint it was made in) rolls back, and runs it on commit.
        return any(entry[1] == self.invalidate for entry in connection.run_on_commit)


def forget_all() -> None:
    """Drop every process cache (tests: rows of a rolled-back test must not be seen)."""
    for cache in _all:
        cache.invalidate()
