"""Content-addressed storage: the same bytes are written once and found by their hash."""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from litso.files.models import Blob, storage_name


def store_bytes(data: bytes) -> Blob:
    """Write ``data`` (if new) and return its Blob row.

    The file is written before the row, so a row never points at missing bytes; a crash in
    between leaves an orphan file, which costs disk but never loses data.
    """
    sha = hashlib.sha256(data).hexdigest()
    name = storage_name(sha)
    if not default_storage.exists(name):
        saved = default_storage.save(name, ContentFile(data))
        if saved != name:
            # Another process wrote the same content at the same moment; keep one copy.
            default_storage.delete(saved)
    blob, _ = Blob.objects.get_or_create(sha256=sha, defaults={"size": len(data)})
    return blob


def read_bytes(blob: Blob) -> bytes:
    with default_storage.open(blob.storage_name, "rb") as fh:
        data: bytes = fh.read()
    return data
