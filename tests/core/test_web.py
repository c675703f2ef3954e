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
    router = web.Router(_recorder("pages", calls), _recorder("streams", calls), ("/live/",), 1)
    for path in ("/", "/t/1042/", "/live/", "/live/?since=1", "/lively/", "/healthz"):
        asyncio.run(_call(router, path))
    assert calls == [
        ("pages", "/"), ("pages", "/t/1042/"), ("streams", "/live/"),
        ("streams", "/live/?since=1"), ("pages", "/lively/"), ("pages", "/healthz"),
    ]  # fmt: skip


def test_router_gives_non_http_scopes_to_the_asgi_side() -> None:
    calls: list[tuple[str, str]] = []
    router = web.Router(_recorder("pages", calls), _recorder("streams", calls), ("/live/",), 1)
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


def _page(started: asyncio.Event, release: asyncio.Event) -> Any:
    """A page that answers once ``release`` is set, and says when it has started."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        started.set()
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"a", b"1")]})
        await send({"type": "http.response.body", "body": b"ok"})

    return app


def _headers(sent: list[Any]) -> list[tuple[bytes, bytes]]:
    return list(next(m for m in sent if m["type"] == "http.response.start")["headers"])


def test_a_page_answered_while_others_wait_in_the_process_closes_its_connection() -> None:
    async def scenario() -> tuple[list[Any], list[Any], list[Any]]:
        first_started, second_started = asyncio.Event(), asyncio.Event()
        release_first, release_second = asyncio.Event(), asyncio.Event()
        answered = asyncio.Event()
        answered.set()
        pages = iter([
            _page(first_started, release_first), _page(second_started, release_second),
            _page(asyncio.Event(), answered),
        ])  # fmt: skip

        async def pages_in_turn(scope: Any, receive: Any, send: Any) -> None:
            await next(pages)(scope, receive, send)

        router = web.Router(pages_in_turn, _recorder("streams", []), ("/live/",), threads=1)
        first = asyncio.create_task(_call(router, "/"))
        await first_started.wait()
        second = asyncio.create_task(_call(router, "/t/1/"))
        await second_started.wait()
        release_first.set()  # answered while the second page waits in the process
        _, _, first_sent = await first
        release_second.set()  # answered alone
        _, _, second_sent = await second
        _, _, alone_sent = await _call(router, "/")
        return first_sent, second_sent, alone_sent

    first_sent, second_sent, alone_sent = asyncio.run(scenario())
    assert _headers(first_sent) == [(b"a", b"1"), (b"connection", b"close")]
    assert _headers(second_sent) == [(b"a", b"1")]
    assert _headers(alone_sent) == [(b"a", b"1")]


def test_pages_up_to_the_thread_count_keep_their_connections() -> None:
    async def scenario() -> list[list[Any]]:
        started = [asyncio.Event(), asyncio.Event()]
        release = asyncio.Event()
        pages = iter([_page(started[0], release), _page(started[1], release)])

        async def pages_in_turn(scope: Any, receive: Any, send: Any) -> None:
            await next(pages)(scope, receive, send)

        router = web.Router(pages_in_turn, _recorder("streams", []), ("/live/",), threads=2)
        tasks = [asyncio.create_task(_call(router, "/")) for _ in range(2)]
        await asyncio.gather(*(event.wait() for event in started))
        release.set()
        return [sent for _, _, sent in await asyncio.gather(*tasks)]

    for sent in asyncio.run(scenario()):
        assert _headers(sent) == [(b"a", b"1")]


def test_settling_the_heap_freezes_what_is_loaded() -> None:
    import gc

    try:
        web.settle_heap()
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()
