"""The ticket page: the conversation, the customer, and every change an agent makes to it.

Each form posts to its own action URL. On success the page is loaded again (POST, redirect,
GET); on an error the page is shown again with the form as the agent filled it in, the error
next to its field, and status 400, so a reply typed at length is never lost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from litso.audit.record import Actor
from litso.core.prepared import Prepared
from litso.sla.models import TicketSla
from litso.tickets.access import PreparedVisible, tickets_visible_to
from litso.tickets.actions import (
    PermissionDenied as ActionDenied,
)
from litso.tickets.actions import (
    do_add_note,
    do_assign,
    do_change_department,
    do_change_priority,
    do_change_status,
    do_change_tags,
    do_forward,
    do_merge,
    do_reply,
)
from litso.tickets.models import Attachment, Message, Status, Tag, Ticket
from litso.triage.actions import do_confirm_route
from litso.triage.models import TicketTriage
from litso.workspace import canned, inbox, timeline, triage_panel
from litso.workspace.access import staff_required
from litso.workspace.agents import agent_choices_in
from litso.workspace.delivery import do_retry_delivery
from litso.workspace.forms import (
    AssignForm,
    DepartmentForm,
    MergeForm,
    NoteForm,
    PriorityForm,
    ReplyForm,
    RouteForm,
    StatusForm,
    TagsForm,
)

# Served as their own type; anything else is a download, never rendered by the browser.
INLINE_SAFE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"}


# Compiled once per process (core/prepared.py).
_visible_ticket = PreparedVisible(
    lambda tickets, number: tickets.filter(number=number).select_related(
        "customer__organisation", "department", "assignee__agent"
    )
)
_sla = Prepared(
    lambda ticket_id: TicketSla.objects.select_related("policy").filter(ticket_id=ticket_id)
)
_triage = Prepared(lambda ticket_id: TicketTriage.objects.filter(ticket_id=ticket_id))
_ticket_tags = Prepared(lambda ticket_id: Tag.objects.filter(tickets=ticket_id).order_by("name"))


def _ticket(user: User, number: int) -> Ticket:
    # Four joins, then the clock and the triage row by their keys. PostgreSQL spent ~7 ms
    # planning the nine-table join this replaces (a million tickets); three small queries
    # cost under 1 ms each. Merge, follow-up and request type load on use, when set.
    found = _visible_ticket(user, number)
    ticket = found[0] if found else None
    if ticket is None:
        raise Http404(f"ticket #{number} not found")
    sla = _sla.first(ticket.pk)
    triage = _triage.first(ticket.pk)
    # Cached as select_related would: a missing row reads as "none" without a query.
    Ticket.sla.related.set_cached_value(ticket, sla)
    Ticket.triage.related.set_cached_value(ticket, triage)
    return ticket


def _forms(
    ticket: Ticket, user: User, tags: list[Tag], bound: dict[str, forms.Form]
) -> dict[str, forms.Form]:
    agents = agent_choices_in([ticket.department_id])
    tag_names = " ".join(tag.name for tag in tags)
    made: dict[str, forms.Form] = {
        "reply": ReplyForm(ticket=ticket),
        "note": NoteForm(),
        "assign": AssignForm(agents=agents, initial={"assignee": str(ticket.assignee_id or "")}),
        "status": StatusForm(ticket=ticket, initial={"status": ticket.status}),
        "priority": PriorityForm(initial={"priority": ticket.priority}),
        "department": DepartmentForm(ticket=ticket, initial={"department": ticket.department_id}),
        "merge": MergeForm(ticket=ticket, user=user),
        "route": RouteForm(),
        "tags": TagsForm(initial={"tags": tag_names}),
    }
    made.update(bound)
    return made


def _render(
    request: HttpRequest,
    ticket: Ticket,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    now = timezone.now()
    contacts = timeline.contact_points(ticket)
    tags = _ticket_tags(ticket.pk)
    here = reverse("workspace:ticket", args=[ticket.number])
    context = {
        "ticket": ticket,
        # Action URLs are this page's address and the action (urls.py): one reverse(), not 14.
        "here": here,
        "ticket_prefix": here.removesuffix(f"{ticket.number}/"),
        "tags": tags,
        "entries": timeline.timeline(ticket),
        "deadlines": timeline.deadlines(ticket, now),
        "breaches": timeline.breaches(ticket),
        "contacts": contacts,
        "undeliverable": timeline.undeliverable(ticket, contacts),
        "no_deliverable_email": ticket.channel == "email"
        and not timeline.has_deliverable_email(contacts),
        "previous": timeline.previous_requests(ticket, user),
        "triage": triage_panel.panel(ticket, user),
        "canned": canned.answers_for(ticket, user),
        "forms": _forms(ticket, user, tags, bound or {}),
        "now": now,
        "is_mine": ticket.assignee_id == user.pk,
        "can_solve": Status.SOLVED in _next_statuses(ticket),
    }
    return render(request, "workspace/ticket/page.html", context, status=status)


def _next_statuses(ticket: Ticket) -> frozenset[str]:
    from litso.tickets.transitions import TRANSITIONS

    return TRANSITIONS[ticket.status]


@staff_required
def ticket_page(request: HttpRequest, number: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return _render(request, _ticket(user, number))


def _body(form: forms.Form) -> str:
    # Browsers send CRLF from a textarea; the stored text and the mail use plain newlines.
    return str(form.cleaned_data["body"]).replace("\r\n", "\n")


def _reply(request: HttpRequest, ticket: Ticket, user: User) -> tuple[str, forms.Form, Any]:
    form = ReplyForm(request.POST, ticket=ticket)

    def run() -> str:
        do_reply(
            ticket,
            Actor.agent(user),
            body_text=_body(form),
            then_status=form.cleaned_data.get("then_status") or None,
        )
        return _("Reply sent to the outbox.")

    return "reply", form, run


def _note(request: HttpRequest, ticket: Ticket, user: User) -> tuple[str, forms.Form, Any]:
    form = NoteForm(request.POST)

    def run() -> str:
        do_add_note(ticket, Actor.agent(user), body_text=_body(form))
        return _("Note added.")

    return "note", form, run


def _assign(request: HttpRequest, ticket: Ticket, user: User) -> tuple[str, forms.Form, Any]:
    agents = agent_choices_in([ticket.department_id])
    form = AssignForm(request.POST, agents=agents)

    def run() -> str:
        chosen = form.cleaned_data.get("assignee")
        do_assign(ticket, int(chosen) if chosen else None, Actor.agent(user))
        return _("Assignee changed.")

    return "assign", form, run


def _assign_me(request: HttpRequest, ticket: Ticket, user: User) -> tuple[str, forms.Form, Any]:
    # Not checked against the department's list: the action says why, if it refuses.
    form = forms.Form({})

    def run() -> str:
        do_assign(ticket, user, Actor.agent(user))
        return _("The ticket is yours.")

    return "assign", form, run


def _status(request: HttpRequest, ticket: Ticket, user: User) -> tuple[str, forms.Form, Any]:
    form = StatusForm(request.POST, ticket=ticket)

    def run() -> str:
        do_change_status(ticket, form.cleaned_data["status"], Actor.agent(user))
        return _("Status changed.")

    return "status", form, run


def _solve(request: HttpRequest, ticket: Ticket, user: User) -> tuple[str, forms.Form, Any]:
    form = StatusForm({"status": Status.SOLVED}, ticket=ticket)

    def run() -> str:
        do_change_status(ticket, Status.SOLVED, Actor.agent(user))
        return _("Ticket solved.")

    return "status", form, run


def _priority(request: HttpRequest, ticket: Ticket, user: User) -> tuple[str, forms.Form, Any]:
    form = PriorityForm(request.POST)

    def run() -> str:
        do_change_priority(ticket, form.cleaned_data["priority"], Actor.agent(user))
        return _("Priority changed.")

    return "priority", form, run


def _department(request: HttpRequest, ticket: Ticket, user: User) -> tuple[str, forms.Form, Any]:
    form = DepartmentForm(request.POST, ticket=ticket)

    def run() -> str:
        department = form.cleaned_data["department"]
        note = str(form.cleaned_data.get("note") or "").strip()
        triage = triage_panel.triage_of(ticket)
        with transaction.atomic():
            if note:
                moved = do_forward(ticket, department, Actor.agent(user), note=note)
            else:
                moved = do_change_department(ticket, department, Actor.agent(user))
            if triage is not None and triage.needs_review:
                # A person chose the department: the ticket no longer waits in triage.
                do_confirm_route(moved, Actor.agent(user))
        if note:
            return _("Forwarded to %(department)s.") % {"department": department.name}
        return _("Moved to %(department)s.") % {"department": department.name}

    return "department", form, run


def _route(request: HttpRequest, ticket: Ticket, user: User) -> tuple[str, forms.Form, Any]:
    form = RouteForm(request.POST)

    def run() -> str:
        department = form.cleaned_data.get("department")
        before = ticket.department
        do_confirm_route(
            ticket, Actor.agent(user), department=department.pk if department else None
        )
        if department is not None and department.pk != before.pk:
            return _("Moved to %(department)s.") % {"department": department.name}
        return _("Kept in %(department)s.") % {"department": before.name}

    return "route", form, run


def _tags(request: HttpRequest, ticket: Ticket, user: User) -> tuple[str, forms.Form, Any]:
    form = TagsForm(request.POST)

    def run() -> str:
        wanted = set(form.cleaned_data["tags"])
        current = {tag.name for tag in ticket.tags.all()}
        do_change_tags(
            ticket, Actor.agent(user), add=sorted(wanted - current), remove=sorted(current - wanted)
        )
        return _("Tags saved.")

    return "tags", form, run


HANDLERS: dict[str, Callable[[HttpRequest, Ticket, User], tuple[str, forms.Form, Any]]] = {
    "reply": _reply,
    "note": _note,
    "assign": _assign,
    "assign-me": _assign_me,
    "status": _status,
    "solve": _solve,
    "priority": _priority,
    "department": _department,
    "route": _route,
    "tags": _tags,
}


def _attach_errors(form: forms.Form, error: ValidationError) -> None:
    """Show what the action refused next to the field it names (or above the form)."""
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


@require_POST
@staff_required
def ticket_action(request: HttpRequest, number: int, action: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    ticket = _ticket(user, number)
    if action == "merge":
        return _merge(request, ticket, user)
    if action == "canned":
        return _insert_canned(request, ticket, user)
    handler = HANDLERS.get(action)
    if handler is None:
        raise Http404(f"no action {action!r}")
    name, form, run = handler(request, ticket, user)
    if form.is_valid():
        try:
            done = run()
        except ActionDenied as error:
            raise PermissionDenied(str(error)) from None
        except ValidationError as error:
            _attach_errors(form, error)
        else:
            messages.success(request, done)
            inbox.forget_counts(user)
            if not tickets_visible_to(user).filter(pk=ticket.pk).exists():
                # Forwarded to a department the agent does not work in: it left their desk.
                return redirect("workspace:inbox")
            return redirect("workspace:ticket", number=ticket.number)
    # Read again: a refused action changed nothing, but the form may say why with fresh data.
    return _render(request, _ticket(user, number), bound={name: form}, status=400)


def _merge(request: HttpRequest, ticket: Ticket, user: User) -> HttpResponse:
    form = MergeForm(request.POST, ticket=ticket, user=user)
    if form.is_valid():
        target: Ticket = form.cleaned_data["target"]
        try:
            do_merge(ticket, target, Actor.agent(user))
        except ActionDenied as error:
            raise PermissionDenied(str(error)) from None
        except ValidationError as error:
            _attach_errors(form, error)
        else:
            messages.success(
                request,
                _("Ticket #%(source)s was merged into this one.") % {"source": ticket.number},
            )
            inbox.forget_counts(user)
            return redirect("workspace:ticket", number=target.number)
    return _render(request, _ticket(user, ticket.number), bound={"merge": form}, status=400)


def _insert_canned(request: HttpRequest, ticket: Ticket, user: User) -> HttpResponse:
    """Without JavaScript, "Insert" posts the reply box here: the page comes back with the
    canned text added after what the agent had typed, nothing sent."""
    typed = request.POST.get("body", "").replace("\r\n", "\n")
    chosen = request.POST.get("canned", "")
    answer = next((a for a in canned.answers_for(ticket, user) if str(a.pk) == chosen), None)
    if answer is None:
        messages.error(request, _("Choose a canned answer to insert."))
        body = typed
    else:
        body = f"{typed.rstrip()}\n\n{answer.text}" if typed.strip() else answer.text
    initial = {"body": body, "then_status": request.POST.get("then_status", "")}
    reply = ReplyForm(ticket=ticket, initial=initial)
    return _render(request, ticket, bound={"reply": reply})


@require_POST
@staff_required
def retry(request: HttpRequest, number: int, message_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    ticket = _ticket(user, number)
    message = Message.objects.filter(pk=message_id, ticket=ticket).select_related("ticket").first()
    if message is None:
        raise Http404(f"no message {message_id} on ticket #{number}")
    try:
        do_retry_delivery(message, Actor.agent(user))
    except ActionDenied as error:
        raise PermissionDenied(str(error)) from None
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    else:
        messages.success(request, _("The reply is queued to be sent again."))
    return HttpResponseRedirect(reverse("workspace:ticket", args=[number]) + f"#m{message_id}")


@staff_required
def download(request: HttpRequest, number: int, attachment_id: int) -> FileResponse:
    user: User = request.user  # type: ignore[assignment]
    visible = tickets_visible_to(user).filter(number=number).values("pk")
    attachment = (
        Attachment.objects.filter(pk=attachment_id, message__ticket__in=visible)
        .select_related("blob")
        .first()
    )
    if attachment is None:
        raise Http404(f"no attachment {attachment_id} on ticket #{number}")
    try:
        handle = default_storage.open(attachment.blob.storage_name, "rb")
    except FileNotFoundError:
        raise Http404("the attachment's file is missing from the file store") from None
    content_type = attachment.content_type.lower()
    inline = content_type in INLINE_SAFE_TYPES
    return FileResponse(
        handle,
        as_attachment=not inline,
        filename=attachment.filename,
        content_type=content_type if inline else "application/octet-stream",
    )


@staff_required
def go(request: HttpRequest) -> HttpResponse:
    """A ticket number opens that ticket; kept for old links, the header box now searches."""
    user: User = request.user  # type: ignore[assignment]
    raw = request.GET.get("q", "").strip().lstrip("#")
    if raw.isdigit() and tickets_visible_to(user).filter(number=int(raw)).exists():
        return redirect("workspace:ticket", number=int(raw))
    if raw.isdigit():
        messages.error(
            request, _("There is no ticket #%(number)s that you can see.") % {"number": raw}
        )
    elif raw:
        messages.info(request, _("Type a ticket number to open it."))
    return redirect("workspace:inbox")
