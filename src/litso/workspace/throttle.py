"""Failed sign-ins lock a user name from one address for a while (password guessing).

The key is the pair: one attacker cannot lock an agent out from everywhere by guessing from
elsewhere, and guessing many names from one address is slowed per name.
"""

from __future__ import annotations

import datetime
import math

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from litso.workspace.models import LoginFailure

# Rows older than this are of no use to anyone; each failure sweeps a few away.
KEEP = datetime.timedelta(days=1)


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is whatever the client wants it to be unless a proxy
    # we trust sets it, and the proxy setup is the deployment's to configure.
    return str(request.META.get("REMOTE_ADDR") or "unknown")[:45]


def _key(username: str) -> str:
    return username.strip().lower()[:150]


def _window() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.LITSO_LOGIN_LOCK_MINUTES)


def locked_minutes(username: str, ip: str) -> int:
    """Minutes until this user name may try again from this address; 0 when not locked."""
    limit = settings.LITSO_LOGIN_MAX_FAILURES
    if limit <= 0:
        return 0
    now = timezone.now()
    recent = list(
        LoginFailure.objects.filter(username=_key(username), ip=ip, at__gt=now - _window())
        .order_by("-at")
        .values_list("at", flat=True)[:limit]
    )
    if len(recent) < limit:
        return 0
    # Locked until the oldest of the last `limit` failures leaves the window.
    free_at = recent[-1] + _window()
    return max(1, math.ceil((free_at - now).total_seconds() / 60))


def note_failure(username: str, ip: str) -> None:
    now = timezone.now()
    LoginFailure.objects.create(username=_key(username), ip=ip, at=now)
    stale = LoginFailure.objects.filter(at__lt=now - KEEP).values_list("pk", flat=True)[:100]
    LoginFailure.objects.filter(pk__in=list(stale)).delete()


def clear_failures(username: str, ip: str) -> None:
    LoginFailure.objects.filter(username=_key(username), ip=ip).delete()
