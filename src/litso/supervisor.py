"""`litso run`: prepare the database, then run web, worker and scheduler as one process group.

A child that dies is restarted (with a growing pause, so a crash loop does not spin); Ctrl-C
or SIGTERM stops all of them: SIGTERM first, SIGKILL for any still alive after a grace period.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

GRACE_SECONDS = 10.0
DEFAULT_DEMO_PASSWORD = "litso-demo"  # noqa: S105  (the demo desk only; printed at start)


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None
    restarts: list[float] = field(default_factory=list)

    def start(self) -> None:
        # start_new_session=False: children share our process group, so a terminal Ctrl-C
        # reaches them too; we still send SIGTERM ourselves to be sure.
        self.process = subprocess.Popen(self.argv)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="litso run", description="Start the whole desk.")
    parser.add_argument("--host", default=os.environ.get("LITSO_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("LITSO_PORT", "8000")))
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("LITSO_WORKERS", "1")),
        help="task worker processes",
    )
    parser.add_argument(
        "--web-workers", type=int, default=int(os.environ.get("LITSO_WEB_WORKERS", "1"))
    )
    parser.add_argument("--smtp-port", type=int,
                        default=int(os.environ.get("LITSO_SMTP_PORT", "0") or 0),
                        help="also receive mail over SMTP on this port (0: do not)")
    parser.add_argument("--no-demo", action="store_true", help="do not load demo data")
    parser.add_argument("--no-migrate", action="store_true")
    return parser.parse_args(argv)


def _litso(*args: str) -> list[str]:
    return [sys.executable, "-m", "litso.cli", *args]


def run(argv: list[str]) -> int:
    options = _parse(argv)
    env_password = os.environ.get("LITSO_DEMO_PASSWORD", "")
    if not env_password:
        os.environ["LITSO_DEMO_PASSWORD"] = DEFAULT_DEMO_PASSWORD
    if not options.no_migrate:
        print("litso: applying migrations…", flush=True)
        if subprocess.call(_litso("migrate", "--noinput", "-v", "0")) != 0:
            print("litso: migrations failed; see above", file=sys.stderr)
            return 1
    if not options.no_demo and subprocess.call(_litso("demo", "--if-empty")) != 0:
        print("litso: loading the demo data failed; see above", file=sys.stderr)
        return 1

    web = [
        sys.executable,
        "-m",
        "uvicorn",
        "litso.asgi:application",
        "--host",
        options.host,
        "--port",
        str(options.port),
        "--workers",
        str(options.web_workers),
        "--no-access-log",
        "--lifespan",
        "off",
    ]
    children = [Child("web", web)]
    children += [
        Child(f"worker-{i + 1}", _litso("worker", "--no-startup-delay"))
        for i in range(options.workers)
    ]
    children.append(Child("scheduler", _litso("scheduler")))
    if options.smtp_port:
        children.append(Child("smtp", _litso("mail", "serve", "--host", options.host,
                                             "--port", str(options.smtp_port))))

    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for child in children:
        child.start()

    url = f"http://{options.host}:{options.port}/"
    print(f"\nLitso is running at {url}", flush=True)
    if options.smtp_port:
        print(f"Receiving mail over SMTP on {options.host}:{options.smtp_port}", flush=True)
    if not options.no_demo:
        shown = env_password or f"{DEFAULT_DEMO_PASSWORD}  (set LITSO_DEMO_PASSWORD to change)"
        print("Demo sign-ins: admin, supervisor, agent1 … agent6", flush=True)
        print(f"Demo password: {shown}", flush=True)
    print("Press Ctrl-C to stop.\n", flush=True)

    while not stopping:
        time.sleep(0.5)
        for child in children:
            if stopping or child.alive():
                continue
            code = child.process.returncode if child.process else None
            now = time.monotonic()
            child.restarts = [t for t in child.restarts if now - t < 60] + [now]
            if len(child.restarts) > 5:
                print(
                    f"litso: {child.name} keeps failing (exit {code}); stopping the desk",
                    file=sys.stderr,
                    flush=True,
                )
                stopping = True
                break
            print(
                f"litso: {child.name} exited with {code}; restarting", file=sys.stderr, flush=True
            )
            time.sleep(min(2 ** (len(child.restarts) - 1), 10))
            child.start()
    return _shutdown(children)


def _shutdown(children: list[Child]) -> int:
    print("\nlitso: stopping…", flush=True)
    for child in children:
        if child.alive() and child.process:
            child.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + GRACE_SECONDS
    for child in children:
        if child.process is None:
            continue
        try:
            child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"litso: {child.name} did not stop in time; killing it", file=sys.stderr)
            child.process.kill()
            child.process.wait()
    print("litso: stopped.", flush=True)
    return 0
