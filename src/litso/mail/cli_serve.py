"""`litso mail serve`: receive mail from an MTA over SMTP (or LMTP with --lmtp).

Point the MTA's transport for the desk's domain at it, e.g. Postfix
``transport_maps``: ``shop.test  lmtp:inet:127.0.0.1:2525``. Runs until SIGTERM or SIGINT,
then stops listening and lets mail being stored finish before it exits.
"""

from __future__ import annotations

import argparse
import logging
import re
import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from litso.mail.smtp_server import DEFAULT_HOST, DEFAULT_MAX_SIZE, DEFAULT_PORT, make_controller

_SIZE = re.compile(r"^\s*(\d+)\s*([kmg]?)i?b?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def parse_size(text: str) -> int:
    """``52428800``, ``50M``, ``50MB``, ``512k`` → bytes (0: no limit)."""
    found = _SIZE.match(text)
    if not found:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size (like 52428800 or 50M)")
    return int(found.group(1)) * _UNITS[found.group(2).lower()]


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve", help="receive mail from an MTA over SMTP or LMTP; unknown recipients refused"
    )
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help=f"address to listen on (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port to listen on (default {DEFAULT_PORT})")
    parser.add_argument("--lmtp", action="store_true",
                        help="speak LMTP (one answer per recipient) instead of SMTP")
    parser.add_argument("--max-size", type=parse_size, default=DEFAULT_MAX_SIZE,
                        help="largest mail accepted, in bytes or with K/M/G (default 50M)")


def run(command: BaseCommand, **options: Any) -> None:
    if options.get("verbosity", 1) < 2:
        # aiosmtpd logs every connection and command at INFO; -v 2 shows them.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    controller = make_controller(
        host=options["host"],
        port=options["port"],
        lmtp=options["lmtp"],
        max_size=options["max_size"],
    )
    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        try:
            controller.start()
        except OSError as exc:  # the port is taken, the address is not ours
            raise CommandError(
                f"cannot listen on {options['host']}:{options['port']}: {exc}"
            ) from exc
        try:
            limit = f"up to {options['max_size']} bytes" if options["max_size"] else "any size"
            command.stdout.write(
                f"litso mail serve: {'LMTP' if options['lmtp'] else 'SMTP'} on "
                f"{options['host']}:{controller.port}, mail {limit}"
            )
            command.stdout.flush()
            while not stop.wait(3600):
                pass
            command.stdout.write("litso mail serve: stopping")
        finally:
            controller.stop()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
