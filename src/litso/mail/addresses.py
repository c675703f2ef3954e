"""Which addresses the desk receives mail for: the departments' inbound addresses.

``support+anything@shop.test`` belongs to ``support@shop.test`` (replies carry ticket tokens
in the tag: ``support+t1042.ab12cd34@shop.test``). The SMTP server asks for every RCPT, so
the address map is kept for a short while instead of being read from the database each time;
a change to a department in this process drops it at once, others see it within
``CACHE_SECONDS``.
"""

from __future__ import annotations

import copy
import threading
import time
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from litso.departments.models import Department

CACHE_SECONDS = 30.0

_lock = threading.Lock()
_cached: dict[str, Department] | None = None
_cached_at = 0.0
# Bumped by invalidate(): a map read from the database before a change is not kept after it.
_generation = 0


def normalize(address: str) -> str:
    """Lower case, without surrounding blanks or angle brackets (``<a@b>`` as in RCPT TO)."""
    return address.strip().strip("<>").strip().lower()


def split_plus(address: str) -> tuple[str, str | None]:
    """``support+t1042.ab12cd34@shop.test`` → ``("support@shop.test", "t1042.ab12cd34")``.

    The tag starts at the first ``+`` of the local part; an address without one has no tag.
    Case is kept (compare with :func:`normalize`).
    """
    local, at, domain = address.strip().rpartition("@")
    if not at:
        local, domain = address.strip(), ""
    base_local, plus, tag = local.partition("+")
    if not plus:
        return address.strip(), None
    return f"{base_local}{at}{domain}", tag


def _address_map() -> dict[str, Department]:
    global _cached, _cached_at
    with _lock:
        if _cached is not None and time.monotonic() - _cached_at < CACHE_SECONDS:
            return _cached
        generation = _generation
    found: dict[str, Department] = {}
    # Oldest department first: if two claim one address, the first keeps it.
    for department in Department.objects.filter(active=True).order_by("pk"):
        for address in department.inbound_addresses or ():
            if isinstance(address, str) and normalize(address):
                found.setdefault(normalize(address), department)
    with _lock:
        if generation == _generation:
            _cached, _cached_at = found, time.monotonic()
    return found


def known_recipient(address: str) -> Department | None:
    """The active department that receives mail for ``address`` (or a plus-address of it)."""
    wanted = normalize(address)
    if not wanted:
        return None
    departments = _address_map()
    department = departments.get(wanted)
    if department is None:
        base, tag = split_plus(wanted)
        if tag is not None:
            department = departments.get(base)
    # A copy: the cached instance is shared between threads and must not be changed.
    return copy.copy(department) if department is not None else None


def invalidate() -> None:
    """Forget the cached address map (tests; a department was changed)."""
    global _cached, _generation
    with _lock:
        _cached = None
        _generation += 1


@receiver(post_save, sender=Department, dispatch_uid="litso.mail.addresses.saved")
@receiver(post_delete, sender=Department, dispatch_uid="litso.mail.addresses.deleted")
def _department_changed(using: str = "default", **kwargs: Any) -> None:
    # Now (this thread reads its own uncommitted change) and again after the commit (another
    # thread may have cached the old addresses in between).
    invalidate()
    transaction.on_commit(invalidate, using=using)
