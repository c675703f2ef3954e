"""Polling due IMAP mailboxes from the scheduler loop.

Unlike other periodic jobs, the work here is network I/O that may take up to a timeout, so it
must not run inside a transaction holding row locks. A mailbox is claimed instead with a
conditional UPDATE that pushes ``next_poll_at`` a lease ahead: of two schedulers only one
sees its row count come back 1, and the other finds the mailbox not due any more. The poll
then sets the real next time; if the process dies mid-poll, the lease runs out and the
mailbox is polled again.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Collection

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from litso.jobs.scheduler import periodic
from litso.mail.imap import poll_mailbox
from litso.mail.models import Mailbox

logger = logging.getLogger(__name__)

LEASE = datetime.timedelta(minutes=5)
CANDIDATES = 10


def due_mailboxes(now: datetime.datetime) -> QuerySet[Mailbox]:
    return Mailbox.objects.filter(active=True).filter(
        Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now)
    )


def claim_mailbox(exclude: Collection[int] = ()) -> Mailbox | None:
    """The next due active mailbox, leased to this caller alone (autocommit, no locks held).

    One at a time, just before its poll: a lease taken for a whole list would run out while
    earlier mailboxes of the list were still being polled.
    """
    now = timezone.now()
    candidates = list(
        due_mailboxes(now)
        .exclude(pk__in=exclude)
        .order_by(F("next_poll_at").asc(nulls_first=True), "pk")
        .values_list("pk", flat=True)[:CANDIDATES]
    )
    for pk in candidates:
        # Another scheduler that got here first has moved next_poll_at: 0 rows, try the next.
        if due_mailboxes(now).filter(pk=pk).update(next_poll_at=now + LEASE) == 1:
            return Mailbox.objects.filter(pk=pk).first()
    return None


@periodic("mail.poll_mailboxes", every_seconds=5)
def poll_mailboxes() -> int:
    """Poll every due mailbox once; returns the number of new mails stored."""
    stored = 0
    polled: set[int] = set()
    # Once each per run, even one with more mail waiting (due again at once): the next run
    # takes the next batch, and the scheduler's other jobs get their turn in between.
    while (mailbox := claim_mailbox(exclude=polled)) is not None:
        polled.add(mailbox.pk)
        try:
            stored += poll_mailbox(mailbox).stored
        except Exception:
            # poll_mailbox records its own failures; this is the database failing under it.
            # The lease keeps the mailbox back a while; the others still get their turn.
            logger.exception("polling mailbox %s failed", mailbox.name)
    return stored
