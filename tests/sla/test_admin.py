from __future__ import annotations

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


def _calendar_form(**overrides: str) -> dict[str, str]:
    form = {"name": "Office", "timezone": "Europe/Warsaw", "holidays": "", "closed": "", "open": ""}
    form.update(dict.fromkeys(("mon", "tue", "wed", "thu", "fri", "sat", "sun"), ""))
    form.update(overrides)
    return form


def _field_errors(page: Any, field: str) -> str:
    """The text of the error list Django renders next to one field of the admin form."""
    form = page.context["adminform"].form
    return " ".join(str(message) for message in form.errors.get(field, []))


def test_calendar_form_names_the_problem_next_to_the_field(desk: Desk, client: Client) -> None:
    page = _admin(desk, client).post(
        "/admin/sla/businesscalendar/add/", _calendar_form(mon="09:00-13:00, 12:00-18:00")
    )
    assert page.status_code == 200
    assert "mon: 09:00–13:00 overlaps 12:00–18:00" in _field_errors(page, "mon")
    assert "overlaps" in page.content.decode()
    page = client.post("/admin/sla/businesscalendar/add/", _calendar_form(tue="9-25:00"))
    assert "tue: bad time '9'" in _field_errors(page, "tue")
    page = client.post(
        "/admin/sla/businesscalendar/add/",
        _calendar_form(mon="09:00-17:00", holidays="XX", closed="2026-13-01"),
    )
    assert "unknown holiday country 'XX'" in _field_errors(page, "holidays")
    assert "closed: bad date '2026-13-01'" in _field_errors(page, "closed")
    assert not BusinessCalendar.objects.exists()


def test_calendar_form_saves_the_json_spec_and_shows_it_again(desk: Desk, client: Client) -> None:
    form = _calendar_form(
        mon="09:00-13:00, 14:00-18:00",
        fri="09:00 – 15:00",
        holidays="pl",
        closed="2026-12-31, 2026-12-30",
        open="2026-12-27 10:00-14:00\n2026-12-28",
    )
    page = _admin(desk, client).post("/admin/sla/businesscalendar/add/", form)
    assert page.status_code == 302
    calendar = BusinessCalendar.objects.get()
    assert calendar.spec == {
        "timezone": "Europe/Warsaw",
        "week": {"mon": [["09:00", "13:00"], ["14:00", "18:00"]], "fri": [["09:00", "15:00"]]},
        "holidays": "PL",
        "closed": ["2026-12-30", "2026-12-31"],
        "open": [
            {"date": "2026-12-27", "hours": [["10:00", "14:00"]]},
            {"date": "2026-12-28", "hours": [["09:00", "13:00"], ["14:00", "18:00"]]},
        ],
    }
    page = client.get(f"/admin/sla/businesscalendar/{calendar.pk}/change/")
    initial = page.context["adminform"].form.initial
    assert initial["mon"] == "09:00-13:00, 14:00-18:00"
    assert initial["tue"] == ""
    assert initial["open"] == "2026-12-27 10:00-14:00\n2026-12-28 09:00-13:00, 14:00-18:00"
    page = client.post(
        f"/admin/sla/businesscalendar/{calendar.pk}/change/",
        _calendar_form(sat="00:00-24:00", timezone="UTC"),
    )
    assert page.status_code == 302
    calendar.refresh_from_db()
    assert calendar.spec["week"] == {"sat": [["00:00", "24:00"]]}
    assert calendar.calendar().timezone == "UTC"


def test_a_calendar_without_hours_is_refused(desk: Desk, client: Client) -> None:
    page = _admin(desk, client).post("/admin/sla/businesscalendar/add/", _calendar_form())
    assert page.status_code == 200
    assert "the calendar has no business hours at all" in page.content.decode()


def _policy_form(**overrides: Any) -> dict[str, Any]:
    form = {
        "name": "Standard",
        "position": "0",
        "active": "on",
        "business_time": "on",
        "paused_statuses": ["pending_customer", "on_hold"],
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


def test_policy_conditions_are_multi_selects(desk: Desk, client: Client) -> None:
    from litso.tickets.models import Tag

    Tag.objects.create(name="vip")
    form = _policy_form(
        first_response_minutes="30",
        priorities=["high", "urgent"],
        channels=["chat"],
        tags=["vip"],
        departments=[str(desk.dept_b.pk)],
        paused_statuses=["on_hold"],
        notify_supervisor="on",
    )
    page = _admin(desk, client).post("/admin/sla/slapolicy/add/", form)
    assert page.status_code == 302, page.context["adminform"].form.errors
    policy = SlaPolicy.objects.get()
    assert (policy.priorities, policy.channels, policy.tags) == (
        ["high", "urgent"],
        ["chat"],
        ["vip"],
    )
    assert policy.paused_statuses == ["on_hold"]
    assert list(policy.departments.all()) == [desk.dept_b]
    assert (policy.notify_supervisor, policy.notify_assignee) == (True, False)
    page = client.get(f"/admin/sla/slapolicy/{policy.pk}/change/")
    assert 'type="checkbox" name="priorities" value="urgent"' in page.content.decode()
    page = client.post("/admin/sla/slapolicy/add/", _policy_form(name="B", tags=["nope"]))
    assert "nope" in _field_errors(page, "tags")


def test_lists_render(desk: Desk, client: Client) -> None:
    make_policy("Standard", first_response_minutes=60)
    desk.open()
    for url in ("/admin/sla/slapolicy/", "/admin/sla/ticketsla/", "/admin/sla/slabreach/"):
        assert _admin(desk, client).get(url).status_code == 200
