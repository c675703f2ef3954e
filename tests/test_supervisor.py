"""`litso run` as a user starts it: a real process group on a real port, on a fresh SQLite desk."""

from __future__ import annotations

import email
import email.policy
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def children_of(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(line) for line in out.stdout.split()]


def wait_for(predicate, timeout: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
            return bool(json.load(response)["ok"])
    except OSError:
        return False


@pytest.fixture
def desk_process(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], int, dict[str, str]]]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(LITSO_DATA_DIR=str(tmp_path / "data"), LITSO_WORKER_DEAD_AFTER="5")
    process = subprocess.Popen(
        [sys.executable, "-m", "litso.cli", "run", "--no-demo", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        wait_for(lambda: healthy(port), 60, "the web server")
        yield process, port, env
    finally:
        # Children first: once the supervisor is gone they belong to init and are lost to us.
        kids = children_of(process.pid)
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        for child in kids:
            if Path(f"/proc/{child}").exists():
                os.kill(child, signal.SIGKILL)
        process.wait()


def litso_shell(env: dict[str, str], code: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "litso.cli", "manage", "shell", "--no-imports", "-c", code],
        env=env, capture_output=True, text=True, check=True,
    ).stdout


OPEN_AND_REPLY = """
from django.contrib.auth.models import User
from litso.audit.record import Actor
from litso.customers.contacts import get_or_create_customer
from litso.departments.models import Department
from litso.tickets.actions import do_open_ticket, do_reply
dept = Department.objects.create(name="Sales")
customer, _ = get_or_create_customer("email", "ola@example.test")
ticket, _ = do_open_ticket(customer=customer, subject="Zamówienie", body_text="Gdzie jest?",
                           channel="email", department=dept, actor=Actor.customer())
do_reply(ticket, Actor.system(), body_text="Już sprawdzamy, C:\\\\Users\\\\new.log")
print(ticket.number)
"""


def test_run_serves_works_and_stops_cleanly(desk_process) -> None:
    process, _, env = desk_process
    kids = children_of(process.pid)
    assert len(kids) == 3, "web, worker and scheduler"

    # The worker of the running desk delivers a reply made elsewhere.
    number = litso_shell(env, OPEN_AND_REPLY).strip()
    sent_dir = Path(env["LITSO_DATA_DIR"]) / "sent-mail"
    sent = wait_for(lambda: list(sent_dir.glob("*.log")), 30, "the reply mail")
    raw = sent[0].read_bytes().split(b"\n" + b"-" * 79)[0]
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    assert mail["Subject"] == f"[#{number}] Zamówienie"
    assert mail["To"] == "ola@example.test"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert text.startswith("Już sprawdzamy, C:\\Users\\new.log\n")

    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0
    assert "Litso is running at http://127.0.0.1:" in output
    assert "litso: stopped." in output
    assert all(not Path(f"/proc/{pid}").exists() for pid in kids)


def test_a_killed_worker_is_restarted(desk_process) -> None:
    process, _, _ = desk_process
    before = set(children_of(process.pid))
    worker = next(
        pid for pid in before
        if "worker" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    )
    os.kill(worker, signal.SIGKILL)
    after = wait_for(
        lambda: (kids := set(children_of(process.pid))) - before and len(kids) == 3 and kids,
        30, "a new worker",
    )
    assert worker not in after
