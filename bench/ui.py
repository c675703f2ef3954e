"""Workspace latency: the inbox and the ticket page under 8 concurrent clients, and their queries.

    .venv/bin/python bench/ui.py --tickets 100000 [--database-url URL] [--data-dir DIR]
                                 [--duration 20] [--connections 8] [--web-workers 8]
                                 [--web-threads 1] [--warmup 15]

Fills the desk up to --tickets with bench/seed.py when it has fewer (and gives its tickets
SLA clocks and triage rows with bench/seed_clocks.py), signs in as an agent
(a seed agent of two of the four departments) and a supervisor, counts the queries of each page
in-process (CaptureQueriesContext, with the slowest statement and its plan), then starts the
production server (uvicorn on litso.asgi, as `litso run` does, no worker or scheduler so the
figures are the web's alone) and drives it with wrk: --connections concurrent connections,
the session cookie sent by a Lua script, ticket pages rotated over a sample of the agent's
tickets. Search is measured the same way when the workspace has a search page.

Prints a table of every configuration measured so far and writes bench/results/ui.json
(one entry per database and desk size; a new run replaces its own entry).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from _setup import RESULTS, setup_django, write_result  # noqa: E402

TARGET_P95_MS = 150.0
SEARCH_TARGET_P95_MS = 200.0
TICKET_SAMPLE = 200
WARM_REQUESTS = 15
SEARCH_TERMS = ("faktura", "доставка", "refund", "zamówienie", "посылка", "invoice", "kolor")
BENCH_AGENT = "seed-agent1"
BENCH_SUPERVISOR = "bench-supervisor"

WRK_SCRIPT = """
local paths = {%(paths)s}
local counter = 0
wrk.headers["Cookie"] = "sessionid=%(session)s"
wrk.headers["Accept-Language"] = "en"
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%%d,"duration_us":%%d,"socket_errors":%%d,"non_2xx":%%d,' ..
    '"p50_ms":%%.2f,"p90_ms":%%.2f,"p95_ms":%%.2f,"p99_ms":%%.2f,"mean_ms":%%.2f,' ..
    '"max_ms":%%.2f}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.mean / 1000, latency.max / 1000))
end
"""


# bench/seed.py, taught the messages' language column when it does not know it yet.
SEED = """
import sys
sys.path.insert(0, {bench!r})
import seed
if "language" not in seed.MESSAGE_COLUMNS:
    seed.MESSAGE_COLUMNS = (*seed.MESSAGE_COLUMNS, "language")
    plain_batch = seed.Generator.batch
    def batch(self, index, count):
        tickets, messages, events = plain_batch(self, index, count)
        language = {{row[0]: row[10] for row in tickets}}
        return tickets, [(*row, language[row[1]]) for row in messages], events
    seed.Generator.batch = batch
sys.argv = ["seed.py", "{count}"]
seed.main()
"""


def ensure_tickets(target: int, env: dict[str, str]) -> int:
    from litso.tickets.models import Ticket

    have = Ticket.objects.count()
    if have < target:
        print(f"seeding {target - have:,} tickets (the desk has {have:,})…", flush=True)
        code = SEED.format(bench=str(BENCH), count=target - have)
        subprocess.run([sys.executable, "-c", code], env=env, check=True)
        have = Ticket.objects.count()
    # Clocks for open tickets and triage rows, as the action layer would have made them.
    from seed_clocks import add_clocks_and_triage

    added = add_clocks_and_triage()
    if added["clocks"] or added["triage_rows"]:
        print(f"added {added['clocks']:,} SLA clocks, {added['triage_rows']:,} triage rows")
    # What the scheduler does on a running desk: the search vocabulary takes in the seeded
    # messages (SQLite; search/vocabulary.py).
    from litso.search.vocabulary import absorb_all

    if absorbed := absorb_all():
        print(f"search vocabulary: took in {absorbed:,} messages")
    return have


def people() -> tuple[Any, Any]:
    """The seed agent the figures are measured as, and a supervisor for the dashboard."""
    from django.contrib.auth.models import User

    from litso.departments.models import Department
    from litso.staff.models import AgentProfile, Role

    agent = User.objects.get(username=BENCH_AGENT)
    supervisor, made = User.objects.get_or_create(username=BENCH_SUPERVISOR)
    if made:
        profile = AgentProfile.objects.create(
            user=supervisor, role=Role.SUPERVISOR, display_name="Bench supervisor"
        )
        profile.departments.set(Department.objects.filter(agents__user=agent))
    return agent, supervisor


def session_cookie(user: Any) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return str(client.cookies["sessionid"].value)


def ticket_paths(user: Any, rng: random.Random) -> list[str]:
    """A sample of tickets the agent may open, old and new alike."""
    from django.db.models import Max, Min

    from litso.tickets.access import tickets_visible_to
    from litso.tickets.models import Ticket

    bounds = Ticket.objects.aggregate(low=Min("number"), high=Max("number"))
    numbers: list[int] = []
    while len(numbers) < TICKET_SAMPLE:
        candidates = [rng.randint(bounds["low"], bounds["high"]) for _ in range(TICKET_SAMPLE)]
        numbers += (
            tickets_visible_to(user).filter(number__in=candidates).values_list("number", flat=True)
        )
    return [f"/t/{number}/" for number in numbers[:TICKET_SAMPLE]]


def search_paths() -> list[str]:
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse("workspace:search")
    except NoReverseMatch:
        return []
    return [f"{url}?q={urllib.request.quote(term)}" for term in SEARCH_TERMS]


def queries_of(user: Any, path: str, explain: bool) -> dict[str, Any]:
    """Queries one request makes, the slowest of them, and its plan."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    client.get(path)  # warm: caches, the session, the first-request costs
    cache.clear()  # the sidebar counts are cached; count a cold page
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(path)
        seconds = time.perf_counter() - started
    # A list now: the log behind captured_queries starts again with the next request.
    queries = list(captured.captured_queries)
    if response.status_code != 200:
        raise SystemExit(f"{path}: HTTP {response.status_code}")
    warm = []
    for _ in range(WARM_REQUESTS):
        started = time.perf_counter()
        client.get(path)
        warm.append(time.perf_counter() - started)
    timed = sorted(queries, key=lambda q: float(q["time"]), reverse=True)
    slowest = timed[0] if timed else {"sql": "", "time": "0"}
    figures: dict[str, Any] = {
        "queries": len(queries),
        "cold_ms": round(seconds * 1000, 1),
        # What the page costs a server with nothing else to do (sidebar counts cached).
        "warm_median_ms": round(statistics.median(warm) * 1000, 1),
        "slowest_query_ms": round(float(slowest["time"]) * 1000, 1),
        "slowest_query": slowest["sql"][:600],
    }
    if explain and slowest["sql"]:
        figures["slowest_plan"] = plan(slowest["sql"])
    return figures


