import pytest

from litso.audit.models import AppendOnlyError, Event
from litso.audit.record import Actor, record


def test_events_are_append_only(desk):
    ticket = desk.open()
    event = record(
        ticket,
        Actor.rule("VIP customers", "VIP domain"),
        "priority",
        field="priority",
        old="normal",
        new="high",
    )
    assert (event.rule_name, event.reason, event.actor_kind) == (
        "VIP customers",
        "VIP domain",
        "rule",
    )
    event.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert Event.objects.get(pk=event.pk).reason == "VIP domain"
    assert str(event) == "priority priority: normal → high"
