"""The search page: full text over the tickets the agent may see (litso.search does the rest).

The header's search box sends here. A query that is only a ticket number ("#1042" or
"1042") opens that ticket when the agent may see it; anything else lists the hits, best
first, a page at a time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from litso.search.engine import SearchHit, search
from litso.tickets.models import Status
from litso.workspace.access import staff_required

PAGE_SIZE = 25
# Pages past the engine's ranked window would be empty anyway.
MAX_PAGE = 40
ONLY_A_NUMBER = re.compile(r"\s*#?\d{1,18}\s*")
# The engine escapes the text and adds <mark> around matches, nothing else.
_OTHER_TAG = re.compile(r"<(?!/?mark>)")


def marked(html: str) -> SafeString:
    """The engine's highlighted text, trusted only while its sole tags are <mark>."""
    if _OTHER_TAG.search(html):
        return escape(html)
    return mark_safe(html)  # noqa: S308 - escaped by litso.search.snippets, checked above


@dataclass(frozen=True)
class Row:
    number: int
    url: str
    subject_html: SafeString
    status: str
    status_code: str
    snippet: SafeString


def _row(hit: SearchHit, prefix: str) -> Row:
    url = f"{prefix}{hit.number}/"
    if hit.message_id is not None:
        url += f"#m{hit.message_id}"
    return Row(
        number=hit.number,
        url=url,
        subject_html=marked(hit.subject_html),
        status=str(Status(hit.status).label) if hit.status in Status.values else hit.status,
        status_code=hit.status,
        snippet=marked(hit.snippet),
    )


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return min(int(raw), MAX_PAGE) if raw.isdigit() and int(raw) > 0 else 1


@staff_required
def search_page(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    text = request.GET.get("q", "").strip()
    number = _page_number(request)
    result = search(user, text, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE) if text else None
    if result is not None and result.jump_to is not None and ONLY_A_NUMBER.fullmatch(text):
        return redirect("workspace:ticket", number=result.jump_to)
    prefix = reverse("workspace:ticket", args=[0]).removesuffix("0/")
    rows = [_row(hit, prefix) for hit in result.hits] if result else []
    context = {
        "q": text,
        "result": result,
        "rows": rows,
        "page_number": number,
        "has_previous": number > 1 and result is not None,
        "has_next": bool(result and result.has_next and number < MAX_PAGE),
        "first_index": (number - 1) * PAGE_SIZE + 1,
        "last_index": (number - 1) * PAGE_SIZE + len(rows),
        "query": urlencode({"q": text}),
        # "#1042" that is not (or not for this agent) a ticket: say so, not just "nothing".
        "missing_number": text.strip().lstrip("#")
        if result is not None and not rows and ONLY_A_NUMBER.fullmatch(text)
        else "",
    }
    return render(request, "workspace/search.html", context)
