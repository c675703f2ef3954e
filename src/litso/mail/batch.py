"""What a batch of inbound mail reads once instead of once per mail (see processing.process_batch).

The mails are parsed before the batch's write transaction (parsing needs no database, and on
SQLite that transaction holds the one write lock), and their senders are looked up in one
query. The cache lives for one batch and is forgotten whenever a mail's savepoint rolls back,
so nothing created in a rolled-back savepoint is ever used again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError

from litso.customers.contacts import check_contact
from litso.customers.models import ContactKind, ContactPoint, Customer
from litso.departments.models import Department
from litso.files.store import read_bytes
from litso.mail.model import ParsedMail
from litso.mail.models import InboundMail
from litso.mail.parsing import parse_message

# A mail's parse: the parsed mail, or what parsing raised (UnparseableMail: quarantined with
# its reason; anything else: quarantined as a processing failure), raised again in its
# savepoint so the outcome is the one processing it there would have given.
Parse = ParsedMail | Exception


def parse_stored(inbound: InboundMail) -> Parse:
    try:
        raw = read_bytes(inbound.blob)
    except Exception as exc:
        return exc
    return parse_raw(raw)


def parse_raw(raw: bytes) -> Parse:
    try:
        return parse_message(raw, max_attachment_bytes=settings.LITSO_MAIL_MAX_ATTACHMENT_BYTES)
    except Exception as exc:
        return exc


@dataclass
class BatchCache:
    # Sender address (normalised) -> its customer, or None for an address we cannot answer.
    customers: dict[str, Customer | None] = field(default_factory=dict)
    default_department: Department | None = None

    def forget(self) -> None:
        self.customers.clear()
        self.default_department = None

    def prefetch_customers(self, parses: Iterable[Parse]) -> None:
        """The customers who already exist for these senders, in one query."""
        wanted = set()
        for parsed in parses:
            if isinstance(parsed, ParsedMail) and parsed.from_address:
                try:
                    wanted.add(check_contact(ContactKind.EMAIL, parsed.from_address))
                except ValidationError:
                    continue
        wanted -= self.customers.keys()
        if not wanted:
            return
        # (kind, value) is unique: at most one customer per address, as find_customer finds.
        for point in ContactPoint.objects.filter(
            kind=ContactKind.EMAIL, value__in=wanted
        ).select_related("customer"):
            self.customers[point.value] = point.customer
