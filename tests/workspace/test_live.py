"""The live stream: what changes each agent hears, and the stream read as the browser reads it.

Stream tests commit their data (transaction=True): the stream does its database work on the
event loop's executor threads, with their own connections, as it does under uvicorn.
"""

from __future__ import annotations

import asyncio
import datetime
import json
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import OperationalError, connections
from django.utils import timezone

from litso.audit.models import Event
from litso.audit.record import Actor
from litso.tickets.actions import do_add_note, do_change_priority
from litso.workspace import live, presence
from litso.workspace.live import Change, Cursor
from litso.workspace.models import Presence

# --- the cursor (no database)


def changes(*ids: int) -> list[Change]:
    return [Change(event_id, 1000 + event_id, "created") for event_id in ids]


def test_the_cursor_sends_each_event_once() -> None:
    cursor = Cursor(floor=10)
    assert [c.event_id for c in cursor.take(changes(11, 12), now=0.0)] == [11, 12]
    assert cursor.take(changes(11, 12), now=1.0) == []
    assert [c.event_id for c in cursor.take(changes(11, 12, 13), now=2.0)] == [13]
    assert cursor.position == 13


def test_an_event_committed_late_with_a_lower_id_is_still_sent() -> None:
    cursor = Cursor(floor=10)
    cursor.take(changes(12), now=0.0)
    # Id 11 was handed out first but committed after 12 had been sent.
    assert [c.event_id for c in cursor.take(changes(11, 12), now=2.0)] == [11]
    assert cursor.floor == 10, "the floor waits SETTLE_SECONDS before it passes sent ids"


def test_the_floor_trails_the_newest_sent_id_by_the_settle_time() -> None:
    cursor = Cursor(floor=10)
    cursor.take(changes(12), now=0.0)
    cursor.take([], now=live.SETTLE_SECONDS - 1)
    assert cursor.floor == 10
    cursor.take([], now=live.SETTLE_SECONDS)
    assert cursor.floor == 12
    assert cursor.sent == set(), "ids at or under the floor need not be remembered"


def test_after_an_overflow_the_cursor_starts_again_from_the_newest() -> None:
    cursor = Cursor(floor=10)
    cursor.take(changes(11), now=0.0)
    cursor.jump(500)
    assert (cursor.floor, cursor.position, cursor.sent) == (500, 500, set())


def test_a_message_is_a_server_sent_event() -> None:
    assert live.message("change", {"a": "ż"}, 42) == 'event: change\nid: 42\ndata: {"a":"ż"}\n\n'
    assert live.message("presence", []) == "event: presence\ndata: []\n\n"


def test_a_broken_connection_is_replaced_and_the_call_tried_again(monkeypatch) -> None:
    closed: list[bool] = []

    class Connection:
        def close(self) -> None:
            closed.append(True)

    monkeypatch.setattr(live, "connection", Connection())
    calls: list[int] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return "ok"

    assert live._guarded(flaky) == "ok"
    assert (len(calls), closed) == (2, [True])


# --- which changes an agent hears


def test_an_agent_hears_changes_only_on_tickets_they_may_see(desk) -> None:
    floor = live.newest_event_id()
    sales = desk.open(department=desk.dept_a, subject="Sales question")
    billing = desk.open(department=desk.dept_b, subject="Billing question")
    heard_a = {c.number for c in live.changes(desk.agent_a, floor)}
    heard_b = {c.number for c in live.changes(desk.agent_b, floor)}
    assert sales.number in heard_a
    assert billing.number not in heard_a
    assert billing.number in heard_b
    assert sales.number not in heard_b
    assert {c.number for c in live.changes(desk.admin, floor)} >= {sales.number, billing.number}
    assert live.changes(desk.customer_y.user, floor) == [], "not their tickets"


def test_changes_are_oldest_first_above_the_floor_and_one_query(
    desk, django_assert_num_queries
) -> None:
    ticket = desk.open()
    floor = live.newest_event_id()
    do_change_priority(ticket, "high", Actor.agent(desk.agent_a))
    do_add_note(ticket, Actor.agent(desk.agent_a), body_text="Called the courier.")
    with django_assert_num_queries(1):
        found = live.changes(desk.agent_a, floor)
    assert [(c.number, c.verb) for c in found] == [(ticket.number, "priority"),
                                                   (ticket.number, "note")]  # fmt: skip
    assert [c.event_id for c in found] == sorted(c.event_id for c in found)
    assert all(c.event_id > floor for c in found)


