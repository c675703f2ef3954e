"""A customer writing again about a problem we have not solved: notice it, count it, hurry.

Two shapes: a second message on the same thread while it still waits for our answer, and a
new request (any channel) whose text resembles one of the customer's open tickets from the
last days. The second is linked to the first; both raise the first's chase count and urgency.
"""

from __future__ import annotations

import functools
import re
import sys
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from litso.core import rows
from litso.tickets.models import OPEN_STATUSES, AuthorKind, Message, MessageKind, Ticket

# A customer adding a detail right after writing is not chasing us yet.
MIN_GAP = timedelta(minutes=10)
CANDIDATES = 20
# What of an earlier request's first message is compared.
TEXT_CHARS = 2000
_WORD = re.compile(r"\w{3,}", re.UNICODE)
# Words that say nothing about which problem it is (ru/pl/en greetings and fillers).
_STOP = frozenset(
    [
        "hello",
        "hi",
        "dear",
        "thanks",
        "thank",
        "you",
        "please",
        "regards",
        "best",
        "the",
        "and",
        "for",
        "with",
        "this",
        "that",
        "have",
        "has",
        "was",
        "not",
        "any",
        "news",
        "update",
        "still",
        "waiting",
        "здравствуйте",
        "добрый",
        "день",
        "спасибо",
        "пожалуйста",
        "уважением",
        "это",
        "что",
        "как",
        "уже",
        "еще",
        "ещё",
        "все",
        "есть",
        "нет",
        "мой",
        "моя",
        "мое",
        "мои",
        "dzień",
        "dobry",
        "dziękuję",
        "proszę",
        "pozdrawiam",
        "jest",
        "nie",
        "już",
        "jeszcze",
        "mój",
        "moja",
        "moje",
        "czy",
    ]
)
# Prefixes stand in for stems: "заказ", "заказа", "заказу" share "заказ"; "zamówienia" too.
STEM = 5


def stems(text: str) -> set[str]:
    return {w[:STEM] for w in _WORD.findall(text.lower()) if w not in _STOP}


@functools.lru_cache(maxsize=2048)
def _stems_of_earlier(text: str) -> frozenset[str]:
    # A customer's open tickets are compared with each of their new ones: hashing the text
    # again is much cheaper than finding its words again (94% hits on the benchmark's mail).
    # Interned, the cached sets share their strings: a few MiB when full.
    return frozenset(sys.intern(stem) for stem in stems(text))


def similarity(a: str | set[str], b: str) -> float:
    """How much of the shorter text's vocabulary the longer one shares (0..1); ``a`` may be
    given as its stems, when one text is compared with many."""
    sa = a if isinstance(a, set) else stems(a)
    sb = _stems_of_earlier(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / min(len(sa), len(sb))


@functools.cache
def _candidates_sql(vendor: str) -> str:
    """The customer's recent open tickets, newest first, each with the start of its first
    inbound message. Plain SQL: the ORM took ten times longer to compile this query (a
    correlated subquery) than the database took to answer it, for every new ticket."""
    q = connection.ops.quote_name
    ticket, message = q(Ticket._meta.db_table), q(Message._meta.db_table)
    statuses = ", ".join(["%s"] * len(OPEN_STATUSES))
    return (
        f"SELECT t.{q('id')}, t.{q('subject')},"
        f" (SELECT SUBSTR(m.{q('body_text')}, 1, {TEXT_CHARS}) FROM {message} m"
        f" WHERE m.{q('ticket_id')} = t.{q('id')} AND m.{q('kind')} = %s"
        f" ORDER BY m.{q('created_at')}, m.{q('id')} LIMIT 1)"
        f" FROM {ticket} t WHERE t.{q('customer_id')} = %s AND t.{q('status')} IN ({statuses})"
        f" AND t.{q('created_at')} >= %s AND t.{q('merged_into_id')} IS NULL"
        f" AND t.{q('id')} <> %s ORDER BY t.{q('created_at')} DESC LIMIT {CANDIDATES}"
    )


def find_chased(ticket: Ticket, text: str) -> Ticket | None:
    """The customer's open ticket this new one most resembles, if resembling enough."""
    since = timezone.now() - timedelta(days=settings.LITSO_TRIAGE_CHASE_DAYS)
    threshold = settings.LITSO_TRIAGE_CHASE_SIMILARITY / 100
    params = [
        MessageKind.INBOUND.value,
        ticket.customer_id,
        *OPEN_STATUSES,
        connection.ops.adapt_datetimefield_value(since),
        ticket.pk,
    ]
    candidates = rows.fetch(_candidates_sql(connection.vendor), params)
    if not candidates:
        # Most new tickets: the customer has no other open one, and no words need finding.
        return None
    best: tuple[float, int] | None = None
    words = stems(text)
    for pk, subject, first_body in candidates:
        earlier = f"{subject}\n{first_body or ''}"
        score = max(similarity(words, earlier), similarity(words, subject))
        if score >= threshold and (best is None or score > best[0]):
            best = (score, pk)
    return rows.get(Ticket, best[1]) if best else None


@functools.cache
def _previous_sql(vendor: str) -> str:
    q = connection.ops.quote_name
    return (
        f"SELECT {q('author_kind')}, {q('created_at')} FROM {q(Message._meta.db_table)}"
        f" WHERE {q('ticket_id')} = %s AND {q('created_at')} <= %s AND {q('id')} <> %s"
        f" AND {q('kind')} <> %s ORDER BY {q('created_at')} DESC, {q('id')} DESC LIMIT 1"
    )


def is_chase_on_thread(ticket: Ticket, message: Message) -> bool:
    """The customer wrote again on a thread whose last word was theirs, after a while."""
    if ticket.status not in OPEN_STATUSES:
        return False
    # The latest other message but notes, up to this one (plain SQL: asked for every reply).
    params = [
        ticket.pk,
        connection.ops.adapt_datetimefield_value(message.created_at),
        message.pk,
        MessageKind.NOTE.value,
    ]
    found = rows.fetch(_previous_sql(connection.vendor), params)
    previous = found[0] if found else None
    if previous is None or previous[0] != AuthorKind.CUSTOMER:
        return False
    [written_at] = rows.convert([previous[1]], _created_at_converters(connection.vendor))
    return bool(message.created_at - written_at >= MIN_GAP)


@functools.cache
def _created_at_converters(vendor: str) -> rows.Converters:
    return rows.converters([Message._meta.get_field("created_at")], Message._meta.db_table)
