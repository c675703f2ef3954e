"""Timeline sentences name statuses and priorities in the agent's language."""

from __future__ import annotations

from django.utils.translation import override

from litso.audit.models import Event
from litso.workspace.timeline import describe_event


def test_priority_and_status_changes_use_their_labels() -> None:
    priority = Event(verb="priority", field="priority", old_value="normal", new_value="urgent")
    status = Event(verb="status", field="status", old_value="open", new_value="solved")
    assert describe_event(priority) == "Priority: Normal → Urgent"
    assert describe_event(status) == "Status: Open → Solved"
    with override("pl"):
        assert "normal" not in describe_event(priority)
        assert "urgent" not in describe_event(priority)
    unknown = Event(verb="priority", field="priority", old_value="", new_value="someday")
    assert describe_event(unknown) == "Priority: — → someday"
