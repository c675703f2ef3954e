"""The live stream of a page (server-sent events) and the reply box's "typing" signal."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.utils import translation
from django.views.decorators.http import require_GET, require_POST

from litso.tickets.access import access_ticket
from litso.workspace import live, presence
from litso.workspace.access import staff_required


def _number(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


def _since(raw: str | None) -> datetime.datetime | None:
    seconds = _number(raw)
    if seconds is None:
        return None
    try:
        return datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)
    except (OverflowError, OSError, ValueError):
        return None


@require_GET
@staff_required
def stream(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """``GET /live/?since=<epoch seconds the page was drawn>[&ticket=<number>]``.

    A plain view returning an asynchronous iterator: under ASGI (uvicorn, ``litso run``)
    Django streams it on the event loop, holding no thread while it waits between polls.
    """
    user: User = request.user  # type: ignore[assignment]
    ticket_id = None
    if "ticket" in request.GET:
        number = _number(request.GET["ticket"])
        if number is None:
            return HttpResponseBadRequest("ticket must be a ticket number")
        ticket_id = access_ticket(user, number).pk
    events = live.stream(
        user,
        ticket_id=ticket_id,
        last_event_id=_number(request.headers.get("Last-Event-ID")),
        since=_since(request.GET.get("since")),
        language=translation.get_language() or "en",
    )
    response = StreamingHttpResponse(events, content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache, no-store"
    # nginx and friends buffer responses unless told not to; a buffered stream is not live.
    response["X-Accel-Buffering"] = "no"
    return response


@require_POST
@staff_required
def typing(request: HttpRequest, number: int) -> HttpResponse:
    """The reply box reports typing (``state=replying``) or a stop (``state=idle``)."""
    user: User = request.user  # type: ignore[assignment]
    ticket = access_ticket(user, number)
    state = request.POST.get("state", "")
    if state == "replying":
        presence.mark_replying(user, ticket.pk)
    elif state == "idle":
        presence.stop_replying(user, ticket.pk)
    else:
        return HttpResponseBadRequest("state must be replying or idle")
    return HttpResponse(status=204)
