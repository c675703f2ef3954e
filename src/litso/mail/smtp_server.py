"""Mail delivered straight from an MTA over SMTP or LMTP (``litso mail serve``).

Unknown recipients are refused at RCPT time (550), so the MTA bounces them and the desk
never stores mail nobody receives. Accepted mail is stored with ``receive_raw`` (bytes, row
and processing task in one transaction) and answered 250 only after that returned; any
failure answers 451, so the MTA keeps the mail and tries again: nothing is lost, and a
retried delivery of the same bytes is recognised as a duplicate and answered 250 again.

The Django ORM is synchronous: lookups and storage run through ``sync_to_async`` in
asgiref's one thread-sensitive thread, which also keeps a single database connection for
the server (managed like a request's: ``close_old_connections`` around each unit of work).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
from collections.abc import Iterator
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session
from asgiref.sync import sync_to_async
from django.db import close_old_connections, connections

from litso.departments.models import Department
from litso.mail.addresses import known_recipient
from litso.mail.intake import Received, receive_raw
from litso.mail.models import InboundSource

logger = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 2525
DEFAULT_MAX_SIZE = 50 * 1024 * 1024
TEMPORARY_FAILURE = "451 4.3.0 temporary failure, try again"
# RFC 5321 allows 1000 octets a line, but a customer's mail is not bounced for a longer one
# (aiosmtpd would answer a permanent 500); the whole mail stays bounded by data_size_limit.
LINE_LENGTH_LIMIT = 1024 * 1024


class _SMTP(SMTP):
    line_length_limit = LINE_LENGTH_LIMIT


class _LMTP(LMTP):
    line_length_limit = LINE_LENGTH_LIMIT


def _lookup(address: str) -> Department | None:
    close_old_connections()
    try:
        return known_recipient(address)
    finally:
        close_old_connections()


def _store(raw: bytes, recipients: list[str]) -> Received:
    close_old_connections()
    try:
        return receive_raw(raw, source=InboundSource.SMTP, envelope_recipients=recipients)
    finally:
        close_old_connections()


class IntakeHandler:
    """aiosmtpd handler: refuse unknown recipients, store accepted mail durably."""

    def __init__(self) -> None:
        self._busy = 0
        self._idle = threading.Condition()

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        try:
            department = await sync_to_async(_lookup, thread_sensitive=True)(address)
        except Exception:
            logger.exception("looking up recipient %r failed", address)
            return TEMPORARY_FAILURE
        if department is None:
            logger.info("refused mail from %r to unknown %r", envelope.mail_from, address)
            return f"550 5.1.1 <{address}>: no such mailbox here"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content
        recipients = list(envelope.rcpt_tos)
        assert raw is not None  # aiosmtpd sets it before calling handle_DATA
        with self._working():
            try:
                received = await sync_to_async(_store, thread_sensitive=True)(raw, recipients)
            except Exception:
                # Database down, disk full, a bug: the MTA keeps the mail and retries.
                logger.exception("storing mail from %r failed", envelope.mail_from)
                status = TEMPORARY_FAILURE
            else:
                status = f"250 2.0.0 OK queued as {received.inbound.pk}"
                logger.info(
                    "%s mail %s from %r to %s",
                    "duplicate" if received.duplicate else "stored",
                    received.inbound.pk,
                    envelope.mail_from,
                    recipients,
                )
        if isinstance(server, LMTP):
            # LMTP answers once per accepted recipient (RFC 2033 4.2); one stored mail serves
            # them all, so every answer is the same.
            return "\r\n".join([status] * len(recipients))
        return status

    @contextlib.contextmanager
    def _working(self) -> Iterator[None]:
        with self._idle:
            self._busy += 1
        try:
            yield
        finally:
            with self._idle:
                self._busy -= 1
                self._idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no mail is being stored; False if that took longer than ``timeout``."""
        with self._idle:
            return self._idle.wait_for(lambda: self._busy == 0, timeout)


class MailController(Controller):
    """aiosmtpd's threaded controller, speaking SMTP or LMTP; port 0 picks a free port."""

    def __init__(
        self,
        handler: Any,
        *,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        lmtp: bool = False,
        **smtp_kwargs: Any,
    ) -> None:
        self.lmtp = lmtp
        super().__init__(handler, hostname=host, port=port, **smtp_kwargs)

    def factory(self) -> SMTP:
        protocol = _LMTP if self.lmtp else _SMTP
        return protocol(self.handler, **self.SMTP_kwargs)

    def _run(self, ready_event: threading.Event) -> None:
        try:
            super()._run(ready_event)
        finally:
            # aiosmtpd leaves the event unset when it cannot listen, and start() then waits
            # its whole ready_timeout before saying why; this way it says so at once.
            ready_event.set()

    def _trigger_server(self) -> None:
        if self._thread_exception is not None:
            raise self._thread_exception
        # With port 0 the system chose one: learn it before aiosmtpd connects to itself.
        if self.port == 0 and isinstance(self.server, asyncio.Server):
            self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()

    def stop(self, no_assert: bool = False, drain_seconds: float = 30.0) -> None:
        """Stop listening, let mail being stored finish, close the database connection."""
        server, loop = self.server, self.loop
        if server is not None and loop.is_running():
            loop.call_soon_threadsafe(server.close)
            wait_idle = getattr(self.handler, "wait_idle", None)
            if wait_idle is not None and not wait_idle(drain_seconds):
                logger.warning("stopping while mail is still being stored; it will be retried")
            close = sync_to_async(connections.close_all, thread_sensitive=True)
            try:
                asyncio.run_coroutine_threadsafe(close(), loop).result(timeout=10)
            except Exception:
                logger.exception("closing the database connection failed")
        super().stop(no_assert=no_assert)


def make_controller(
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    lmtp: bool = False,
    max_size: int = DEFAULT_MAX_SIZE,
    server_hostname: str | None = None,
) -> MailController:
    """The intake server, not started yet (``.start()``, ``.stop()``)."""
    return MailController(
        IntakeHandler(),
        host=host,
        port=port,
        lmtp=lmtp,
        data_size_limit=max_size or None,
        enable_SMTPUTF8=True,
        decode_data=False,
        # Named once here: aiosmtpd would otherwise look the name up for every connection.
        server_hostname=server_hostname or socket.getfqdn(),
        ident="Litso",
    )
