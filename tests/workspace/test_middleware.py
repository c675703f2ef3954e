from __future__ import annotations

import datetime

from django.test import Client

from tests.workspace.helpers import update


def _shown_time(client: Client, desk, zone: str) -> str:  # type: ignore[no-untyped-def]
    desk.agent_a.agent.time_zone = zone
    desk.agent_a.agent.save()
    client.force_login(desk.agent_a)
    html = client.get("/inbox/all/").content.decode()
    start = html.index('<time datetime="') + len('<time datetime="')
    return html[start : html.index('"', start)]


def test_times_follow_the_agents_time_zone(desk, client: Client) -> None:
    ticket = desk.open()
    update(ticket, updated_at=datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC))
    assert _shown_time(client, desk, "America/New_York") == "2026-03-01T07:00:00-05:00"


def test_an_unknown_time_zone_falls_back_to_the_desks(desk, client: Client) -> None:
    ticket = desk.open()
    update(ticket, updated_at=datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC))
    assert _shown_time(client, desk, "Mars/Olympus_Mons") == "2026-03-01T12:00:00+00:00"
