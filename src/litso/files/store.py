"""Content-addressed storage: the same bytes are written once and found by their hash.

Durability: a Blob row is never committed before its bytes are on disk. Each file is written
under a temporary name, fsynced and renamed into place; the directories whose entries
changed (the file's, and the parents of directories made for it) are fsynced too, so the
rename survives a crash. A caller storing many files in one transaction (mail intake) passes
a `BlobBatch`: the directories are then synced once each, and the Blob rows inserted in one
statement, when it calls ``flush()`` before committing.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from litso.files.models import Blob, storage_name

# Directories this process made or found (the store only ever adds them): makedirs, a stat
# per level, is not asked again for each file. Bounded: forgotten past MAX_KNOWN_DIRECTORIES.
MAX_KNOWN_DIRECTORIES = 100_000
_known_directories: set[str] = set()
_known_lock = threading.Lock()


@dataclass
class BlobBatch:
    """Blob rows and directory syncs that wait for ``flush()`` (see the module docstring)."""

    blobs: dict[str, Blob] = field(default_factory=dict)
    directories: set[str] = field(default_factory=set)

    def flush(self) -> None:
        _sync_directories(self.directories)
        self.directories.clear()
        if self.blobs:
            # No get_or_create: a row another transaction wrote meanwhile is simply kept.
            Blob.objects.bulk_create(self.blobs.values(), ignore_conflicts=True)
            self.blobs.clear()


@contextmanager
def blob_batch() -> Iterator[BlobBatch]:
    """Store several files, then sync their directories and write their rows at the end."""
    batch = BlobBatch()
    yield batch
    batch.flush()


def store_bytes(data: bytes, *, batch: BlobBatch | None = None) -> Blob:
    """Write ``data`` (if new) and return its Blob row (inserted by ``batch.flush()`` when a
    batch is given, else now).

    The file is written (and synced) before the row, so a row never points at missing bytes; a
    crash in between leaves an orphan file, which costs disk but never loses data.
    """
    sha = hashlib.sha256(data).hexdigest()
    name = storage_name(sha)
    pending = batch if batch is not None else BlobBatch()
    try:
        path = default_storage.path(name)
    except NotImplementedError:
        _store_elsewhere(name, data)
    else:
        _store_on_disk(path, data, pending.directories)
    blob = Blob(sha256=sha, size=len(data))
    pending.blobs.setdefault(sha, blob)
    if batch is None:
        pending.flush()
    return blob


def _store_on_disk(path: str, data: bytes, changed: set[str]) -> None:
    if os.path.exists(path):
        return
    directory = os.path.dirname(path)
    _ensure_directory(directory, changed)
    try:
        _write(directory, path, data)
    except FileNotFoundError:
        # A directory this process knew was removed meanwhile: make it again.
        with _known_lock:
            _known_directories.clear()
        _ensure_directory(directory, changed)
        _write(directory, path, data)
    changed.add(directory)


def _write(directory: str, path: str, data: bytes) -> None:
    # Written under a temporary name and renamed: a reader never sees half a file, and two
    # writers of the same content both end with the one complete file.
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


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


def _sync_directories(directories: set[str]) -> None:
    # Deepest first: a new directory's own entries before its entry in its parent.
    for directory in sorted(directories, key=len, reverse=True):
        try:
            fd = os.open(directory, os.O_RDONLY)
        except FileNotFoundError:
            continue
        try:
            os.fsync(fd)
        except OSError:
            # Some file systems cannot sync a directory; their renames are as durable as
            # they make them.
            pass
        finally:
            os.close(fd)


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
