from __future__ import annotations

import hashlib
from pathlib import Path

from django.core.files.storage import default_storage

from litso.files.models import Blob
from litso.files.store import read_bytes, store_bytes


def test_bytes_are_stored_once_by_their_hash(db) -> None:
    data = "Zamówienie: C:\\Users\\new.log\n".encode()
    first = store_bytes(data)
    second = store_bytes(data)
    assert first.sha256 == second.sha256 == hashlib.sha256(data).hexdigest()
    assert Blob.objects.count() == 1
    assert read_bytes(Blob.objects.get()) == data
    path = Path(default_storage.path(first.storage_name))
    assert path.read_bytes() == data
    # Nothing half-written is left next to it.
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_a_blob_row_is_restored_when_the_file_was_kept(db) -> None:
    data = b"\x00\x01binary"
    store_bytes(data)
    Blob.objects.all().delete()
    blob = store_bytes(data)
    assert Blob.objects.filter(pk=blob.pk, size=len(data)).exists()
