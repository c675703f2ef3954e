"""A real SMTP server for outbound-mail tests: mail goes over a socket, as in production.

``SmtpSink`` listens on 127.0.0.1 (a free port) and keeps every message it receives: the
envelope, the raw bytes and the parsed ``EmailMessage``. The ``smtp_sink`` fixture starts one
and points Django's SMTP backend at it; use it from another test module or conftest with

    from tests.mail.smtp_sink import smtp_sink  # noqa: F401
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from types import TracebackType
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass(frozen=True)
class SunkMail:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    message: EmailMessage


class _FreePortController(Controller):
    def _trigger_server(self) -> None:
        # Bound to port 0: learn the port the system chose before aiosmtpd connects to it.
        if self.port == 0 and isinstance(self.server, asyncio.Server):
            self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpSink:
    """Accepts any mail for anyone and keeps it; ``with SmtpSink() as sink: …``."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self._messages: list[SunkMail] = []
        self._arrived = threading.Condition()
        self._controller = _FreePortController(
            self,
            hostname=host,
            port=0,
            decode_data=False,
            enable_SMTPUTF8=True,
            server_hostname="sink.localhost",
        )

    @property
    def port(self) -> int:
        port: int = self._controller.port
        return port

    @property
    def messages(self) -> list[SunkMail]:
        with self._arrived:
            return list(self._messages)

    def start(self) -> SmtpSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def clear(self) -> None:
        with self._arrived:
            self._messages.clear()

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> list[SunkMail]:
        """All messages once at least ``count`` arrived; fails the test after ``timeout``."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self._messages) >= count, timeout):
                subjects = [m.message["Subject"] for m in self._messages]
                raise AssertionError(
                    f"expected {count} mail(s) within {timeout} s, got {len(subjects)}: "
                    f"{subjects}"
                )
            return list(self._messages)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = bytes(envelope.original_content or b"")
        message = message_from_bytes(raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        mail = SunkMail(
            mail_from=envelope.mail_from or "",
            rcpt_tos=list(envelope.rcpt_tos),
            raw=raw,
            message=message,
        )
        with self._arrived:
            self._messages.append(mail)
            self._arrived.notify_all()
        return "250 2.0.0 OK"


@pytest.fixture
def smtp_sink(settings: Any) -> Iterator[SmtpSink]:
    """A running SmtpSink that Django's mail functions send to."""
    with SmtpSink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = sink.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 10
        yield sink
