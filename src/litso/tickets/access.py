"""Who may see which tickets — the one place where this is decided.

Every list, search, export and API endpoint starts from ``tickets_visible_to``; a view never
filters by permission on its own. ``access_ticket`` fetches one ticket the same way, so a
ticket someone may not see is simply "not found" for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from litso.staff.models import Role
from litso.tickets.models import Ticket

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


def tickets_visible_to(user: User | AnonymousUser) -> QuerySet[Ticket]:
    tickets = Ticket.objects.all()
    if not user.is_authenticated or not user.is_active:
        return tickets.none()
    if getattr(user, "is_superuser", False):
        return tickets
    profile = getattr(user, "agent", None)
    if profile is not None:
        if profile.role == Role.ADMIN:
            return tickets
        # A list of ids, not a join (no duplicate rows, no DISTINCT on million-row lists) and
        # not a subquery: given IN (SELECT …), SQLite sorts every ticket of the departments
        # for a page of the newest instead of walking the created_at index (120 -> 1 ms).
        in_my_departments = Q(department_id__in=profile.department_ids())
        if profile.role == Role.SUPERVISOR:
            return tickets.filter(in_my_departments | Q(escalated=True))
        return tickets.filter(in_my_departments)
    customer = getattr(user, "customer", None)
    if customer is not None:
        return tickets.filter(customer=customer)
    return tickets.none()


def access_ticket(user: User | AnonymousUser, number: int) -> Ticket:
    try:
        return tickets_visible_to(user).get(number=number)
    except Ticket.DoesNotExist:
        raise Http404(f"ticket #{number} not found") from None


def is_staff_member(user: User | AnonymousUser) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (getattr(user, "is_superuser", False) or getattr(user, "agent", None) is not None)
    )
