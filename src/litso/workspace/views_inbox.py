"""The inbox page and its bulk actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from litso.audit.record import Actor
from litso.tickets.access import tickets_visible_to
from litso.tickets.actions import do_bulk_change
from litso.workspace import inbox as queues
from litso.workspace import inbox_page, inbox_rows, saved
from litso.workspace.access import staff_required
from litso.workspace.agents import agent_choices_in
from litso.workspace.forms import BulkForm, InboxFilterForm, SaveViewForm

FIRST_VIEW = "needs-first-response"


def _agents(user: User) -> list[tuple[str, str]]:
    profile = getattr(user, "agent", None)
    if profile is None or profile.is_admin:
        return agent_choices_in()
    return agent_choices_in(profile.department_ids())


@staff_required
def inbox(request: HttpRequest, view: str = FIRST_VIEW) -> HttpResponse:
    return _render(request, view)


def _render(
    request: HttpRequest, view: str, save_form: SaveViewForm | None = None, status: int = 200
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    views = queues.views_for(user)
    current = queues.find_view(views, view)
    if current is None:
        raise Http404(f"no inbox view {view!r}")
    here = reverse("workspace:inbox_view", args=[current.slug])
    kept = saved.query_of(request.GET)
    suffix = f"?{kept}" if kept else ""
    agents = _agents(user)
    form = InboxFilterForm(request.GET, agents=agents)
    filters = form.values()
    sort = filters.pop("sort", "") or current.default_sort
    now = timezone.now()
    tickets = queues.view_tickets(current, user, now)
    tickets = queues.apply_filters(tickets, filters, user)
    page = inbox_page.page_sorted(tickets, sort, _page_number(request))
    rows = inbox_rows.rows(page, now)
    context = {
        "views": views,
        "current": current,
        "counts": queues.sidebar_counts(views, user),
        "count_cap": queues.COUNT_CAP,
        "form": form,
        "sort": sort,
        "sorts": queues.SORTS,
        "page": page,
        "rows": rows,
        "rows_html": inbox_rows.render(rows),
        "query": _query(request, exclude=("page",)),
        "sort_query": _query(request, exclude=("page", "sort")),
        "bulk": BulkForm(agents=agents),
        "saved_views": saved.links(user, views, here + suffix),
        "save_form": save_form or SaveViewForm(),
        "save_action": f"{here}save/{suffix}",
    }
    return render(request, "workspace/inbox.html", context, status=status)


@require_POST
@staff_required
def save_view(request: HttpRequest, view: str) -> HttpResponse:
    """Save the inbox as it is shown (the filters are this request's query string)."""
    user: User = request.user  # type: ignore[assignment]
    if queues.find_view(queues.views_for(user), view) is None:
        raise Http404(f"no inbox view {view!r}")
    form = SaveViewForm(request.POST)
    if form.is_valid():
        try:
            made = saved.do_save_view(user, form.cleaned_data["name"], view, request.GET)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, _("View “%(name)s” saved.") % {"name": made.name})
            return HttpResponseRedirect(saved.url_of(made))
    return _render(request, view, save_form=form, status=400)


@require_POST
@staff_required
def delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not saved.do_delete_view(user, pk):
        raise Http404(f"no saved view {pk}")
    messages.success(request, _("Saved view deleted."))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("workspace:inbox")
    return HttpResponseRedirect(back)


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1


def _query(request: HttpRequest, exclude: tuple[str, ...]) -> str:
    kept: list[tuple[str, Any]] = [
        (key, value)
        for key, values in request.GET.lists()
        for value in values
        if key not in exclude and value
    ]
    return urlencode(kept)


@require_POST
@staff_required
def bulk(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("workspace:inbox")
    form = BulkForm(request.POST, agents=_agents(user))
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else str(error))
        return HttpResponseRedirect(back)
    numbers = form.cleaned_data["tickets"]
    tickets = list(tickets_visible_to(user).filter(number__in=numbers).order_by("number"))
    result = do_bulk_change(tickets, Actor.agent(user), **form.changes(user))
    missing = sorted(set(numbers) - {ticket.number for ticket in tickets})
    for number in missing:
        result.failed[number] = _("not found")
    if result.changed:
        count = len(result.changed)
        messages.success(
            request,
            ngettext("%(count)d ticket changed.", "%(count)d tickets changed.", count)
            % {"count": count},
        )
    for number, reason in sorted(result.failed.items()):
        messages.error(request, _("#%(number)s not changed: %(reason)s")
                       % {"number": number, "reason": reason})
    queues.forget_counts(user)
    return HttpResponseRedirect(back)
