from __future__ import annotations

import asyncio
from typing import Any

import pytest
from a2wsgi import WSGIMiddleware
from django.core.handlers.asgi import ASGIHandler

from litso.core import web


async def _call(app: Any, path: str, scope_type: str = "http") -> tuple[int, bytes, list[Any]]:
    """Drive an ASGI application through one GET request; the status, body and messages."""
    sent: list[Any] = []
    request = {"type": "http.request", "body": b"", "more_body": False}
    delivered = False

    async def receive() -> Any:
        nonlocal delivered
        if not delivered:
            delivered = True
            return request
        await asyncio.sleep(3600)  # never disconnects while the response is written
        return {"type": "http.disconnect"}

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {
        "type": scope_type, "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 5000), "server": ("testserver", 80),
    }  # fmt: skip
    await asyncio.wait_for(app(scope, receive, send), timeout=30)
    status = next((m["status"] for m in sent if m["type"] == "http.response.start"), 0)
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, body, sent


def _recorder(name: str, calls: list[tuple[str, str]]) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        calls.append((name, scope["path"]))

    return app


def test_router_sends_stream_paths_to_the_streams_app_and_the_rest_to_pages() -> None:
    calls: list[tuple[str, str]] = []
    router = web.Router(_recorder("pages", calls), _recorder("streams", calls), ("/live/",))
    for path in ("/", "/t/1042/", "/live/", "/live/?since=1", "/lively/", "/healthz"):
        asyncio.run(_call(router, path))
    assert calls == [
        ("pages", "/"), ("pages", "/t/1042/"), ("streams", "/live/"),
        ("streams", "/live/?since=1"), ("pages", "/lively/"), ("pages", "/healthz"),
    ]  # fmt: skip


def test_router_gives_non_http_scopes_to_the_asgi_side() -> None:
    calls: list[tuple[str, str]] = []
    router = web.Router(_recorder("pages", calls), _recorder("streams", calls), ("/live/",))
    asyncio.run(_call(router, "/ws/", scope_type="websocket"))
    assert calls == [("streams", "/ws/")]


@pytest.mark.django_db(transaction=True)
def test_the_desk_serves_pages_on_its_own_threads_and_the_stream_through_asgi() -> None:
    import gc

    app = web.application()
    gc.unfreeze()  # the test process's heap is not a web process's
    assert isinstance(app.pages, WSGIMiddleware)
    assert isinstance(app.streams, ASGIHandler)
    assert app.stream_prefixes == ("/live/",)
    status, body, _ = asyncio.run(_call(app, "/healthz"))
    assert (status, body) == (200, b'{"ok": true}')
    # Signed out, the stream answers as the staff check says, through Django's ASGI handler.
    status, _, sent = asyncio.run(_call(app, "/live/"))
    assert status in (302, 403)
    assert sent[0]["type"] == "http.response.start"


def test_settling_the_heap_freezes_what_is_loaded() -> None:
    import gc

    try:
        web.settle_heap()
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()
