"""Which ticket a mail belongs to, tried in this order:

1. a ticket token in the address the customer replied to (support+t1042.<hmac>@…);
2. a [#1042] token in the subject, from someone already on that ticket's thread;
3. In-Reply-To / References matching a Message-ID stored on a ticket;
4. the same customer and the same normalised subject, updated within a few days (of two
   such tickets the one whose message the reply quotes, else the one whose conversation
   with the customer is the most recent).

Returns the ticket and which rule matched (recorded on the inbound mail), or None.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils import timezone

from litso.core import rows
from litso.customers.models import Customer
from litso.mail.model import ParsedMail
from litso.mail.quoting import split_reply
from litso.mail.tokens import ticket_number_from
from litso.tickets.models import Message, MessageKind, Ticket

_SUBJECT_TOKEN = re.compile(r"\[#(\d{1,12})\]")
# Ticket tokens of other desks ("[support-2]", "[Ticket#123]", "[ID:77]"): a customer
# replying to mail from the desk a company used before still means the same subject.
# The status suffix other desks put on their notification subjects ("… (Opened)").
_STATUS_SUFFIX = re.compile(r"\s*\((?:opened|updated|resolved|closed|reopened)\)\s*$", re.I)
_ANY_TOKEN = re.compile(r"\[(?:#|[^\W\d][\w.]*\s*[-#:]\s*#?)\d{1,12}\]")
# Reply and forward prefixes in English, Russian, Polish and what clients put there, repeated
# ("Re: Fwd: Re[2]:") and with odd spacing.
_PREFIX = re.compile(
    r"^\s*(?:(?:re|fw|fwd|aw|wg|sv|vs|odp|pd|przek|resp|отв|ответ|пер|перес|вд|на)"
    r"\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*)+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ThreadMatch:
    ticket: Ticket
    rule: str


def normalise_subject(subject: str) -> str:
    subject = _STATUS_SUFFIX.sub("", _ANY_TOKEN.sub(" ", subject))
    previous = None
    while previous != subject:
        previous = subject
        subject = _PREFIX.sub("", subject)
    return " ".join(subject.lower().split())


def find_ticket(
    parsed: ParsedMail, sender: Customer | None, recipients: list[str]
) -> ThreadMatch | None:
    number = ticket_number_from(recipients)
    if number is not None:
        ticket = _live(Ticket.objects.filter(number=number).first())
        if ticket:
            return ThreadMatch(ticket, "reply address token")

    found = _SUBJECT_TOKEN.search(parsed.subject)
    if found and sender is not None:
        ticket = _live(Ticket.objects.filter(number=int(found.group(1))).first())
        if ticket and on_thread(ticket, sender, parsed):
            return ThreadMatch(ticket, "subject token")

    ids = [i for i in (parsed.in_reply_to, *reversed(parsed.references)) if i][:MAX_IDS]
    if ids:
        ticket_id = _one(_by_message_id_sql(connection.vendor, len(ids)), ids)
        if ticket_id is not None:
            ticket = _live(rows.get(Ticket, ticket_id))
            if ticket:
                return ThreadMatch(ticket, "In-Reply-To/References")

    subject = normalise_subject(parsed.subject)
    if sender is not None and subject and _looks_like_reply(parsed):
        since = timezone.now() - datetime.timedelta(days=settings.LITSO_MAIL_SUBJECT_THREAD_DAYS)
        recent = rows.fetch(
            _same_customer_sql(connection.vendor),
            [
                sender.pk,
                connection.ops.adapt_datetimefield_value(since),
                MessageKind.INBOUND.value,
                MessageKind.OUTBOUND.value,
            ],
        )
        same = [ticket_id for ticket_id, title in recent if normalise_subject(title) == subject]
        for ticket_id in _quoted_first(parsed, same):
            live = _live(rows.get(Ticket, ticket_id))
            if live:
                return ThreadMatch(live, "same customer and subject")
    return None


def _quoted_first(parsed: ParsedMail, ticket_ids: list[int]) -> list[int]:
    """Of the customer's tickets with this subject, the one whose message the reply quotes
    first, if exactly one: a customer with two requests of the same subject answering a
    notification about the older one (sent by a desk we replaced, so its Message-ID means
    nothing here) quotes that request."""
    if len(ticket_ids) < 2:
        return ticket_ids
    quoted = _flat(split_reply(parsed.body_text).quoted)
    if not quoted:
        return ticket_ids
    messages = rows.fetch(
        _messages_sql(connection.vendor, len(ticket_ids)),
        [*ticket_ids, MessageKind.INBOUND.value, MessageKind.OUTBOUND.value],
    )
    quoting = {
        ticket_id
        for ticket_id, start in messages
        if len(snippet := _flat(start or "")) >= MIN_QUOTE and snippet in quoted
    }
    if len(quoting) != 1:
        return ticket_ids
    return sorted(ticket_ids, key=lambda ticket_id: ticket_id not in quoting)


_QUOTE_MARKS = re.compile(r"^[\s>]+", re.MULTILINE)


def _flat(text: str) -> str:
    """Text without quote marks and line breaks: a quote re-wrapped by the mail client still
    contains the message it quotes."""
    return " ".join(_QUOTE_MARKS.sub("", text).split())


# Plain SQL below: the ORM took longer to compile these lookups, asked for nearly every reply,
# than the database took to answer them.
MAX_IDS = 50
CANDIDATES = 20
# How much of each earlier message is looked for in a reply's quote, and at least how much.
QUOTE_CHARS = 300
MIN_QUOTE = 40


def _one(sql: str, params: Sequence[str]) -> int | None:
    found = rows.fetch(sql, params)
    return int(found[0][0]) if found else None


@functools.cache
def _by_message_id_sql(vendor: str, count: int) -> str:
    """The ticket of the newest message having one of ``count`` Message-IDs."""
    q = connection.ops.quote_name
    ids = ", ".join(["%s"] * count)
    return (
        f"SELECT {q('ticket_id')} FROM {q(Message._meta.db_table)}"
        f" WHERE {q('external_id')} IN ({ids})"
        f" ORDER BY {q('created_at')} DESC, {q('id')} DESC LIMIT 1"
    )


@functools.cache
def _same_customer_sql(vendor: str) -> str:
    """The customer's tickets updated since a moment, the conversation they were last in
    first: by the newest message exchanged with them, not by ``updated_at``, which also
    moves when the desk changes a ticket (a chase raising an older request's priority made
    it look like the conversation a reply belonged to)."""
    q = connection.ops.quote_name
    ticket, message = q(Ticket._meta.db_table), q(Message._meta.db_table)
    last = (
        f"(SELECT MAX(m.{q('created_at')}) FROM {message} m"
        f" WHERE m.{q('ticket_id')} = t.{q('id')} AND m.{q('kind')} IN (%s, %s))"
    )
    return (
        f"SELECT t.{q('id')}, t.{q('subject')} FROM {ticket} t"
        f" WHERE t.{q('customer_id')} = %s AND t.{q('updated_at')} >= %s"
        f" ORDER BY COALESCE({last}, t.{q('created_at')}) DESC, t.{q('id')} DESC"
        f" LIMIT {CANDIDATES}"
    )


def _live(ticket: Ticket | None) -> Ticket | None:
    """A merged ticket hands its mail on to the ticket it was merged into."""
    hops = 0
    while ticket is not None and ticket.merged_into_id is not None and hops < 10:
        ticket = ticket.merged_into
        hops += 1
    return ticket


def _looks_like_reply(parsed: ParsedMail) -> bool:
    # A new mail with a generic subject ("Order", "Question") must not join an old ticket.
    return bool(_PREFIX.match(parsed.subject)) or bool(parsed.in_reply_to or parsed.references)


def on_thread(ticket: Ticket, sender: Customer, parsed: ParsedMail) -> bool:
    """The sender is the ticket's customer, or was among the addresses on its earlier mail."""
    if sender.pk == ticket.customer_id:
        return True
    from litso.mail.models import InboundMail

    addresses = set(sender.contacts.filter(kind="email").values_list("value", flat=True))
    for participants in InboundMail.objects.filter(ticket=ticket).values_list(
        "participants", flat=True
    ):
        if addresses & set(participants or ()):
            return True
    return False


@functools.cache
def _messages_sql(vendor: str, count: int) -> str:
    """The start of each message exchanged with the customer on ``count`` tickets."""
    q = connection.ops.quote_name
    ids = ", ".join(["%s"] * count)
    return (
        f"SELECT {q('ticket_id')}, SUBSTR({q('body_text')}, 1, {QUOTE_CHARS})"
        f" FROM {q(Message._meta.db_table)}"
        f" WHERE {q('ticket_id')} IN ({ids}) AND {q('kind')} IN (%s, %s)"
    )