def plan(sql: str) -> list[str]:
    from django.db import connection

    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)
        rows = cursor.fetchall()
    if connection.vendor == "sqlite":
        return [f"{row[0]}/{row[1]} {row[-1]}" for row in rows]
    return [row[0] for row in rows]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    app = os.environ.get("BENCH_APP", "litso.asgi:application")  # another app, to compare
    argv = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1",
            "--port", str(port), "--workers", str(workers), "--no-access-log",
            "--lifespan", "off"]  # fmt: skip
    server = subprocess.Popen(argv, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("the server did not start") from None
            time.sleep(0.3)
    stop_server(server)
    raise SystemExit("the server did not answer within a minute")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def wrk(
    port: int, session: str, paths: list[str], seconds: int, connections: int, warmup: int = 3
) -> dict[str, Any]:
    script = WRK_SCRIPT % {
        "paths": ", ".join(json.dumps(path) for path in paths),
        "session": session,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        # Warm every process and page first: the figures are of a running desk.
        subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{warmup}s", "-s", handle.name,
                        f"http://127.0.0.1:{port}"], capture_output=True, check=True)  # fmt: skip
        out = subprocess.run(
            ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s",
             "--timeout", "10s", "-s", handle.name, f"http://127.0.0.1:{port}"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    finally:
        os.unlink(handle.name)
    line = next(line for line in out.splitlines() if line.startswith("WRKJSON "))
    figures: dict[str, Any] = json.loads(line.removeprefix("WRKJSON "))
    figures["requests_per_second"] = round(figures["requests"] / (figures["duration_us"] / 1e6), 1)
    if figures["non_2xx"] or figures["socket_errors"]:
        print(f"  warning: {figures['non_2xx']} non-2xx, {figures['socket_errors']} socket errors")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tickets", type=int, required=True, help="desk size to measure at")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--data-dir", default="", help="LITSO_DATA_DIR (the SQLite file)")
    parser.add_argument("--duration", type=int, default=20, help="seconds per page")
    parser.add_argument("--connections", type=int, default=8)
    # Processes, not threads: pages are Python-bound (README, "Scaling out").
    parser.add_argument("--web-workers", type=int, default=8, help="uvicorn processes")
    parser.add_argument(
        "--web-threads",
        type=int,
        default=1,
        help="threads per web process serving pages (LITSO_WEB_THREADS)",
    )
    # A desk just started is slower for a while: with 3 s of warming, three 12 s rounds of the
    # inbox in a row gave p95 168, 153 and 140 ms at a million tickets (SQLite).
    parser.add_argument(
        "--warmup", type=int, default=15, help="seconds of load on each page before it is measured"
    )
    parser.add_argument("--no-explain", action="store_true")
    parser.add_argument("--seed-only", action="store_true", help="fill the desk, measure nothing")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")

    env = dict(os.environ)
    env.update(LITSO_LOG_LEVEL="WARNING", LITSO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver")

    if args.data_dir:
        env["LITSO_DATA_DIR"] = str(Path(args.data_dir).resolve())
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    os.environ.update(env)
    vendor = setup_django(args.database_url or None)
    tickets = ensure_tickets(args.tickets, env)
    if args.seed_only:
        return

    from litso.tickets.models import Message

    messages = Message.objects.count()
    agent, supervisor = people()
    rng = random.Random(11)
    pages: dict[str, list[str]] = {
        "inbox": ["/"],
        "inbox_all": ["/inbox/all/"],
        "ticket": ticket_paths(agent, rng),
    }
    searches = search_paths()
    if searches:
        pages["search"] = searches
    print(f"{vendor}: {tickets:,} tickets, {messages:,} messages; measuring as {agent}")

    in_process: dict[str, Any] = {}
    for name, paths in pages.items():
        in_process[name] = queries_of(agent, paths[0], explain=not args.no_explain)
    in_process["dashboard"] = queries_of(supervisor, "/dashboard/", explain=not args.no_explain)
    for name, figures in in_process.items():
        print(f"  {name:<10} {figures['queries']:>3} queries, cold {figures['cold_ms']:7.1f} ms,"
              f" warm {figures['warm_median_ms']:7.1f} ms,"
              f" slowest query {figures['slowest_query_ms']:7.1f} ms")  # fmt: skip

    session = session_cookie(agent)
    port = free_port()
    # The desk's own settings: pages on a fixed pool of threads (litso.core.web), SQLite
    # connections kept by those threads, PostgreSQL connections from each process's pool.
    server_env = dict(env)
    if args.web_threads:
        server_env["LITSO_WEB_THREADS"] = str(args.web_threads)
    server = start_server(server_env, port, args.web_workers)
    latency: dict[str, Any] = {}
    single: dict[str, Any] = {}
    try:
        for name, paths in pages.items():
            # One client alone first: the time a page costs, without waiting behind others.
            single[name] = wrk(port, session, paths, max(5, args.duration // 4), 1)
            load_before = os.getloadavg()[0]
            latency[name] = wrk(
                port, session, paths, args.duration, args.connections, warmup=args.warmup
            )
            figures = latency[name]
            figures["load_average"] = round((load_before + os.getloadavg()[0]) / 2, 2)
            print(
                f"  {name:<10} p50 {figures['p50_ms']:7.1f} ms  p95 {figures['p95_ms']:7.1f} ms"
                f"  {figures['requests_per_second']:7.1f} req/s   alone: p50"
                f" {single[name]['p50_ms']:6.1f} ms; load average {figures['load_average']}"
            )
    finally:
        stop_server(server)

    key = f"{vendor}-{tickets}"
    previous = RESULTS / "ui.json"
    runs: dict[str, Any] = {}
    if previous.exists():
        runs = json.loads(previous.read_text(encoding="utf-8")).get("runs", {})
    runs[key] = {
        "database": vendor,
        "tickets": tickets,
        "messages": messages,
        "connections": args.connections,
        "web_workers": args.web_workers,
        "seconds_per_page": args.duration,
        "warmup_seconds_per_page": args.warmup,
        "measured_as": "agent of 2 of 4 departments (seed-agent1)",
        "web_threads": int(server_env.get("LITSO_WEB_THREADS", "0")) or "default (8)",
        "server_conn_max_age": server_env.get("LITSO_DB_CONN_MAX_AGE", "default"),
        "latency": latency,
        "one_client": single,
        "in_process": in_process,
        # Other work on the machine during the run (2 cores): figures under load are worse.
        "load_average_during": max(f["load_average"] for f in latency.values()),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    targets = {"target_p95_ms": TARGET_P95_MS, "search_target_p95_ms": SEARCH_TARGET_P95_MS}
    path = write_result("ui", {**targets, "runs": runs})
    print_table(runs)
    print(f"wrote {path}")


def print_table(runs: dict[str, Any]) -> None:
    print()
    print(f"{'database':<11}{'tickets':>10}  {'page':<10}{'p50 ms':>9}{'p95 ms':>9}{'req/s':>8}"
          f"{'alone ms':>9}{'queries':>9}{'load':>6}  target")  # fmt: skip
    for run in sorted(runs.values(), key=lambda r: (r["database"], r["tickets"])):
        for name, figures in run["latency"].items():
            target = SEARCH_TARGET_P95_MS if name == "search" else TARGET_P95_MS
            verdict = "met" if figures["p95_ms"] < target else "MISSED"
            queries = run["in_process"].get(name, {}).get("queries", "")
            alone = run.get("one_client", {}).get(name, {}).get("p50_ms", float("nan"))
            print(f"{run['database']:<11}{run['tickets']:>10,}  {name:<10}"
                  f"{figures['p50_ms']:>9.1f}{figures['p95_ms']:>9.1f}"
                  f"{figures['requests_per_second']:>8.1f}{alone:>9.1f}{queries:>9}"
                  f"{figures.get('load_average', 0):>6.1f}  {verdict}")  # fmt: skip


if __name__ == "__main__":
    main()
