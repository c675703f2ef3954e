"""The inbox's table rows, written in Python.

Fifty rows of eleven cells are about 1,300 template variable lookups; Django's template engine
spent more time on them than the page spent on its queries (SQLite, a million tickets). The
markup is the same the template wrote; the words are translated once per page.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext, ngettext

from litso.core.choices import Priority
from litso.tickets.models import Status
from litso.workspace import display
from litso.workspace.inbox_page import Listed, Page
from litso.workspace.timeline import Deadline

EMPTY = ""


@dataclass(frozen=True)
class Row:
    """One inbox line, its words computed here: a template per cell costs more than a query."""

    ticket: Listed
    url: str
    status: str
    priority: str
    assignee: str
    deadline: Deadline | None
    deadline_text: str
    deadline_title: str
    updated_iso: str
    updated_text: str


def rows(page: Page, now: datetime.datetime) -> list[Row]:
    prefix = reverse("workspace:ticket", args=[0]).removesuffix("0/")
    # Each label translated once per page, not once per row.
    statuses = {value: str(label) for value, label in Status.choices}
    priorities = {value: str(label) for value, label in Priority.choices}
    words = display.words()
    made = []
    for ticket in page.rows:
        deadline = ticket.next_deadline(now)
        title = ""
        if deadline is not None:
            label, due = words.deadline_label(deadline.kind), words.short_datetime(deadline.due)
            title = f"{label}: {due}"
        updated = localtime(ticket.updated_at)
        made.append(
            Row(
                ticket=ticket,
                url=f"{prefix}{ticket.number}/",
                status=statuses.get(ticket.status, ticket.status),
                priority=priorities.get(ticket.priority, ticket.priority),
                assignee=ticket.assignee or "—",
                deadline=deadline,
                deadline_text=words.countdown(deadline.due, now) if deadline else "",
                deadline_title=title,
                updated_iso=updated.isoformat(),
                updated_text=words.short_datetime(ticket.updated_at),
            )
        )
    return made


def render(rows: Sequence[Row]) -> SafeString:
    abuse = format_html(
        ' <span class="badge abuse" title="{}">{}</span>',
        gettext("Abusive or very angry"),
        gettext("abuse"),
    )
    review = format_html(' <span class="badge review">{}</span>', gettext("needs review"))
    return mark_safe("\n".join(_row(row, abuse, review) for row in rows))  # noqa: S308 (escaped)


def _row(row: Row, abuse: SafeString, review: SafeString) -> SafeString:
    ticket = row.ticket
    classes = f"priority-{ticket.priority}"
    if ticket.escalated:
        classes += " escalated"
    if ticket.abusive:
        classes += " abusive"
    chase = EMPTY
    if ticket.chase_count:
        title = ngettext(
            "The customer asked again once",
            "The customer asked again %(count)s times",
            ticket.chase_count,
        ) % {"count": ticket.chase_count}
        chase = format_html(
            ' <span class="badge chase" title="{}">↻ {}</span>', title, ticket.chase_count
        )
    deadline = EMPTY
    if row.deadline is not None:
        deadline = format_html(
            '<span class="sla{}" title="{}">{}</span>',
            " breached" if row.deadline.breached else "",
            row.deadline_title,
            row.deadline_text,
        )
    return format_html(
        '<tr data-href="{url}" class="{classes}">'
        '<td class="check"><input type="checkbox" name="tickets" value="{number}"'
        ' aria-label="#{number}"></td>'
        '<td class="number"><a href="{url}">{number}</a></td>'
        '<td class="subject"><a href="{url}">{subject}</a>{abuse}{chase}{review}</td>'
        "<td>{customer}</td>"
        '<td><span class="badge status-{status}">{status_text}</span></td>'
        '<td><span class="badge priority-{priority}">{priority_text}</span></td>'
        "<td>{assignee}</td><td>{department}</td><td>{deadline}</td><td>{language}</td>"
        '<td><time datetime="{updated_iso}">{updated_text}</time></td></tr>',
        url=row.url,
        classes=classes,
        number=ticket.number,
        subject=ticket.subject,
        abuse=abuse if ticket.abusive else EMPTY,
        chase=chase,
        review=review if ticket.needs_review else EMPTY,
        customer=ticket.customer,
        status=ticket.status,
        status_text=row.status,
        priority=ticket.priority,
        priority_text=row.priority,
        assignee=row.assignee,
        department=ticket.department,
        deadline=deadline,
        language=ticket.language.upper(),
        updated_iso=row.updated_iso,
        updated_text=row.updated_text,
    )
