"""The sign-in group staff members get, so they can read the desk in the admin.

Changes to tickets go through the actions (admin actions call them too); the admin never
edits a ticket row directly, so the group only grants viewing.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

DESK_STAFF = "Desk staff"
VIEWABLE = [
    ("tickets", "ticket"),
    ("tickets", "message"),
    ("tickets", "attachment"),
    ("customers", "customer"),
    ("customers", "organisation"),
    ("audit", "event"),
]


def desk_staff_group() -> Group:
    group, _ = Group.objects.get_or_create(name=DESK_STAFF)
    wanted = Permission.objects.filter(
        codename__in=[f"view_{model}" for _, model in VIEWABLE],
        content_type__app_label__in={app for app, _ in VIEWABLE},
    )
    group.permissions.add(*wanted)
    return group
