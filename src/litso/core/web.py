"""The web process's front door: pages through Django's WSGI handler on a fixed pool of
threads, the live stream through its ASGI handler.

Why not Django's ASGI handler for everything: our views and most middleware are synchronous,
so under ASGI every request started a new thread, hopped between it and the event loop at
each synchronous middleware, and opened a new database connection, because a connection
belongs to its thread and that thread ended with the request. A request for nothing
(``/healthz``) cost about 11 ms of CPU that way, against 4 ms here. On a thread of a fixed pool
(a2wsgi) a request runs its middleware and view in one go, and the thread keeps its database
connection between requests (``CONN_MAX_AGE``): SQLite's page cache stays warm.

The live stream (``/live/``) stays on ASGI: it waits between polls on the event loop, holding
no thread, so hundreds of open pages do not need hundreds of threads.
"""

from __future__ import annotations

import gc
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Any]]
Send = Callable[[Any], Awaitable[None]]
ASGIApp = Callable[[Any, Any, Any], Awaitable[None]]


class Router:
    """HTTP requests under ``stream_prefixes`` go to ``streams``; every other HTTP request to
    ``pages``; anything else (lifespan, websockets) to ``streams``, which knows ASGI."""

    def __init__(self, pages: ASGIApp, streams: ASGIApp, stream_prefixes: tuple[str, ...]):
        self.pages = pages
        self.streams = streams
        self.stream_prefixes = stream_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not str(scope["path"]).startswith(self.stream_prefixes):
            await self.pages(scope, receive, send)
        else:
            await self.streams(scope, receive, send)


def application() -> Router:
    """The desk's web application (``DJANGO_SETTINGS_MODULE`` names the settings)."""
    from a2wsgi import WSGIMiddleware
    from django.conf import settings
    from django.core.asgi import get_asgi_application
    from django.core.wsgi import get_wsgi_application
    from django.urls import reverse

    streams = get_asgi_application()  # sets Django up
    pages = WSGIMiddleware(get_wsgi_application(), workers=settings.LITSO_WEB_THREADS)  # type: ignore[arg-type]
    router = Router(pages, streams, (reverse("workspace:live"),))  # reverse() imports the views
    settle_heap()
    return router


def settle_heap() -> None:
    """What is loaded by now lives as long as the process: the cyclic garbage collector stops
    walking it (``gc.freeze``). A full collection of a web process's ~120,000 objects paused
    every request in flight for about 60 ms; with them frozen, for about 3 ms."""
    gc.collect()
    gc.freeze()
