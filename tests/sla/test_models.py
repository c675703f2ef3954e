from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from litso.sla.models import BusinessCalendar, SlaPolicy
from tests.sla.helpers import WARSAW_SPEC


def test_calendar_refuses_overlapping_intervals_naming_them(db: None) -> None:
    spec = {"timezone": "UTC", "week": {"mon": [["09:00", "13:00"], ["12:00", "18:00"]]}}
    with pytest.raises(ValidationError) as caught:
        BusinessCalendar(name="bad", spec=spec).full_clean()
    assert "09:00–13:00 overlaps 12:00–18:00" in str(caught.value.message_dict["spec"])


def test_calendar_refuses_an_unknown_country(db: None) -> None:
    spec = {**WARSAW_SPEC, "holidays": "XX"}
    with pytest.raises(ValidationError) as caught:
        BusinessCalendar(name="bad", spec=spec).full_clean()
    assert "unknown holiday country 'XX'" in str(caught.value.message_dict["spec"])


def test_calendar_accepts_247_and_gives_the_engine_calendar(db: None) -> None:
    calendar = BusinessCalendar(name="always", spec={"timezone": "UTC", "week": "24/7"})
    calendar.full_clean()
    assert calendar.calendar() is calendar.calendar()


def test_policy_without_a_target_is_refused(db: None) -> None:
    with pytest.raises(ValidationError) as caught:
        SlaPolicy(name="empty").full_clean()
    assert "at least one target" in str(caught.value)


def test_policy_refuses_unknown_priority_and_bad_share(db: None) -> None:
    with pytest.raises(ValidationError) as caught:
        SlaPolicy(name="p", first_response_minutes=60, priorities=["asap"]).full_clean()
    assert "unknown asap" in str(caught.value.message_dict["priorities"])
    with pytest.raises(ValidationError) as caught:
        SlaPolicy(name="p", first_response_minutes=60, warn_at_percent=100).full_clean()
    assert "warn_at_percent" in caught.value.message_dict


def test_policy_defaults(db: None) -> None:
    policy = SlaPolicy(name="p", resolution_minutes=600)
    policy.full_clean()
    assert policy.paused_statuses == ["pending_customer", "on_hold"]
    assert policy.warn_at_percent == 75
