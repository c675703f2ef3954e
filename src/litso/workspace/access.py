"""Every workspace page is for staff: anonymous visitors sign in, customers are refused."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from litso.tickets.access import is_staff_member

View = Callable[..., HttpResponseBase]

# Scripts and styles only from our own files, no images from elsewhere (a customer's HTML
# mail must not call home when an agent opens it), no framing.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def protect(response: HttpResponseBase) -> HttpResponseBase:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cache-Control", "private, no-store")
    return response


def secure_headers(view: View) -> View:
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return protect(view(request, *args, **kwargs))

    return wrapped


def staff_required(view: View) -> View:
    @secure_headers
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_staff_member(request.user):
            # Signed in, but a customer (portal) account: the desk is not theirs to see.
            raise PermissionDenied("the workspace is for staff")
        return view(request, *args, **kwargs)

    return wrapped
