"""Reply addresses that carry the ticket: support+t1042.9f86d081@shop.test.

The HMAC makes the token unguessable, so mail to it is trusted to belong to ticket 1042 even
from a sender we have never seen (a colleague the customer put in Cc).
"""

from __future__ import annotations

import hashlib
import hmac
import re

from django.conf import settings

_TOKEN = re.compile(r"\+t(\d{1,12})\.([0-9a-f]{8})@", re.IGNORECASE)


def _mac(number: int) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"ticket:{number}".encode(), hashlib.sha256).hexdigest()[:8]


def reply_address(base: str, number: int) -> str:
    local, _, domain = base.partition("@")
    local = local.split("+", 1)[0]
    return f"{local}+t{number}.{_mac(number)}@{domain}"


def ticket_number_from(addresses: list[str]) -> int | None:
    for address in addresses:
        found = _TOKEN.search(address)
        if found and hmac.compare_digest(found.group(2).lower(), _mac(int(found.group(1)))):
            return int(found.group(1))
    return None
