"""Full-text search over tickets and messages, with the permission rules applied.

    from litso.search.engine import search
    result = search(request.user, request.GET.get("q", ""), limit=50, offset=0)
    result.jump_to      # a ticket number to open at once ("#1042", "1042"), or None
    for hit in result.hits:
        hit.number, hit.subject_html, hit.snippet, hit.status, hit.rank, hit.message_id
    result.count, result.complete, result.has_next

What the query may contain is in query.py. Only tickets from ``tickets_visible_to(user)``
are found; customers find only their own, and only in the conversation (their messages and
the replies), never in internal notes.

Hits are tickets, best first. Relevance: how many of the query's terms the ticket's subject
contains, then how many of its messages match (up to 9), then the newest matching message.
A ticket asked for by its number comes first. Each hit shows its newest matching message.

Only the newest WINDOW matching messages are ranked, not every match: on a million messages
a common word matches 460,000 of them, and walking them all takes seconds where the newest
thousand take milliseconds (and the newest are what a desk looks for). When there were more
(``complete`` is False), ``count`` counts the tickets of those newest matches only: show it
as "N+" and suggest adding a word.

A search costs a fixed number of queries whatever it finds: the size of the permission scope,
the matches with their tickets, the page's messages; one more for a ticket number, one more
for e-mail addresses. (Reading the user's profile for ``tickets_visible_to`` comes on top,
as for every list.)
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models.functions import Substr
from django.utils.safestring import SafeString

from litso.customers.models import ContactKind, ContactPoint
from litso.search import postgres, snippets, sqlite
from litso.search.folding import fold, fold_with_offsets
from litso.search.query import Query, email_phrase, parse
from litso.search.scope import Scope
from litso.tickets.access import is_staff_member, tickets_visible_to
from litso.tickets.models import Message

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

WINDOW = 1000
MAX_LIMIT = 200
TICKET_FIELDS = ("id", "number", "subject", "status")


@dataclass(frozen=True)
class SearchHit:
    ticket_id: int
    number: int
    subject: str
    status: str
    # The subject, HTML-escaped, with the matched words in <mark>.
    subject_html: SafeString
    # About 200 characters of the newest matching message around the first match, escaped,
    # matches in <mark>; "" when the ticket was found by its number or customer only.
    snippet: SafeString
    # The newest matching message (to scroll to), None as above.
    message_id: int | None
    # Terms in the subject + matching messages / 10 (at most 0.9); inf for the ticket asked
    # for by number. Higher is better.
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
        number_hit = visible.filter(number=query.ticket_number).values(*TICKET_FIELDS).first()
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
        found, complete = _match(scope, query)
    elif query.emails:
        found = _newest(scope)
        complete = len(found) < WINDOW
    else:
        found, complete = [], True

    if number_hit is not None:
        first = _Found(number_hit, message_id=None, rank=float("inf"))
        found = [first] + [f for f in found if f.ticket["id"] != number_hit["id"]]
    return SearchResult(
        query=query,
        hits=_hits(found[offset : offset + limit], query),
        count=len(found),
        complete=complete,
        jump_to=number_hit["number"] if number_hit else None,
        offset=offset,
        limit=limit,
    )


@dataclass(slots=True)
class _Found:
    ticket: Any  # a values() row: TICKET_FIELDS
    # The newest matching message.
    message_id: int | None
    rank: float = 0.0
    messages: int = 0


def _match(scope: Scope, query: Query) -> tuple[list[_Found], bool]:
    backend: Any = postgres if connection.vendor == "postgresql" else sqlite
    rows, complete = backend.candidates(scope, query, WINDOW)
    # Rows come newest first: a ticket's first row is its newest matching message.
    per_ticket: dict[int, _Found] = {}
    for message_id, ticket_id, number, subject, status in rows:
        found = per_ticket.get(ticket_id)
        if found is None:
            ticket = {"id": ticket_id, "number": number, "subject": subject, "status": status}
            per_ticket[ticket_id] = _Found(ticket, message_id, 0.0, 1)
        else:
            found.messages += 1
    founds = list(per_ticket.values())
    in_subject = _terms_in_subjects([found.ticket["subject"] for found in founds], query)
    for found, hits in zip(founds, in_subject, strict=True):
        found.rank = hits + min(found.messages, 9) / 10
    # Best first, then newest: both negated in one key (message ids of candidates are ints).
    founds.sort(key=lambda f: (-f.rank, -(f.message_id or 0)))
    return founds, complete


# Between subjects folded as one text: no word's pattern matches it.
_SEPARATOR = "\x00"


def _terms_in_subjects(subjects: list[str], query: Query) -> list[int]:
    """For each subject, how many of the query's terms it contains (folded).

    A thousand candidates' subjects are folded as one text and each word's pattern runs over
    it once, instead of a fold and a search per subject and term (about 5 ms a search). A
    phrase, whose pattern spans separators, is still searched subject by subject."""
    counts = [0] * len(subjects)
    if not subjects:  # ("".split() below would still give one empty subject)
        return counts
    joined = _SEPARATOR.join(subjects)
    folded, origin = fold_with_offsets(joined)
    if origin is not None or _SEPARATOR in "".join(subjects):
        # Folding changes lengths here (rare letters): one subject at a time.
        each = [fold(subject) for subject in subjects]
        for each_pattern in snippets.term_matchers(query):
            for index, subject in enumerate(each):
                counts[index] += each_pattern.search(subject) is not None
        return counts
    starts = [0]
    for subject in subjects[:-1]:
        starts.append(starts[-1] + len(subject) + 1)
    folded_each: list[str] | None = None
    for term, pattern in zip(query.terms, snippets.term_matchers(query), strict=True):
        if term.is_phrase:
            if folded_each is None:
                folded_each = folded.split(_SEPARATOR)
            for index, subject in enumerate(folded_each):
                counts[index] += pattern.search(subject) is not None
            continue
        hit = {bisect.bisect_right(starts, match.start()) - 1 for match in pattern.finditer(folded)}
        for index in hit:
            counts[index] += 1
    return counts


def _newest(scope: Scope) -> list[_Found]:
    """A customer's tickets (the query was an e-mail address), the newest first."""
    tickets = scope.visible.order_by("-created_at", "-id").values(*TICKET_FIELDS)[:WINDOW]
    return [_Found(ticket, message_id=None) for ticket in tickets]


def _hits(page: list[_Found], query: Query) -> list[SearchHit]:
    message_ids = [f.message_id for f in page if f.message_id is not None]
    heads = {}
    if message_ids:
        heads = dict(
            Message.objects.filter(pk__in=message_ids)
            .annotate(head=Substr("body_text", 1, snippets.SOURCE_CHARS))
            .values_list("id", "head")
        )
    pattern = snippets.matcher(query)
    hits = []
    for f in page:
        head = heads.get(f.message_id) if f.message_id is not None else None
        hits.append(
            SearchHit(
                ticket_id=f.ticket["id"],
                number=f.ticket["number"],
                subject=f.ticket["subject"],
                status=f.ticket["status"],
                subject_html=snippets.highlight(f.ticket["subject"], pattern),
                snippet=snippets.excerpt(head, pattern) if head else SafeString(""),
                message_id=f.message_id,
                rank=f.rank,
            )
        )
    return hits
