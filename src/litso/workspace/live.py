"""Live updates: one server-sent event stream per open page, fed by the audit trail.

Why server-sent events polling the audit ``Event`` table, and not Channels:

- Every change to a ticket appends an ``Event`` with an increasing id in the same transaction
  as the change, whichever process made it: a web process, the mail worker, the scheduler.
  "Events above the last id I sent" therefore sees every change from every process and host,
  with nothing to publish and no bridge to keep alive; a change is never announced before it
  is committed, and none is lost when a process dies between its commit and a publish.
  Channels would need every writer to publish after commit, and its default in-memory layer
  reaches no other process; the embedded desk has no Redis to carry it.
- In the browser it is ``EventSource``: plain HTTP through any proxy, reconnection with
  ``Last-Event-ID`` built in, and the page stays server-rendered HTML.

Cost, per open page: one query every ``POLL_SECONDS`` (events above the cursor, on tickets the
agent may see, through the primary key index); a ticket page adds its presence query and an
upsert every ``presence.HEARTBEAT``. Open streams are capped per process (``max_streams``);
a stream ends after ``STREAM_SECONDS`` and the browser reconnects, which re-checks the session.
Database calls run on a small pool of threads of their own (``DB_THREADS``), each keeping
its connection for as long as it works: hundreds of open pages hold a handful of database
connections, not one each, and polls never pay for a connect (whatever CONN_MAX_AGE says,
which is about requests).

Ids are handed out at insert but committed in any order (PostgreSQL): an event with a lower
id can become visible after a higher one was sent. So the cursor's floor trails the newest id
sent by ``SETTLE_SECONDS``, and the ids above the floor already sent are remembered, so a late
commit is still delivered, once.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
import signal
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone, translation

from litso.audit.models import Event
from litso.tickets.access import tickets_visible_to
from litso.workspace import presence

if TYPE_CHECKING:
    from django.contrib.auth.models import User

POLL_SECONDS = 2.0
SETTLE_SECONDS = 10.0
# More new events than this in one poll: the page reloads its parts instead of hearing each.
BATCH = 200
STREAM_SECONDS = 300.0
# A comment line now and then keeps proxies and load balancers from closing an idle stream.
PING_SECONDS = 20.0
RETRY_MS = 3000
# What a browser turned away (too many streams) waits before it tries again.
FULL_RETRY_MS = 30_000
# A first connection looks this many ids back for changes made since the page was drawn.
FIRST_WINDOW = 500
# How old a page's "drawn at" may claim to be; older pages just hear what comes next.
MAX_SINCE = datetime.timedelta(minutes=10)
DEFAULT_MAX_STREAMS = 200

DB_THREADS = 4

T = TypeVar("T")
_open_streams = 0
_executor = ThreadPoolExecutor(max_workers=DB_THREADS, thread_name_prefix="litso-live")


def max_streams() -> int:
    return int(getattr(settings, "LITSO_LIVE_MAX_STREAMS", DEFAULT_MAX_STREAMS))


def open_streams() -> int:
    return _open_streams


@dataclass(frozen=True)
class Change:
    event_id: int
    number: int
    verb: str


def newest_event_id() -> int:
    top: int | None = Event.objects.aggregate(top=Max("pk"))["top"]
    return top or 0


def changes(
    user: User,
    floor: int,
    *,
    ticket_id: int | None = None,
    since: datetime.datetime | None = None,
    limit: int = BATCH,
) -> list[Change]:
    """Events above ``floor`` on tickets the user may see, oldest first; one query.

    Visibility is an EXISTS per event, not "ticket IN (visible tickets)": the planner then
    walks the few events above the floor by primary key and checks each one's ticket, where
    an IN list would first gather every ticket the agent may see (on SQLite, half a second
    a poll at 100,000 tickets).
    """
    visible = tickets_visible_to(user).filter(pk=OuterRef("ticket_id"))
    events = Event.objects.filter(Exists(visible), pk__gt=floor)
    if ticket_id is not None:
        events = events.filter(ticket_id=ticket_id)
    if since is not None:
        events = events.filter(created_at__gte=since)
    rows = events.order_by("pk").values_list("pk", "ticket__number", "verb")[:limit]
    return [Change(event_id, number, verb) for event_id, number, verb in rows]


@dataclass
class Cursor:
    """Which events a stream has sent; see the module docstring for why it trails."""

    floor: int
    newest: int = 0
    sent: set[int] = field(default_factory=set)
    marks: deque[tuple[float, int]] = field(default_factory=deque)

    def take(self, found: list[Change], now: float) -> list[Change]:
        fresh = [change for change in found if change.event_id not in self.sent]
        self.sent.update(change.event_id for change in fresh)
        self.newest = max([self.newest, *(change.event_id for change in fresh)])
        self.marks.append((now, self.newest))
        while self.marks and now - self.marks[0][0] >= SETTLE_SECONDS:
            self.floor = max(self.floor, self.marks.popleft()[1])
        self.sent = {event_id for event_id in self.sent if event_id > self.floor}
        return fresh

    def jump(self, to: int) -> None:
        """After an overflow: the page reloads everything, so start again from ``to``."""
        self.floor = self.newest = to
        self.sent.clear()
        self.marks.clear()

    @property
    def position(self) -> int:
        """What the browser sends back as Last-Event-ID when it reconnects."""
        return max(self.floor, self.newest)


@dataclass(frozen=True)
class Poll:
    changes: list[Change]
    # Other agents on the ticket: (user id, text, replying); None on pages without a ticket.
    visitors: list[tuple[int, str, bool]] | None


def poll(
    user: User,
    floor: int,
    *,
    ticket_id: int | None,
    since: datetime.datetime | None,
    heartbeat: bool,
    language: str,
) -> Poll:
    found = changes(user, floor, ticket_id=ticket_id, since=since)
    if ticket_id is None:
        return Poll(found, None)
    if heartbeat:
        presence.mark_viewing(user, ticket_id)
    with translation.override(language):
        visitors = [
            (visitor.user_id, visitor.text, visitor.replying)
            for visitor in presence.others_on(ticket_id, user)
        ]
    return Poll(found, visitors)


def start(last_event_id: int | None, look_back: bool) -> Cursor:
    if last_event_id is not None:
        return Cursor(floor=last_event_id, newest=last_event_id)
    # A first connection: the page was drawn a moment ago, and changes committed since then
    # sit among the newest ids; polls look back FIRST_WINDOW ids for those made after `since`.
    newest = newest_event_id()
    return Cursor(floor=max(0, newest - FIRST_WINDOW) if look_back else newest, newest=newest)


def leave(user: User, ticket_id: int) -> None:
    presence.leave(user, ticket_id)


def server_stopping() -> bool:
    """The web server was told to stop (uvicorn's SIGTERM handler has set ``should_exit``).

    uvicorn's graceful shutdown waits for every open response to finish, and a stream
    never finishes by itself; each poll looks at this and ends the stream, so `litso run`
    stops in a poll's time and the browser reconnects to the server that comes next.
    """
    handler = signal.getsignal(signal.SIGTERM)
    return bool(getattr(getattr(handler, "__self__", None), "should_exit", False))


def _guarded(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    try:
        return function(*args, **kwargs)
    except (InterfaceError, OperationalError):
        # The database restarted or the network dropped: a fresh connection, one more try.
        connection.close()
        return function(*args, **kwargs)


async def _db(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    call = sync_to_async(_guarded, thread_sensitive=False, executor=_executor)
    return await call(function, *args, **kwargs)


def message(kind: str, data: Any, event_id: int | None = None) -> str:
    lines = [f"event: {kind}"]
    if event_id is not None:
        lines.append(f"id: {event_id}")
    lines.append("data: " + json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    return "\n".join(lines) + "\n\n"


def clamp_since(since: datetime.datetime | None) -> datetime.datetime | None:
    if since is None:
        return None
    now = timezone.now()
    return min(max(since, now - MAX_SINCE), now)


async def stream(
    user: User,
    *,
    ticket_id: int | None = None,
    last_event_id: int | None = None,
    since: datetime.datetime | None = None,
    language: str = "en",
    poll_seconds: float = POLL_SECONDS,
    lifetime: float = STREAM_SECONDS,
) -> AsyncIterator[str]:
    """The text/event-stream of one page: ``change``, ``presence``, ``reset``, ``position``."""
    global _open_streams
    if _open_streams >= max_streams():
        yield f"retry: {FULL_RETRY_MS}\n: too many open streams on this server\n\n"
        return
    _open_streams += 1
    left_early = True
    try:
        yield f"retry: {RETRY_MS}\n\n"
        since = clamp_since(since) if last_event_id is None else None
        cursor = await _db(start, last_event_id, since is not None)
        started = last_output = last_beat = time.monotonic()
        heartbeat = True
        visitors: list[tuple[int, str, bool]] | None = None
        position = -1
        while True:
            result = await _db(poll, user, cursor.floor, ticket_id=ticket_id, since=since,
                               heartbeat=heartbeat, language=language)  # fmt: skip
            now = time.monotonic()
            if heartbeat:
                last_beat = now
            out: list[str] = []
            if len(result.changes) >= BATCH:
                cursor.jump(await _db(newest_event_id))
                out.append(message("reset", {}, cursor.position))
            else:
                fresh = cursor.take(result.changes, now)
                if fresh:
                    data = [{"number": c.number, "verb": c.verb} for c in fresh]
                    out.append(message("change", {"changes": data}, cursor.position))
            if result.visitors is not None and result.visitors != visitors:
                visitors = result.visitors
                shown = [{"text": text, "replying": replying} for _id, text, replying in visitors]
                out.append(message("presence", {"visitors": shown}))
            if not out and cursor.position != position:
                # Nothing to tell, but the browser should reconnect from here, not from before.
                out.append(message("position", {}, cursor.position))
            if out:
                position = cursor.position
                last_output = now
                yield "".join(out)
            elif now - last_output >= PING_SECONDS:
                last_output = now
                yield ": ping\n\n"
            if now - started >= lifetime or server_stopping():
                left_early = False
                return
            await asyncio.sleep(poll_seconds)
            heartbeat = now - last_beat + poll_seconds >= presence.HEARTBEAT.total_seconds()
    finally:
        _open_streams -= 1
        if ticket_id is not None and left_early:
            # The tab closed or moved on: colleagues should not see a ghost for TTL seconds.
            # Best effort: the scheduler sweeps rows nobody removed.
            with contextlib.suppress(Exception):
                await _db(leave, user, ticket_id)
