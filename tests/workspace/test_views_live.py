"""The stream and typing views; the stream itself (an endless iterator) is read in test_live.py."""

from __future__ import annotations

from django.test import Client

from litso.workspace.models import Presence


def test_the_stream_is_for_signed_in_staff(desk, client: Client) -> None:
    response = client.get("/live/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    client.force_login(desk.customer_x.user)
    assert client.get("/live/").status_code == 403


def test_an_agent_gets_an_event_stream(desk, client: Client) -> None:
    client.force_login(desk.agent_a)
    response = client.get("/live/?since=1700000000")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream; charset=utf-8"
    assert response["Cache-Control"] == "no-cache, no-store"
    assert response["X-Accel-Buffering"] == "no"
    assert response.streaming
    assert client.post("/live/").status_code == 405


def test_a_ticket_stream_needs_a_ticket_the_agent_may_see(desk, client: Client) -> None:
    sales = desk.open(department=desk.dept_a)
    billing = desk.open(department=desk.dept_b)
    client.force_login(desk.agent_a)
    assert client.get(f"/live/?ticket={sales.number}").status_code == 200
    assert client.get(f"/live/?ticket={billing.number}").status_code == 404
    assert client.get("/live/?ticket=9999999").status_code == 404
    assert client.get("/live/?ticket=abc").status_code == 400


def test_typing_in_the_reply_box_marks_the_agent_replying(desk, client: Client) -> None:
    ticket = desk.open()
    client.force_login(desk.agent_a)
    url = f"/t/{ticket.number}/typing/"
    assert client.post(url, {"state": "replying"}).status_code == 204
    row = Presence.objects.get(ticket=ticket, user=desk.agent_a)
    assert row.replying_until is not None
    assert client.post(url, {"state": "idle"}).status_code == 204
    row.refresh_from_db()
    assert row.replying_until is None
    assert client.post(url, {"state": "dancing"}).status_code == 400
    assert client.get(url).status_code == 405


def test_typing_on_a_ticket_the_agent_may_not_see_is_not_found(desk, client: Client) -> None:
    billing = desk.open(department=desk.dept_b)
    client.force_login(desk.agent_a)
    assert client.post(f"/t/{billing.number}/typing/", {"state": "replying"}).status_code == 404
    assert not Presence.objects.exists()


def test_typing_needs_the_csrf_token(desk) -> None:
    ticket = desk.open()
    client = Client(enforce_csrf_checks=True)
    client.force_login(desk.agent_a)
    assert client.post(f"/t/{ticket.number}/typing/", {"state": "replying"}).status_code == 403


def test_pages_carry_the_live_hook_and_the_ticket_page_the_presence_list(
    desk, client: Client
) -> None:
    ticket = desk.open()
    client.force_login(desk.agent_a)
    inbox = client.get("/").content.decode()
    assert '<meta name="litso-live" content="/live/"' in inbox
    assert "workspace/live.js" in inbox
    page = client.get(f"/t/{ticket.number}/").content.decode()
    assert f'id="presence" class="presence" data-ticket="{ticket.number}"' in page
    assert f'data-typing-url="/t/{ticket.number}/typing/"' in page
    login = Client().get("/login/").content.decode()
    assert "litso-live" not in login
