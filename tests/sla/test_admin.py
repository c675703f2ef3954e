from __future__ import annotations

import json
from typing import Any

from django.test import Client

from litso.sla.models import BusinessCalendar, SlaPolicy
from tests.conftest import Desk
from tests.sla.helpers import make_policy


def _admin(desk: Desk, client: Client) -> Client:
    desk.admin.is_staff = desk.admin.is_superuser = True
    desk.admin.save()
    client.force_login(desk.admin)
    return client


def test_calendar_form_names_the_problem(desk: Desk, client: Client) -> None:
    spec = {"timezone": "UTC", "week": {"mon": [["09:00", "13:00"], ["12:00", "18:00"]]}}
    page = _admin(desk, client).post(
        "/admin/sla/businesscalendar/add/", {"name": "Office", "spec": json.dumps(spec)}
    )
    assert page.status_code == 200
    assert "09:00–13:00 overlaps 12:00–18:00" in page.content.decode()
    assert not BusinessCalendar.objects.exists()
    good = {"timezone": "Europe/Warsaw", "week": "24/7", "holidays": "PL"}
    page = client.post(
        "/admin/sla/businesscalendar/add/", {"name": "Office", "spec": json.dumps(good)}
    )
    assert page.status_code == 302
    assert BusinessCalendar.objects.get().calendar().timezone == "Europe/Warsaw"


def _policy_form(**overrides: Any) -> dict[str, Any]:
    form = {
        "name": "Standard",
        "position": "0",
        "active": "on",
        "business_time": "on",
        "priorities": "[]",
        "channels": "[]",
        "tags": "[]",
        "paused_statuses": '["pending_customer", "on_hold"]',
        "warn_at_percent": "75",
    }
    form.update(overrides)
    return form


def test_policy_without_a_target_is_refused_in_the_form(desk: Desk, client: Client) -> None:
    page = _admin(desk, client).post("/admin/sla/slapolicy/add/", _policy_form())
    assert page.status_code == 200
    assert "a policy needs at least one target" in page.content.decode()
    page = client.post("/admin/sla/slapolicy/add/", _policy_form(first_response_minutes="60"))
    assert page.status_code == 302
    assert SlaPolicy.objects.get().first_response_minutes == 60


def test_lists_render(desk: Desk, client: Client) -> None:
    make_policy("Standard", first_response_minutes=60)
    desk.open()
    for url in ("/admin/sla/slapolicy/", "/admin/sla/ticketsla/", "/admin/sla/slabreach/"):
        assert _admin(desk, client).get(url).status_code == 200
