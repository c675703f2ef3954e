"""Content-addressed storage: the same bytes are written once and found by their hash.

Durability: a Blob row is never committed before its bytes are on disk. Each file is written
under a temporary name, fsynced and renamed into place, so a file under its final name is
always complete; the directories whose entries changed (the file's, and the parents of
directories made for it) are fsynced too, so the rename survives a crash.

A caller storing many files in one transaction (mail intake, a batch of inbound mail) passes a
`BlobBatch` and calls ``flush()`` before committing: the files are written at once but synced
together at the flush, then renamed, then their directories synced, each sync on a small
thread pool. On ext4 (and most journalling file systems) concurrent fsyncs share one journal
commit, so a batch of 200 files costs about what 10 files synced one after the other do.
Until the flush a batch's files are only under their temporary names. `deferred_blobs`
makes a batch ambient: every ``blob_batch()`` inside it (each message's attachments) joins it.
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
import itertools
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from litso.files.models import Blob, storage_name

# Directories this process made or found (the store only ever adds them): makedirs, a stat
# per level, is not asked again for each file. Bounded: forgotten past MAX_KNOWN_DIRECTORIES.
MAX_KNOWN_DIRECTORIES = 100_000
_known_directories: set[str] = set()
_known_lock = threading.Lock()
# fsync waits on the disk with the GIL released; more threads than this gain nothing on one
# disk. Fewer paths than SYNC_IN_PARALLEL_FROM (one file and the directories made for it)
# are synced in order in the calling thread.
SYNC_THREADS = 8
SYNC_IN_PARALLEL_FROM = 8
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
_ambient: contextvars.ContextVar[BlobBatch | None] = contextvars.ContextVar(
    "litso_blob_batch", default=None
)


@dataclass
class _Pending:
    temporary: str
    path: str
    directory: str


@dataclass
class BlobBatch:
    """Files, Blob rows and directory syncs that wait for ``flush()`` (see the docstring)."""

    blobs: dict[str, Blob] = field(default_factory=dict)
    directories: set[str] = field(default_factory=set)
    files: list[_Pending] = field(default_factory=list)

    def flush(self) -> None:
        files, self.files = self.files, []
        try:
            _sync_paths(f.temporary for f in files)
            for pending in files:
                # Renamed only once synced: a file under its final name is always whole.
                os.replace(pending.temporary, pending.path)
                self.directories.add(pending.directory)
        except BaseException:
            for pending in files:
                _discard(pending.temporary)
            raise
        # Deepest first when synced in order: a new directory's entries before its own.
        _sync_paths(sorted(self.directories, key=len, reverse=True), directories=True)
        self.directories.clear()
        if self.blobs:
            # No get_or_create: a row another transaction wrote meanwhile is simply kept.
            Blob.objects.bulk_create(self.blobs.values(), ignore_conflicts=True)
            self.blobs.clear()


@contextmanager
def blob_batch() -> Iterator[BlobBatch]:
    """Store several files, then sync them and write their rows at the end (or, inside
    `deferred_blobs`, at the end of that)."""
    ambient = _ambient.get()
    if ambient is not None:
        yield ambient
        return
    batch = BlobBatch()
    yield batch
    batch.flush()


@contextmanager
def deferred_blobs() -> Iterator[BlobBatch]:
    """Every file stored inside is synced, and its row written, when this ends. Use inside
    the transaction whose rows refer to them, so the flush comes before its commit."""
    batch = BlobBatch()
    token = _ambient.set(batch)
    try:
        yield batch
    except BaseException:
        _ambient.reset(token)
        for pending in batch.files:
            _discard(pending.temporary)
        raise
    _ambient.reset(token)
    batch.flush()


def store_bytes(data: bytes, *, batch: BlobBatch | None = None) -> Blob:
    """Write ``data`` (if new) and return its Blob row (inserted by ``batch.flush()`` when a
    batch is given, else now).

    The file is written (and synced) before the row, so a row never points at missing bytes; a
    crash in between leaves an orphan file, which costs disk but never loses data.
    """
    sha = hashlib.sha256(data).hexdigest()
    pending = batch if batch is not None else BlobBatch()
    if sha not in pending.blobs:
        name = storage_name(sha)
        try:
            path = default_storage.path(name)
        except NotImplementedError:
            _store_elsewhere(name, data)
        else:
            _store_on_disk(path, data, pending)
        pending.blobs[sha] = Blob(sha256=sha, size=len(data))
    blob = pending.blobs[sha]
    if batch is None:
        pending.flush()
    return blob


def _store_on_disk(path: str, data: bytes, batch: BlobBatch) -> None:
    if os.path.exists(path):
        return
    directory = os.path.dirname(path)
    _ensure_directory(directory, batch.directories)
    try:
        temporary = _write(directory, data)
    except FileNotFoundError:
        # A directory this process knew was removed meanwhile: make it again.
        with _known_lock:
            _known_directories.clear()
        _ensure_directory(directory, batch.directories)
        temporary = _write(directory, data)
    batch.files.append(_Pending(temporary, path, directory))


_names = itertools.count()
_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)


def _write(directory: str, data: bytes) -> str:
    # Written under a temporary name and renamed at the flush: a reader never sees half a
    # file, and two writers of the same content both end with the one complete file.
    # The name is unique to this process and thread by construction (mkstemp's random names
    # and its chmod were a twentieth of storing a mail); O_EXCL still refuses a leftover of
    # an earlier process that had the same pid, and mkstemp then picks a name.
    temporary = os.path.join(
        directory, f".incoming-{os.getpid()}-{threading.get_ident()}-{next(_names)}"
    )
    try:
        fd = os.open(temporary, _WRITE_FLAGS, 0o644)
    except FileExistsError:
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as fh:
            # Whatever the umask: the web process (maybe another user) reads these files.
            os.fchmod(fh.fileno(), 0o644)
            fh.write(data)
    except BaseException:
        _discard(temporary)
        raise
    return temporary


def _discard(temporary: str) -> None:
    with suppress(FileNotFoundError):
        os.unlink(temporary)


def _ensure_directory(directory: str, changed: set[str]) -> None:
    """Make ``directory`` and any missing parents; each parent that got a new entry is added
    to ``changed`` (to be synced)."""
    with _known_lock:
        if directory in _known_directories:
            return
    if not os.path.isdir(directory):
        parent = os.path.dirname(directory)
        if parent and parent != directory:
            _ensure_directory(parent, changed)
        try:
            os.mkdir(directory)
        except FileExistsError:
            pass
        else:
            changed.add(parent)
    with _known_lock:
        if len(_known_directories) >= MAX_KNOWN_DIRECTORIES:
            _known_directories.clear()
        _known_directories.add(directory)


def _sync_paths(paths: Iterable[str], *, directories: bool = False) -> None:
    """fsync each path; all of them have been synced when this returns (or it raises)."""
    todo = list(paths)
    sync = _sync_directory if directories else _sync_file
    if len(todo) < SYNC_IN_PARALLEL_FROM:
        for path in todo:
            sync(path)
        return
    # One task per thread, each syncing its share in turn (a task per path cost more in
    # futures and locks than the syncs' own CPU); list() waits for every share and raises the
    # first failure.
    shares = [todo[start::SYNC_THREADS] for start in range(min(SYNC_THREADS, len(todo)))]
    list(_sync_pool().map(functools.partial(_sync_each, sync), shares))


def _sync_each(sync: Callable[[str], None], paths: list[str]) -> None:
    for path in paths:
        sync(path)


def _sync_file(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_directory(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except FileNotFoundError:
        return
    try:
        os.fsync(fd)
    except OSError:
        # Some file systems cannot sync a directory; their renames are as durable as
        # they make them.
        pass
    finally:
        os.close(fd)


def _sync_pool() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(SYNC_THREADS, thread_name_prefix="blob-sync")
        return _pool


def _forget_pool() -> None:
    # A forked child (a worker started by the supervisor) has none of the parent's threads.
    global _pool, _pool_lock
    _pool, _pool_lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_pool)


def _store_elsewhere(name: str, data: bytes) -> None:
    if default_storage.exists(name):
        return
    saved = default_storage.save(name, ContentFile(data))
    if saved != name:
        # Another process wrote the same content at the same moment; keep one copy.
        default_storage.delete(saved)


def read_bytes(blob: Blob) -> bytes:
    with default_storage.open(blob.storage_name, "rb") as fh:
        data: bytes = fh.read()
    return data
