"""The inbox's table rows, written in Python.

Fifty rows of eleven cells are about 1,300 template variable lookups; Django's template engine
spent more time on them than the page spent on its queries (SQLite, a million tickets). The
markup is the same the template wrote; the words are translated once per page.
"""

from __future__ import annotations

import datetime
import html
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


def e(value: object) -> str:
    return html.escape(str(value))


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


def _row(row: Row, abuse: SafeString, review: SafeString) -> str:
    # An f-string with every value escaped by html.escape (what django.utils.html.escape
    # does, without its lazy-string wrapper): format_html's per-argument checks were a third
    # of writing a page of rows.
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
        chase = f' <span class="badge chase" title="{e(title)}">↻ {ticket.chase_count}</span>'
    deadline = EMPTY
    if row.deadline is not None:
        breached = " breached" if row.deadline.breached else ""
        deadline = (
            f'<span class="sla{breached}" title="{e(row.deadline_title)}">'
            f"{e(row.deadline_text)}</span>"
        )
    url, number = e(row.url), int(ticket.number)
    return (
        f'<tr data-href="{url}" class="{e(classes)}">'
        f'<td class="check"><input type="checkbox" name="tickets" value="{number}"'
        f' aria-label="#{number}"></td>'
        f'<td class="number"><a href="{url}">{number}</a></td>'
        f'<td class="subject"><a href="{url}">{e(ticket.subject)}</a>'
        f"{abuse if ticket.abusive else EMPTY}{chase}{review if ticket.needs_review else EMPTY}"
        f"</td><td>{e(ticket.customer)}</td>"
        f'<td><span class="badge status-{e(ticket.status)}">{e(row.status)}</span></td>'
        f'<td><span class="badge priority-{e(ticket.priority)}">{e(row.priority)}</span></td>'
        f"<td>{e(row.assignee)}</td><td>{e(ticket.department)}</td><td>{deadline}</td>"
        f"<td>{e(ticket.language.upper())}</td>"
        f'<td><time datetime="{e(row.updated_iso)}">{e(row.updated_text)}</time></td></tr>'
    )
