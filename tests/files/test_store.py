from __future__ import annotations

import hashlib
import os
import shutil
import stat
import threading
from pathlib import Path

import pytest
from django.core.files.storage import default_storage

from litso.files.models import Blob
from litso.files.store import blob_batch, deferred_blobs, read_bytes, store_bytes


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


def synced_paths(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every path fsynced from now on (files and directories)."""
    seen: list[str] = []
    real = os.fsync

    def fsync(fd: int) -> None:
        seen.append(os.readlink(f"/proc/self/fd/{fd}"))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return seen


def test_a_file_and_the_directories_made_for_it_are_synced(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = synced_paths(monkeypatch)
    blob = store_bytes(b"first")
    path = Path(default_storage.path(blob.storage_name))
    root = Path(default_storage.path("blobs"))
    # The file (under its temporary name), then its directory, then the parent of each
    # directory made for it: the per-test MEDIA_ROOT did not exist either.
    assert seen[0].startswith(str(path.parent / ".incoming-"))
    made = [path.parent, path.parent.parent, root, root.parent, root.parent.parent]
    assert seen[1:] == [str(p) for p in made]
    assert Blob.objects.filter(pk=blob.pk).exists()


def test_a_batch_syncs_each_directory_once_and_writes_rows_at_the_end(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two contents whose hashes share their first four hex digits: one directory.
    same = [b"%d" % i for i in range(100_000)]
    by_dir: dict[str, list[bytes]] = {}
    for data in same:
        by_dir.setdefault(hashlib.sha256(data).hexdigest()[:4], []).append(data)
    pair = next(v for v in by_dir.values() if len(v) >= 2)[:2]
    store_bytes(b"warm up")  # the blobs/ directory exists from here on
    seen = synced_paths(monkeypatch)
    with blob_batch() as batch:
        blobs = [store_bytes(data, batch=batch) for data in [*pair, pair[0]]]
        assert not Blob.objects.filter(pk__in=[b.pk for b in blobs]).exists()
        # Written, but only under temporary names until the flush has synced them.
        assert seen == []
        assert not any(default_storage.exists(b.storage_name) for b in blobs)
    directory = Path(default_storage.path(blobs[0].storage_name)).parent
    # The two files (under their temporary names) before any directory; then its own
    # directory, the new one's parent and (the warm-up used another) the new first-level
    # one's parent: each once.
    assert len(seen) == 5
    assert all("/.incoming-" in p for p in seen[:2])
    root = Path(default_storage.path("blobs"))
    assert sorted(seen[2:]) == sorted([str(directory), str(directory.parent), str(root)])
    assert Blob.objects.filter(pk__in=[b.pk for b in blobs]).count() == 2
    for data, blob in zip(pair, blobs, strict=False):
        assert read_bytes(blob) == data
    assert not [p for p in directory.iterdir() if p.name.startswith(".incoming-")]


def test_a_failed_sync_writes_no_rows_and_leaves_no_files(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_bytes(b"warm up")

    def fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", fsync)
    datas = [b"one %d" % i for i in range(12)]  # synced on the pool
    blobs = []
    with pytest.raises(OSError, match="Input/output error"), blob_batch() as batch:
        blobs.extend(store_bytes(data, batch=batch) for data in datas)
    assert not Blob.objects.filter(pk__in=[b.pk for b in blobs]).exists()
    for blob in blobs:
        path = Path(default_storage.path(blob.storage_name))
        assert not path.exists()
        assert not [p for p in path.parent.iterdir() if p.name.startswith(".incoming-")]


def test_deferred_blobs_gathers_every_batch_inside_it(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_bytes(b"warm up")
    seen = synced_paths(monkeypatch)
    with deferred_blobs():
        with blob_batch() as first:
            one = store_bytes(b"message one", batch=first)
        with blob_batch() as second:
            two = store_bytes(b"message two", batch=second)
        # The inner batches end without syncing or writing rows: the outer one does both.
        assert first is second
        assert seen == []
        assert not Blob.objects.filter(pk__in=[one.pk, two.pk]).exists()
    assert Blob.objects.filter(pk__in=[one.pk, two.pk]).count() == 2
    assert sum("/.incoming-" in p for p in seen) == 2
    assert read_bytes(one) == b"message one"
    assert read_bytes(two) == b"message two"
    # Outside it, a batch flushes on its own again.
    with blob_batch() as alone:
        three = store_bytes(b"message three", batch=alone)
    assert Blob.objects.filter(pk=three.pk).exists()


def test_deferred_blobs_left_by_an_error_stores_nothing(db: None) -> None:
    store_bytes(b"warm up")

    def store_then_fail() -> Blob:
        with deferred_blobs(), blob_batch() as batch:
            blob = store_bytes(b"never kept", batch=batch)
            raise RuntimeError(blob.sha256)

    with pytest.raises(RuntimeError) as failed:
        store_then_fail()
    blob = Blob(sha256=str(failed.value.args[0]))
    path = Path(default_storage.path(blob.storage_name))
    assert not path.exists()
    assert not Blob.objects.filter(pk=blob.pk).exists()
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".incoming-")]


def test_a_directory_removed_behind_the_store_is_made_again(db: None) -> None:
    first = store_bytes(b"one")
    directory = Path(default_storage.path(first.storage_name)).parent
    shutil.rmtree(directory.parent)
    again = store_bytes(b"one")
    assert read_bytes(again) == b"one"


def test_a_leftover_temporary_name_is_not_reused(tmp_path, monkeypatch):
    """A temporary file left by an earlier process with the same pid (a crash) is neither
    overwritten nor kept as the new file's content: another name is taken."""
    from litso.files import store

    monkeypatch.setattr(store, "_names", iter([7, 8]))
    leftover = tmp_path / f".incoming-{os.getpid()}-{threading.get_ident()}-7"
    leftover.write_bytes(b"half of an old file")
    written = store._write(str(tmp_path), b"new bytes")
    assert written != str(leftover)
    assert leftover.read_bytes() == b"half of an old file"
    assert Path(written).read_bytes() == b"new bytes"
    assert stat.S_IMODE(os.stat(written).st_mode) == 0o644
