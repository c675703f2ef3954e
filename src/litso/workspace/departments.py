"""The departments a ticket can be moved or forwarded to: the choices of the ticket page's
department select, kept per process (``ProcessCache``: dropped at once by a change in this
process, read again after two seconds otherwise). Reading them was a query on every ticket
page for rows that change a few times a year. Choosing one is still checked against the
database (the form's queryset)."""

from __future__ import annotations

from litso.core.process_cache import ProcessCache
from litso.departments.models import Department


def _load() -> list[tuple[str, str]]:
    return [
        (str(pk), name)
        for pk, name in Department.objects.filter(active=True).values_list("pk", "name")
    ]


active = ProcessCache("workspace.departments", _load)
active.depends_on(Department)


def department_choices() -> list[tuple[str, str]]:
    """(id, name) of the active departments, in the departments' order (by name)."""
    return list(active.get())
