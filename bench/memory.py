"""Resident memory of the whole `litso run` process group when idle.

    .venv/bin/python bench/memory.py [--with-demo] [--idle-seconds 10]

Starts `litso run` on a fresh SQLite data directory, waits until it answers and has been idle,
sums VmRSS over the supervisor and all its descendants, then stops it. Target: < 300 MiB.
Writes bench/results/memory.json.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import write_result


def descendants(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-e", "-o", "pid=,ppid="], capture_output=True, text=True).stdout
    children: dict[int, list[int]] = {}
    for line in out.splitlines():
        child, parent = map(int, line.split())
        children.setdefault(parent, []).append(child)
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children.get(current, []))
    return found


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--with-demo", action="store_true")
    parser.add_argument("--idle-seconds", type=float, default=10)
    args = parser.parse_args()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    data_dir = tempfile.mkdtemp(prefix="litso-mem-")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["LITSO_DATA_DIR"] = data_dir
    command = [sys.executable, "-m", "litso.cli", "run", "--port", str(port)]
    if not args.with_demo:
        command.append("--no-demo")
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).close()
                break
            except OSError:
                time.sleep(0.5)
        # One page view, so the web process has loaded what a user would make it load.
        urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/", timeout=10).close()
        time.sleep(args.idle_seconds)
        pids = descendants(process.pid)
        per_process = {
            f"{p} " + b" ".join(Path(f"/proc/{p}/cmdline").read_bytes().split(b"\0")[2:5])
            .decode(): rss_kib(p)
            for p in pids
        }
        total_mib = sum(per_process.values()) / 1024
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    for name, kib in per_process.items():
        print(f"  {kib / 1024:7.1f} MiB  {name}")
    print(f"idle RSS of the `litso run` group ({len(pids)} processes): {total_mib:.1f} MiB "
          f"(target < 300 MiB)")
    path = write_result("memory", {
        "processes": len(pids), "idle_rss_mib": total_mib, "with_demo": args.with_demo,
        "per_process_mib": {k: v / 1024 for k, v in per_process.items()},
    })
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
