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

Keep-alive pins a client to the process that accepted its connection, and the first process to
wake takes every connection waiting: with 8 clients on 8 processes, one process held 5 of them
and served them one after another while five processes idled (inbox p95 at 3.3x its p50). So a
process answering a page while more pages wait in it than it has threads closes that
connection (``Connection: close``); the client reconnects and the listening socket hands the
connection to whichever process is idle, as a proxy in front would do per request. A process
with no queue keeps its clients' connections alive.
"""

from __future__ import annotations

import gc
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Any]]
Send = Callable[[Any], Awaitable[None]]
ASGIApp = Callable[[Any, Any, Any], Awaitable[None]]


CLOSE = (b"connection", b"close")


class Router:
    """HTTP requests under ``stream_prefixes`` go to ``streams``; every other HTTP request to
    ``pages``, whose connection is closed after the answer when more than ``threads`` pages
    are in this process (see the module's docstring); anything else (lifespan, websockets) to
    ``streams``, which knows ASGI."""

    def __init__(
        self, pages: ASGIApp, streams: ASGIApp, stream_prefixes: tuple[str, ...], threads: int
    ):
        self.pages = pages
        self.streams = streams
        self.stream_prefixes = stream_prefixes
        self.threads = threads
        self.in_flight = 0  # pages in this process; only the event loop's thread counts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope["path"]).startswith(self.stream_prefixes):
            await self.streams(scope, receive, send)
            return

        async def send_page(message: Any) -> None:
            if message["type"] == "http.response.start" and self.in_flight > self.threads:
                message = {**message, "headers": [*message.get("headers", ()), CLOSE]}
            await send(message)

        self.in_flight += 1
        try:
            await self.pages(scope, receive, send_page)
        finally:
            self.in_flight -= 1


def application() -> Router:
    """The desk's web application (``DJANGO_SETTINGS_MODULE`` names the settings)."""
    from a2wsgi import WSGIMiddleware
    from django.conf import settings
    from django.core.asgi import get_asgi_application
    from django.core.wsgi import get_wsgi_application
    from django.urls import reverse

    streams = get_asgi_application()  # sets Django up
    pages = WSGIMiddleware(get_wsgi_application(), workers=settings.LITSO_WEB_THREADS)  # type: ignore[arg-type]
    # reverse() imports the views
    router = Router(pages, streams, (reverse("workspace:live"),), settings.LITSO_WEB_THREADS)
    settle_heap()
    return router


def settle_heap() -> None:
    """What is loaded by now lives as long as the process: the cyclic garbage collector stops
    walking it (``gc.freeze``). A full collection of a web process's ~120,000 objects paused
    every request in flight for about 60 ms; with them frozen, for about 3 ms."""
    gc.collect()
    gc.freeze()