def test_a_ticket_page_hears_its_own_ticket_only(desk) -> None:
    one, other = desk.open(), desk.open(subject="Another")
    floor = live.newest_event_id()
    do_add_note(one, Actor.agent(desk.agent_a), body_text="Note on one")
    do_add_note(other, Actor.agent(desk.agent_a), body_text="Note on the other")
    assert [c.number for c in live.changes(desk.agent_a, floor, ticket_id=one.pk)] == [one.number]


def test_since_leaves_out_what_the_page_already_showed(desk) -> None:
    floor = live.newest_event_id()
    before = desk.open(subject="Drawn on the page")
    Event.objects.filter(ticket=before).update(
        created_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    since = timezone.now() - datetime.timedelta(seconds=1)
    after = desk.open(subject="New since")
    heard = {c.number for c in live.changes(desk.agent_a, floor, since=since)}
    assert heard == {after.number}


# --- the stream, read as the browser reads it


async def read(
    events: AsyncIterator[str], kinds: set[str], timeout: float = 10.0
) -> dict[str, Any]:
    """The next message of one of `kinds`: its kind, id and data."""

    async def wanted() -> dict[str, Any]:
        async for chunk in events:
            for block in chunk.split("\n\n"):
                fields = dict(
                    line.split(": ", 1) for line in block.splitlines() if ": " in line
                    and not line.startswith(":")
                )
                if fields.get("event") in kinds:
                    return {"kind": fields["event"], "id": fields.get("id"),
                            "data": json.loads(fields["data"])}  # fmt: skip
        raise AssertionError("the stream ended")

    return await asyncio.wait_for(wanted(), timeout)


def run(scenario: Any) -> Any:
    """Run a stream scenario, the stream's database work on one thread, closed at the end.

    One thread, so its connection can be closed here: a connection left open in a finished
    thread keeps PostgreSQL from dropping the test database.
    """
    executor = ThreadPoolExecutor(max_workers=1)
    plain, live._executor = live._executor, executor

    async def main() -> Any:
        try:
            return await scenario()
        finally:
            await asyncio.get_running_loop().run_in_executor(executor, connections.close_all)

    try:
        return asyncio.run(main())
    finally:
        live._executor = plain
        executor.shutdown()


def sync(function: Any, *args: Any, **kwargs: Any) -> Any:
    """The test's own writes, as another process would make them (a thread, committed)."""
    from asgiref.sync import sync_to_async

    return sync_to_async(function, thread_sensitive=False, executor=live._executor)(
        *args, **kwargs
    )


@pytest.mark.django_db(transaction=True)
def test_the_inbox_stream_tells_of_a_new_ticket(desk) -> None:
    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        events = live.stream(desk.agent_a, poll_seconds=0.05, since=timezone.now())
        try:
            first = await read(events, {"position", "change"})
            ticket = await sync(desk.open, subject="Arrived just now")
            change = await read(events, {"change"})
            change["expected"] = ticket.number
            return first, change
        finally:
            await events.aclose()

    first, change = run(scenario)
    assert first["kind"] == "position", "nothing changed since the page was drawn"
    assert {"number": change["expected"], "verb": "created"} in change["data"]["changes"]
    assert int(change["id"]) >= int(first["id"])
    assert live.open_streams() == 0


@pytest.mark.django_db(transaction=True)
def test_a_stream_resumes_after_last_event_id(desk) -> None:
    missed = desk.open(subject="While the network was down")
    last_seen = Event.objects.filter(ticket=missed).order_by("pk").first().pk - 1

    async def scenario() -> dict[str, Any]:
        events = live.stream(desk.agent_a, last_event_id=last_seen, poll_seconds=0.05)
        try:
            return await read(events, {"change"})
        finally:
            await events.aclose()

    change = run(scenario)
    assert {"number": missed.number, "verb": "created"} in change["data"]["changes"]


@pytest.mark.django_db(transaction=True)
def test_an_agent_does_not_hear_another_departments_ticket(desk) -> None:
    async def scenario() -> list[int]:
        events = live.stream(desk.agent_b, poll_seconds=0.05, since=timezone.now())
        try:
            await read(events, {"position"})
            await sync(desk.open, department=desk.dept_a, subject="Sales only")
            mine = await sync(desk.open, department=desk.dept_b, subject="Billing")
            change = await read(events, {"change"})
            return [mine.number, *(c["number"] for c in change["data"]["changes"])]
        finally:
            await events.aclose()

    mine, *heard = run(scenario)
    assert set(heard) == {mine}


@pytest.mark.django_db(transaction=True)
def test_the_ticket_stream_shows_who_else_is_there_and_who_is_replying(desk) -> None:
    ticket = desk.open()

    async def scenario() -> list[dict[str, Any]]:
        events = live.stream(desk.agent_a, ticket_id=ticket.pk, poll_seconds=0.05)
        seen = []
        try:
            seen.append(await read(events, {"presence"}))
            await sync(presence.mark_viewing, desk.supervisor, ticket.pk)
            seen.append(await read(events, {"presence"}))
            await sync(presence.mark_replying, desk.supervisor, ticket.pk)
            seen.append(await read(events, {"presence"}))
            mine = await sync(lambda: list(Presence.objects.filter(user=desk.agent_a)))
            seen.append({"own rows": len(mine)})
        finally:
            await events.aclose()
        return seen

    nobody, viewing, replying, own = run(scenario)
    assert nobody["data"] == {"visitors": []}
    assert viewing["data"] == {"visitors": [{"text": "Super is viewing", "replying": False}]}
    assert replying["data"] == {"visitors": [{"text": "Super is replying…", "replying": True}]}
    assert own == {"own rows": 1}, "the stream's heartbeat marks the agent present"
    assert not Presence.objects.filter(user=desk.agent_a).exists(), "closing the page leaves"


@pytest.mark.django_db(transaction=True)
def test_a_full_server_turns_new_streams_away_politely(desk, settings) -> None:
    settings.LITSO_LIVE_MAX_STREAMS = 0

    async def scenario() -> list[str]:
        return [chunk async for chunk in live.stream(desk.agent_a, poll_seconds=0.05)]

    [only] = run(scenario)
    assert only.startswith(f"retry: {live.FULL_RETRY_MS}\n")


@pytest.mark.django_db(transaction=True)
def test_a_stream_ends_after_its_lifetime_and_keeps_the_presence(desk) -> None:
    ticket = desk.open()

    async def scenario() -> list[str]:
        stream = live.stream(desk.agent_a, ticket_id=ticket.pk, poll_seconds=0.01, lifetime=0.05)
        return [chunk async for chunk in stream]

    chunks = run(scenario)
    assert chunks[0] == f"retry: {live.RETRY_MS}\n\n"
    # The browser reconnects at once; its presence should not blink out meanwhile.
    assert Presence.objects.filter(user=desk.agent_a, ticket=ticket).exists()


@pytest.mark.django_db(transaction=True)
def test_a_stream_ends_when_the_server_is_told_to_stop(desk, monkeypatch) -> None:
    class Server:
        """Stands for uvicorn's Server, whose SIGTERM handler sets should_exit."""

        should_exit = False

        def handle_exit(self, sig: int, frame: object) -> None:
            self.should_exit = True

    server = Server()
    assert not live.server_stopping(), "no server here: the default handler"
    monkeypatch.setattr(live.signal, "getsignal", lambda sig: server.handle_exit)

    async def scenario() -> list[str]:
        events = live.stream(desk.agent_a, poll_seconds=0.01, lifetime=600)
        await read(events, {"position"})
        server.handle_exit(15, None)
        return await asyncio.wait_for(_rest(events), 10)

    assert run(scenario) == [], "nothing more, and the stream ended long before its lifetime"


async def _rest(events: AsyncIterator[str]) -> list[str]:
    return [chunk async for chunk in events if not chunk.startswith(":")]
