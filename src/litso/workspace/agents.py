"""Who an agent may hand a ticket to: the choices of every assign and bulk-assign select.

The inbox and the ticket page both list the agents of some departments; reading them (users
joined with profiles and their departments, DISTINCT) was a query and a tenth of the inbox's
time on every page. They change a few times a day, so each process keeps the list
(``ProcessCache``: dropped at once by a change in this process, read again after two seconds
otherwise) and picks the departments' agents from it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.contrib.auth.models import User

from litso.core.process_cache import ProcessCache
from litso.staff.models import AgentProfile, Role


@dataclass(frozen=True)
class Agent:
    user_id: int
    name: str
    is_admin: bool
    department_ids: frozenset[int]


def _load() -> list[Agent]:
    users = (
        User.objects.filter(is_active=True, agent__isnull=False)
        .select_related("agent")
        .prefetch_related("agent__departments")
        .order_by("agent__display_name", "username")  # the database's collation, as before
    )
    return [
        Agent(
            user_id=user.pk,
            name=user.agent.display_name or user.get_username(),
            is_admin=user.agent.role == Role.ADMIN,
            department_ids=frozenset(d.pk for d in user.agent.departments.all()),
        )
        for user in users
    ]


directory = ProcessCache("workspace.agents", _load)
directory.depends_on(
    User,
    AgentProfile,
    m2m=[AgentProfile.departments.through],
    # Signing in and being assigned a ticket change nothing listed here.
    ignore_fields=("last_login", "last_assigned_at", "on_shift"),
)


def agent_choices_in(department_ids: Collection[int] | None = None) -> list[tuple[str, str]]:
    """(user id, name) of the active agents, in name order; with ``department_ids``, those who
    may own tickets there: members of one of them, and admins."""
    wanted = None if department_ids is None else frozenset(department_ids)
    return [
        (str(agent.user_id), agent.name)
        for agent in directory.get()
        if wanted is None or agent.is_admin or agent.department_ids & wanted
    ]
