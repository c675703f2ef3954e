"""Content-addressed storage: the same bytes are written once and found by their hash."""

from __future__ import annotations

import hashlib
import os
import tempfile

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from litso.files.models import Blob, storage_name


def store_bytes(data: bytes) -> Blob:
    """Write ``data`` (if new) and return its Blob row.

    The file is written (and synced) before the row, so a row never points at missing bytes; a
    crash in between leaves an orphan file, which costs disk but never loses data.
    """
    sha = hashlib.sha256(data).hexdigest()
    name = storage_name(sha)
    try:
        path = default_storage.path(name)
    except NotImplementedError:
        _store_elsewhere(name, data)
    else:
        _store_on_disk(path, data)
    # No get_or_create: it costs a savepoint and a SELECT on the hot path of mail intake.
    Blob.objects.bulk_create([Blob(sha256=sha, size=len(data))], ignore_conflicts=True)
    return Blob(sha256=sha, size=len(data))


def _store_on_disk(path: str, data: bytes) -> None:
    if os.path.exists(path):
        return
    directory = os.path.dirname(path)
    os.makedirs(directory, exist_ok=True)
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
