"""Fixtures for the mail tests."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.mail.dovecot import Dovecot, installed


@pytest.fixture(scope="session")
def dovecot_server() -> Iterator[Dovecot]:
    """One real Dovecot for the whole session (it starts in a fraction of a second)."""
    if not installed():
        message = "dovecot is not installed (apt-get install dovecot-imapd)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; .ci/services.sh should have installed it")
        pytest.skip(message)
    server = Dovecot()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def dovecot(dovecot_server: Dovecot) -> Dovecot:
    """The session's Dovecot with the test user's mailbox emptied."""
    dovecot_server.reset()
    return dovecot_server
