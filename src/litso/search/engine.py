"""Full-text search over tickets and messages, with the permission rules applied.

    from litso.search.engine import search
    result = search(request.user, request.GET.get("q", ""), limit=50, offset=0)
    result.jump_to      # a ticket number to open at once ("#1042", "1042"), or None
    for hit in result.hits:
        hit.number, hit.subject_html, hit.snippet, hit.status, hit.rank, hit.message_id
    result.count, result.complete, result.has_next

What the query may contain is in query.py. Hits are tickets, best first: by relevance of
their best-matching message (bm25 on SQLite, ts_rank on PostgreSQL; a word in the subject
counts more), then the newer message first. A ticket asked for by number comes first.

Only tickets from ``tickets_visible_to(user)`` are found; customers find only their own and
only the conversation (customer messages and replies), never internal notes.

The newest WINDOW matching messages are ranked, not every match: ranking all 460,000
messages that contain a common word takes seconds on a million messages, and the newest
are what a desk looks for. When there were more (``complete`` is False), ``count`` counts
the tickets of those newest matches only: show it as "N+" and suggest more words.

A search costs a fixed number of queries whatever it finds: 2 for the candidates on SQLite
(scope size, matches; 3 on PostgreSQL with "SET LOCAL jit"), 2 to load the page's tickets
and messages, 1 more for a ticket number, 1 more for e-mail addresses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models.functions import Substr
from django.utils.safestring import SafeString

from litso.customers.models import ContactKind, ContactPoint
from litso.search import postgres, snippets, sqlite
from litso.search.query import Query, email_phrase, parse
from litso.search.scope import Scope
from litso.tickets.access import is_staff_member, tickets_visible_to
from litso.tickets.models import Message, Ticket

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

WINDOW = 1000
MAX_LIMIT = 200


@dataclass(frozen=True)
class SearchHit:
    ticket_id: int
    number: int
    subject: str
    status: str
    # The subject, HTML-escaped, with the matched words in <mark>.
    subject_html: SafeString
    # About 200 characters of the best-matching message around the first match, escaped,
    # matches in <mark>; "" when the ticket was found by its number or customer only.
    snippet: SafeString
    # The best-matching message (to scroll to), None as above.
    message_id: int | None
    # Higher is better; comparable within one result only.
    rank: float


@dataclass(frozen=True)
class SearchResult:
    query: Query
    hits: list[SearchHit] = field(default_factory=list)
    # Tickets found (see ``complete``); the hits are ``offset``.. of them.
    count: int = 0
    # False when more messages matched than were ranked: ``count`` is then a lower bound.
    complete: bool = True
    # The number of a ticket the user may see, asked for as "#1042" or "1042".
    jump_to: int | None = None
    offset: int = 0
    limit: int = 50

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.hits) < self.count


def search(
    user: User | AnonymousUser, text: str, *, limit: int = 50, offset: int = 0
) -> SearchResult:
    """Tickets ``user`` may see that match ``text``, best first (see the module docstring).

    Never raises on what was typed: a query of only punctuation or operators finds nothing.
    """
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    query = parse(text)
    visible = tickets_visible_to(user)
    empty = SearchResult(query=query, limit=limit, offset=offset)
    if query.is_empty or visible.query.is_empty():
        return empty

    number_hit = None
    if query.ticket_number is not None:
        number_hit = (
            visible.filter(number=query.ticket_number)
            .values("id", "number", "subject", "status")
            .first()
        )
    if query.emails:
        customers = list(
            ContactPoint.objects.filter(kind=ContactKind.EMAIL, value__in=query.emails).values_list(
                "customer_id", flat=True
            )
        )
        if customers:
            visible = visible.filter(customer_id__in=customers)
        else:
            # Nobody has that address: look for it in the text instead.
            terms = query.terms + tuple(email_phrase(e) for e in query.emails)
            query = Query(text=query.text, terms=terms, ticket_number=query.ticket_number)

    scope = Scope(visible=visible, public_only=not is_staff_member(user))
    if query.terms:
        ranked, complete = _rank(scope, query)
    elif query.emails:
        ranked = _newest(scope)
        complete = len(ranked) < WINDOW
    else:
        ranked, complete = [], True

    if number_hit is not None:
        ranked = [(number_hit["id"], None, float("inf"))] + [
            r for r in ranked if r[0] != number_hit["id"]
        ]
    page = ranked[offset : offset + limit]
    hits = _load(page, query)
    return SearchResult(
        query=query,
        hits=hits,
        count=len(ranked),
        complete=complete,
        jump_to=number_hit["number"] if number_hit else None,
        offset=offset,
        limit=limit,
    )


Ranked = list[tuple[int, int | None, float]]  # (ticket id, best message id, score)


def _rank(scope: Scope, query: Query) -> tuple[Ranked, bool]:
    backend: Any = postgres if connection.vendor == "postgresql" else sqlite
    probe = backend.probe(scope)
    rows = backend.candidates(scope, query, probe, WINDOW)
    best: dict[int, tuple[float, int]] = {}
    # Rows come newest first: on equal scores the newer message stays.
    for message_id, ticket_id, score in rows:
        if ticket_id not in best or score > best[ticket_id][0]:
            best[ticket_id] = (score, message_id)
    ordered = sorted(best.items(), key=lambda item: (-item[1][0], -item[1][1]))
    return [(ticket, message, score) for ticket, (score, message) in ordered], len(rows) < WINDOW


def _newest(scope: Scope) -> Ranked:
    """A customer's tickets (the query was an e-mail address), the newest first."""
    ids = scope.visible.order_by("-created_at", "-id").values_list("id", flat=True)[:WINDOW]
    return [(ticket, None, 0.0) for ticket in ids]


def _load(page: Ranked, query: Query) -> list[SearchHit]:
    if not page:
        return []
    tickets = {
        t["id"]: t
        for t in Ticket.objects.filter(pk__in=[p[0] for p in page]).values(
            "id", "number", "subject", "status"
        )
    }
    message_ids = [p[1] for p in page if p[1] is not None]
    messages = {}
    if message_ids:
        messages = {
            m["id"]: m
            for m in Message.objects.filter(pk__in=message_ids)
            .annotate(head=Substr("body_text", 1, snippets.SOURCE_CHARS))
            .values("id", "subject", "head")
        }
    pattern = snippets.matcher(query)
    hits = []
    for ticket_id, message_id, score in page:
        ticket = tickets.get(ticket_id)
        if ticket is None:  # deleted since the candidates were read
            continue
        message = messages.get(message_id) if message_id is not None else None
        snippet = snippets.excerpt(message["head"], pattern) if message else SafeString("")
        hits.append(
            SearchHit(
                ticket_id=ticket_id,
                number=ticket["number"],
                subject=ticket["subject"],
                status=ticket["status"],
                subject_html=snippets.highlight(ticket["subject"], pattern),
                snippet=snippet,
                message_id=message_id,
                rank=score,
            )
        )
    return hits
