"""Which departments each agent belongs to, kept per process.

Every staff page asks it (``tickets_visible_to`` filters by the agent's departments): a query
and about a millisecond of Python per request for rows that change a few times a month. So
each process keeps all memberships (``ProcessCache``: dropped at once by a change in this
process, read again after two seconds otherwise, never kept from a transaction that rolls
back).
"""

from __future__ import annotations

from litso.core.process_cache import ProcessCache
from litso.departments.models import Department
from litso.staff.models import AgentProfile


def _load() -> dict[int, tuple[int, ...]]:
    through = AgentProfile.departments.through
    found: dict[int, list[int]] = {}
    # In the departments' own order (by name), as the profile's relation lists them.
    rows = through.objects.order_by("department__name", "department_id").values_list(
        "agentprofile_id", "department_id"
    )
    for profile_id, department_id in rows:
        found.setdefault(profile_id, []).append(department_id)
    return {profile_id: tuple(ids) for profile_id, ids in found.items()}


memberships = ProcessCache("staff.memberships", _load)
# A department deleted takes its memberships with it (a cascade sends no m2m signal).
memberships.depends_on(AgentProfile, Department, m2m=[AgentProfile.departments.through])


def department_ids_of(profile_id: int) -> list[int]:
    return list(memberships.get().get(profile_id, ()))
