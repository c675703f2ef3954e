"""The inbox's table rows, written in Python.

Fifty rows of eleven cells are about 1,300 template variable lookups; Django's template engine
spent more time on them than the page spent on its queries (SQLite, a million tickets). The
markup is the same the template wrote; the words are translated once per page.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

if TYPE_CHECKING:
    from litso.workspace.inbox import Row

EMPTY = ""


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
    if row.abusive:
        classes += " abusive"
    chase = EMPTY
    if row.chase_count:
        title = ngettext(
            "The customer asked again once",
            "The customer asked again %(count)s times",
            row.chase_count,
        ) % {"count": row.chase_count}
        chase = format_html(
            ' <span class="badge chase" title="{}">↻ {}</span>', title, row.chase_count
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
        abuse=abuse if row.abusive else EMPTY,
        chase=chase,
        review=review if row.needs_review else EMPTY,
        customer=str(ticket.customer),
        status=ticket.status,
        status_text=row.status,
        priority=ticket.priority,
        priority_text=row.priority,
        assignee=row.assignee,
        department=ticket.department.name,
        deadline=deadline,
        language=ticket.language.upper(),
        updated_iso=row.updated_iso,
        updated_text=row.updated_text,
    )
