"""The one builder of mail to customers: headers for threading and loop safety, text + HTML.

Every mail carries the ticket's reply address (support+t1042.<hmac>@…) as Reply-To, threading
headers pointing at the conversation, and its fixed Message-ID, so a retry after a failure is
the same mail again, never a second different one.
"""

from __future__ import annotations

from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from litso.files.store import read_bytes
from litso.mail.html_text import text_to_html
from litso.mail.tokens import reply_address
from litso.tickets.models import AuthorKind, Message

FOOTERS = {
    "en": "Request {number}: reply to this message to add to it.",
    "ru": "Обращение {number}: чтобы дополнить его, ответьте на это письмо.",
    "pl": "Zgłoszenie {number}: aby je uzupełnić, odpowiedz na tę wiadomość.",
}


def desk_address(message: Message) -> str:
    """The department's own address when it has one: customers see who answers."""
    addresses = message.ticket.department.inbound_addresses or []
    if addresses:
        return str(addresses[0])
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "support@litso.localhost"


def build_email(message: Message, to: str) -> EmailMultiAlternatives:
    ticket = message.ticket
    language = ticket.language if ticket.language in FOOTERS else "en"
    address = desk_address(message)
    agent = message.author_agent
    profile = getattr(agent, "agent", None) if agent is not None else None
    from_name = profile.display_name if profile else parseaddr(settings.DEFAULT_FROM_EMAIL)[0]
    text = message.body_text.rstrip() + "\n\n-- \n" + FOOTERS[language].format(
        number=ticket.number
    ) + "\n"
    thread = list(
        ticket.messages.exclude(external_id="")
        .exclude(pk=message.pk)
        .filter(created_at__lte=message.created_at)
        .order_by("created_at", "pk")
        .values_list("external_id", "kind")
    )
    headers = {
        "Message-ID": message.external_id,
        "Reply-To": reply_address(address, ticket.number),
        "Content-Language": language,
    }
    if thread:
        inbound = [mid for mid, kind in thread if kind == "inbound"]
        headers["In-Reply-To"] = (inbound or [mid for mid, _ in thread])[-1]
        # The first and the last few: enough for every client to thread, short enough to send.
        refs = [mid for mid, _ in thread]
        headers["References"] = " ".join(refs[:1] + refs[-9:] if len(refs) > 10 else refs)
    if message.author_kind == AuthorKind.SYSTEM:
        # RFC 3834: an automatic mail; and ask Exchange not to answer it with an out-of-office.
        headers["Auto-Submitted"] = "auto-generated"
        headers["X-Auto-Response-Suppress"] = "All"
        headers["Precedence"] = "auto_reply"
    mail = EmailMultiAlternatives(
        subject=message.subject or f"[#{ticket.number}] {ticket.subject}",
        body=text,
        from_email=formataddr((from_name or "", address)),
        to=[to],
        headers=headers,
    )
    html = message.body_html or text_to_html(message.body_text)
    mail.attach_alternative(
        f"<html><body>{html}<hr><p>{FOOTERS[language].format(number=ticket.number)}</p>"
        "</body></html>",
        "text/html",
    )
    for attachment in message.attachments.select_related("blob"):
        mail.attach(attachment.filename, read_bytes(attachment.blob), attachment.content_type)
    return mail
