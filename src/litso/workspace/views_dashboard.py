"""The supervisor's dashboard page; the live stream tells it when to reload its parts."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from litso.workspace import dashboard as board
from litso.workspace.access import staff_required


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not board.can_supervise(user):
        raise PermissionDenied("the dashboard is for supervisors and administrators")
    now = timezone.now()
    context = {"board": board.board(user, now), "now": now, "count_cap": board.COUNT_CAP}
    return render(request, "workspace/dashboard.html", context)
