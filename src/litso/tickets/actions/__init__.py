"""Every change to a ticket goes through these functions (check_* validates, do_* changes).

Each do_* runs in one transaction, writes audit Events and enqueues its side effects in that
same transaction, so they happen only if the change commits. Views, the API, rules, bulk
changes and imports all call these; none changes a ticket row directly.
"""

from litso.tickets.actions.bulk import do_bulk_change
from litso.tickets.actions.changes import (
    do_assign,
    do_change_department,
    do_change_priority,
    do_change_status,
    do_escalate,
    do_forward,
    do_set_request_type,
)
from litso.tickets.actions.common import NewAttachment, PermissionDenied
from litso.tickets.actions.merge import do_merge
from litso.tickets.actions.messages import do_add_inbound_message, do_add_note, do_reply
from litso.tickets.actions.opening import do_open_ticket
from litso.tickets.actions.tags import do_change_tags

__all__ = [
    "NewAttachment",
    "PermissionDenied",
    "do_add_inbound_message",
    "do_add_note",
    "do_assign",
    "do_bulk_change",
    "do_change_department",
    "do_change_priority",
    "do_change_status",
    "do_change_tags",
    "do_escalate",
    "do_forward",
    "do_merge",
    "do_open_ticket",
    "do_reply",
    "do_set_request_type",
]
