from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation


class AgentLanguageMiddleware:
    """Staff see the desk in the language set on their profile, whatever their browser says."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        profile = getattr(user, "agent", None) if user and user.is_authenticated else None
        if profile is not None and profile.ui_language:
            translation.activate(profile.ui_language)
            request.LANGUAGE_CODE = profile.ui_language
        response = self.get_response(request)
        if profile is not None:
            response.headers.setdefault("Content-Language", profile.ui_language)
        return response
