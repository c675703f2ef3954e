"""A worker killed (SIGKILL) in the middle of a batch loses nothing and repeats nothing.

Real processes on a real SQLite file: the mails are stored and queued, a worker starts, is
killed half-way, the scheduler re-queues its task, a new worker finishes. Every mail must be
stored once, open one ticket, and be acknowledged exactly once at a real SMTP server.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.mail.smtp_sink import SmtpSink

pytestmark = pytest.mark.slow
MAILS = 80


def litso(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "litso.cli", *args], env=env,
                          capture_output=True, text=True, check=True, timeout=300)


def count(db: Path, sql: str) -> int:
    with sqlite3.connect(db, timeout=30) as conn:
        return int(conn.execute(sql).fetchone()[0])


def wait_until(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


STORE = """
import sys
from pathlib import Path
from litso.departments.models import Department
from litso.mail.intake import receive_raw
Department.objects.create(name="Support", inbound_addresses=["support@shop.test"])
for path in sorted(Path(sys.argv[-1]).glob("*.eml")):
    receive_raw(path.read_bytes())
"""


def test_killed_worker_loses_and_repeats_nothing(tmp_path: Path) -> None:
    mails = tmp_path / "mails"
    mails.mkdir()
    for i in range(MAILS):
        message = EmailMessage()
        message["From"] = f"customer{i}@example.test"
        message["To"] = "support@shop.test"
        message["Subject"] = f"Order {i} did not arrive"
        message["Message-ID"] = f"<crash-{i}@example.test>"
        message.set_content(f"Hello, order {i} is late. C:\\Users\\new.log")
        (mails / f"{i:04}.eml").write_bytes(message.as_bytes())

    with SmtpSink() as sink:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(LITSO_DATA_DIR=str(tmp_path / "data"), LITSO_WORKER_DEAD_AFTER="1",
                   LITSO_EMAIL_URL=f"smtp://127.0.0.1:{sink.port}")
        db = tmp_path / "data" / "litso.sqlite3"
        litso(env, "migrate", "-v", "0")
        subprocess.run([sys.executable, "-m", "litso.cli", "manage", "shell", "--no-imports",
                        "-c", STORE.replace("sys.argv[-1]", repr(str(mails)))],
                       env=env, check=True, timeout=300)
        assert count(db, "SELECT count(*) FROM mail_inboundmail") == MAILS

        worker = subprocess.Popen([sys.executable, "-m", "litso.cli", "worker",
                                   "--no-startup-delay", "--interval", "0.1"], env=env)
        processed = "SELECT count(*) FROM mail_inboundmail WHERE state != 'received'"
        wait_until(lambda: count(db, processed) >= MAILS // 3, 120, "a third of the batch")
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        done_at_kill = count(db, processed)
        assert done_at_kill < MAILS, "the worker was killed in the middle of the batch"

        time.sleep(1.5)  # past LITSO_WORKER_DEAD_AFTER: the killed worker is dead
        litso(env, "scheduler", "--once")
        worker = subprocess.Popen([sys.executable, "-m", "litso.cli", "worker",
                                   "--no-startup-delay", "--interval", "0.1"], env=env)
        try:
            sent = ("SELECT count(*) FROM tickets_message WHERE author_kind = 'system' "
                    "AND delivery = 'sent'")
            wait_until(lambda: count(db, sent) >= MAILS, 180, "every acknowledgement sent")
            sink.wait_for(MAILS, timeout=30)
            time.sleep(0.5)  # anything sent twice would arrive now
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=30)

        assert count(db, processed) == MAILS
        assert count(db, "SELECT count(*) FROM mail_inboundmail") == MAILS
        assert count(db, "SELECT count(*) FROM tickets_ticket") == MAILS
        assert count(db, "SELECT count(*) FROM tickets_message WHERE kind = 'inbound'") == MAILS
        acknowledged = [m.message["To"] for m in sink.messages]
        assert len(acknowledged) == MAILS
        assert sorted(acknowledged) == sorted(f"customer{i}@example.test" for i in range(MAILS))
        message_ids = {m.message["Message-ID"] for m in sink.messages}
        assert len(message_ids) == MAILS
