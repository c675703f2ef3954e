"""The active departments, kept per process (``ProcessCache``: dropped at once by a change in
this process, read again after two seconds otherwise): the department selects of the ticket
page and the inbox, and the inbox's department queues. Reading them was a query or two on
every page for rows that change a few times a year. A department chosen in a form is still
checked against the database (the form's queryset)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from litso.core.process_cache import ProcessCache
from litso.departments.models import Department


@dataclass(frozen=True)
class ActiveDepartment:
    pk: int
    name: str


def _load() -> list[ActiveDepartment]:
    rows = Department.objects.filter(active=True).order_by("name", "pk").values_list("pk", "name")
    return [ActiveDepartment(pk, name) for pk, name in rows]


active = ProcessCache("workspace.departments", _load)
active.depends_on(Department)


def department_choices() -> list[tuple[str, str]]:
    """(id, name) of the active departments, by name."""
    return [(str(department.pk), department.name) for department in active.get()]


def active_departments(among: Collection[int] | None = None) -> list[ActiveDepartment]:
    """The active departments by name; with ``among``, those of these ids."""
    return [d for d in active.get() if among is None or d.pk in among]
