from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect


def home(request: HttpRequest) -> HttpResponse:
    # The agent workspace comes with its own issue; until then the admin is the desk.
    return redirect("admin:index")


def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and `litso run`: is the web process up and the database reachable?"""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        return JsonResponse({"ok": False, "database": str(exc)}, status=503)
    return JsonResponse({"ok": True})
