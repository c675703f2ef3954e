"""The inbox: its views (queues), filters, sorting, pages and the counts in the sidebar.

Built for a million tickets: every list starts from ``tickets_visible_to``, a page is a
LIMIT/OFFSET slice fetched one row long (so "is there a next page" costs no COUNT), and the
sidebar counts stop at ``COUNT_CAP`` (a count over a LIMIT subquery reads at most that many
index entries) and are kept for ``COUNT_SECONDS`` per agent.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db.models import (
    Case,
    DateTimeField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from litso.core.choices import PRIORITY_RANK
from litso.sla.models import TicketSla
from litso.tickets.access import tickets_visible_to
from litso.tickets.models import OPEN_STATUSES, Status, Ticket
from litso.triage.models import TicketTriage
from litso.workspace.departments import ActiveDepartment, active_departments

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_stubs_ext import StrOrPromise

COUNT_CAP = 1000
COUNT_SECONDS = 15
SOON = datetime.timedelta(hours=1)
DUE_FIELDS = ("first_response_due", "next_response_due", "periodic_update_due", "resolution_due")
# Stands in for "no deadline" so tickets without one sort after all that have one.
NEVER = datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class InboxView:
    slug: str
    label: StrOrPromise
    default_sort: str
    department: ActiveDepartment | None = None


@dataclass(frozen=True)
class Sort:
    label: StrOrPromise
    order: tuple[Any, ...]
    needs_due: bool = False
    needs_rank: bool = False


SORTS: dict[str, Sort] = {
    "newest": Sort(_("Newest first"), ("-created_at", "-pk")),
    "oldest": Sort(_("Oldest first"), ("created_at", "pk")),
    "updated": Sort(_("Recently updated"), ("-updated_at", "-pk")),
    "priority": Sort(
        _("Priority"), (F("priority_rank").desc(), "created_at", "pk"), needs_rank=True
    ),
    "due": Sort(_("SLA due"), ("next_due", "created_at", "pk"), needs_due=True),
}


def views_for(user: User) -> list[InboxView]:
    """The sidebar: fixed queues around one per department the agent works in."""
    profile = getattr(user, "agent", None)
    own = profile.department_ids() if profile and not profile.is_admin else []
    # Admins (and superusers) belong to no department and see them all.
    departments = active_departments(among=own or None)
    views = [
        InboxView("needs-first-response", _("Needs first response"), "first-response"),
        InboxView("mine", _("Mine"), "due"),
        InboxView("unassigned", _("Unassigned"), "due"),
        # The router was not sure of the department: a person settles it, oldest first.
        InboxView("triage", _("Triage"), "oldest"),
    ]
    views += [InboxView(f"department-{d.pk}", d.name, "due", department=d) for d in departments]
    views += [
        InboxView("breaching-soon", _("Breaching soon"), "due"),
        InboxView("escalated", _("Escalated or abusive"), "due"),
        InboxView("pending-customer", _("Waiting for customer"), "updated"),
        InboxView("all", _("All"), "newest"),
    ]
    return views


def find_view(views: list[InboxView], slug: str) -> InboxView | None:
    return next((view for view in views if view.slug == slug), None)


def breaching_before(moment: datetime.datetime) -> Q:
    # One indexed range per deadline column, joined into one id list (UNION ALL), rather than
    # OR-ing columns of a joined table, which no index can answer, or OR-ing four IN
    # subqueries, which PostgreSQL checks row by row over every ticket (256 ms at a million).
    first, *rest = (
        TicketSla.objects.filter(**{f"{name}__lt": moment}).order_by().values("ticket_id")
        for name in DUE_FIELDS
    )
    return Q(pk__in=first.union(*rest, all=True))


def view_tickets(view: InboxView, user: User, now: datetime.datetime) -> QuerySet[Ticket]:
    tickets = tickets_visible_to(user)
    open_ = Q(status__in=OPEN_STATUSES)
    slug = view.slug
    if slug == "needs-first-response":
        return tickets.filter(open_, first_response_at__isnull=True)
    if slug == "mine":
        return tickets.filter(open_, assignee=user)
    if slug == "unassigned":
        return tickets.filter(open_, assignee__isnull=True)
    if slug == "triage":
        waiting = TicketTriage.objects.filter(needs_review=True).values("ticket_id")
        return tickets.filter(open_, pk__in=waiting)  # the few ids first, from their index
    if view.department is not None:
        return tickets.filter(open_, department_id=view.department.pk)
    if slug == "breaching-soon":
        return tickets.filter(open_).filter(breaching_before(now + SOON))
    if slug == "escalated":
        # Abusive messages go to a supervisor too (principle 9), escalated or not. One id
        # list from two partial indexes (UNION ALL), rather than an OR no index answers.
        escalated = Ticket.objects.filter(open_, escalated=True).order_by().values("pk")
        abusive = TicketTriage.objects.filter(abusive=True).order_by().values("ticket_id")
        return tickets.filter(open_, pk__in=escalated.union(abusive, all=True))
    if slug == "pending-customer":
        return tickets.filter(status=Status.PENDING_CUSTOMER)
    return tickets


def next_due_expression() -> Least:
    never = Value(NEVER, output_field=DateTimeField())
    return Least(*(Coalesce(f"sla__{name}", never) for name in DUE_FIELDS))


def priority_rank_expression() -> Case:
    return Case(
        *(When(priority=str(value), then=Value(rank)) for value, rank in PRIORITY_RANK.items()),
        default=Value(0),
        output_field=IntegerField(),
    )


def sort_tickets(tickets: QuerySet[Ticket], sort: str) -> QuerySet[Ticket]:
    if sort == "first-response":
        # The queue of first answers: the earliest promised answer first, then the oldest.
        return tickets.order_by(
            F("sla__first_response_due").asc(nulls_last=True), "created_at", "pk"
        )
    chosen = SORTS[sort]
    if chosen.needs_due:
        tickets = tickets.annotate(next_due=next_due_expression())
    if chosen.needs_rank:
        tickets = tickets.annotate(priority_rank=priority_rank_expression())
    return tickets.order_by(*chosen.order)


def apply_filters(
    tickets: QuerySet[Ticket], filters: dict[str, Any], user: User
) -> QuerySet[Ticket]:
    if filters.get("status"):
        tickets = tickets.filter(status=filters["status"])
    if filters.get("priority"):
        tickets = tickets.filter(priority=filters["priority"])
    if filters.get("channel"):
        tickets = tickets.filter(channel=filters["channel"])
    if filters.get("language"):
        tickets = tickets.filter(language=filters["language"])
    if filters.get("tag"):
        tickets = tickets.filter(tags__name=filters["tag"])
    assignee = filters.get("assignee")
    if assignee == "me":
        tickets = tickets.filter(assignee=user)
    elif assignee == "none":
        tickets = tickets.filter(assignee__isnull=True)
    elif assignee:
        tickets = tickets.filter(assignee_id=int(assignee))
    return tickets


def _capped_count(tickets: QuerySet[Ticket]) -> int:
    return tickets.order_by().values("pk")[:COUNT_CAP].count()


def _count_of(view: InboxView, user: User, now: datetime.datetime) -> int:
    if view.slug == "breaching-soon":
        return _breaching_count(tickets_visible_to(user).filter(status__in=OPEN_STATUSES), now)
    return _capped_count(view_tickets(view, user, now))


def _breaching_count(tickets: QuerySet[Ticket], now: datetime.datetime) -> int:
    """How many of ``tickets`` breach within ``SOON``, up to COUNT_CAP: clocks with a deadline
    before then, each kept when its ticket is one of ``tickets`` (by primary key), until the
    cap. The view's own id list (UNION ALL of the four deadline ranges) is listed in full
    before the first ticket is counted: 100 ms at a million tickets, against 4-10 here."""
    moment = now + SOON
    due = Q()
    for name in DUE_FIELDS:
        due |= Q(**{f"{name}__lt": moment})
    in_view = Subquery(tickets.order_by().filter(pk=OuterRef("ticket_id")).values("pk")[:1])
    clocks = TicketSla.objects.filter(due).alias(in_view=in_view).filter(in_view__isnull=False)
    return clocks.values("ticket_id")[:COUNT_CAP].count()


def sidebar_counts(views: list[InboxView], user: User) -> dict[str, int]:
    """Tickets per view, at most COUNT_CAP each, kept a few seconds per agent."""
    key = counts_key(user)
    counts: dict[str, int] | None = cache.get(key)
    if counts is None or set(counts) != {view.slug for view in views}:
        now = timezone.now()
        counts = {view.slug: _count_of(view, user, now) for view in views}
        cache.set(key, counts, COUNT_SECONDS)
    return counts


def counts_key(user: User) -> str:
    return f"workspace:counts:{user.pk}"


def forget_counts(user: User) -> None:
    """After the agent changed tickets, their own sidebar shows it at once."""
    cache.delete(counts_key(user))
