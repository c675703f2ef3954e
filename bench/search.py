"""Search latency on a desk of a million messages (litso.search.engine.search), both databases.

    .venv/bin/python bench/search.py [--database-url URL] [--messages 1000000]
        [--queries 50] [--rebuild] [--seed 3]

1. The desk: reused if it already has --messages messages, else topped up with bench/seed.py
   (3-5 messages per ticket in ru/pl/en, spread over a year) with the search index dropped,
   so the rows go in at seed.py's speed.
2. The index: built by the search app's migration on the full desk (timed, with the database
   size before and after) when the desk was just seeded or with --rebuild; otherwise reused.
3. Queries, --queries of each kind, taken from the desk's own texts: a common word, a rare
   word, two words of one message, a quoted phrase of 2-3 words, a ticket number, a customer's
   e-mail address. Each runs through search() as an administrator (every ticket) and as an
   agent of one department (about a quarter of them): the whole call, parsing, permission
   scope, ranking, loading the first page of 50 with snippets. A few unmeasured searches warm
   the caches first. Latency p50/p95/p99 per kind and overall.

Uses DATABASE_URL (or the default SQLite in LITSO_DATA_DIR) unless --database-url is given.
Prints a table and writes bench/results/search-<vendor>.json.
"""

from __future__ import annotations

import argparse
import bisect
import json
import math
import os
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import RESULTS, percentiles, setup_django, write_result

KINDS = ("common word", "rare word", "two words", "phrase", "number", "email")
WORD = re.compile(r"[^\W\d_]{4,}")
# Rare words may be numbers too (an order number, an amount).
TOKEN = re.compile(r"[^\W_]{4,}")


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def message_count() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM tickets_message")
        return int(cursor.fetchone()[0])


def database_bytes() -> int:
    """Bytes in use (SQLite keeps freed pages in the file: they are not counted)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
            return int(cursor.fetchone()[0])
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.execute(
            "SELECT (page_count - freelist_count) * page_size "
            "FROM pragma_page_count, pragma_freelist_count, pragma_page_size"
        )
        return int(cursor.fetchone()[0])


def migrate_all_but_search() -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    targets = [key for key in executor.loader.graph.leaf_nodes() if key[0] != "search"]
    executor.migrate(targets)


def seed_messages(target: int, database_url: str | None, rng_seed: int) -> dict[str, Any]:
    """Top the desk up to ``target`` messages with bench/seed.py, in this process."""
    import seed

    _seed_compatible(seed)
    # This process is set up and migrated already; seed.py would migrate the search app back.
    seed.setup_django = lambda *args, **kwargs: _vendor()
    start, rounds = time.perf_counter(), 0
    while (have := message_count()) < target:
        # 4 messages per ticket on average; a little extra so one more round is rare.
        tickets = math.ceil((target - have) / 3.9) + 10
        argv = ["seed.py", str(tickets), "--seed", str(rng_seed + rounds)]
        if database_url:
            argv += ["--database-url", database_url]
        saved, sys.argv = sys.argv, argv
        try:
            seed.main()
        finally:
            sys.argv = saved
        rounds += 1
    return {"seconds": time.perf_counter() - start, "messages": message_count()}


def _seed_compatible(seed: Any) -> None:
    """seed.py lists the columns it writes; columns added to the models since (with a
    default) get that default, so a newer schema does not stop the benchmark."""
    from litso.audit.models import Event
    from litso.tickets.models import Message, Ticket

    extra: dict[str, tuple[Any, ...]] = {}
    for name, model in (("TICKET", Ticket), ("MESSAGE", Message), ("EVENT", Event)):
        columns = getattr(seed, f"{name}_COLUMNS")
        fields = [f for f in model._meta.concrete_fields if f.column not in columns]
        fields = [f for f in fields if f.column != "id"]
        setattr(seed, f"{name}_COLUMNS", tuple(columns) + tuple(f.column for f in fields))
        extra[name] = tuple(f.get_default() for f in fields)
    if not any(extra.values()):
        return
    batch = seed.Generator.batch

    def padded(self: Any, index: int, count: int) -> tuple[list[tuple[Any, ...]], ...]:
        tickets, messages, events = batch(self, index, count)
        return (
            [row + extra["TICKET"] for row in tickets],
            [row + extra["MESSAGE"] for row in messages],
            [row + extra["EVENT"] for row in events],
        )

    seed.Generator.batch = padded


def _vendor() -> str:
    from django.db import connection

    return connection.vendor


def build_index() -> dict[str, Any]:
    from django.core.management import call_command

    before = database_bytes()
    start = time.perf_counter()
    call_command("migrate", "search", verbosity=0)
    seconds = time.perf_counter() - start
    after = database_bytes()
    return {
        "seconds": seconds,
        "database_bytes_before": before,
        "database_bytes_after": after,
        "growth_bytes": after - before,
        "growth_percent": 100.0 * (after - before) / before,
    }


def users() -> dict[str, Any]:
    """An administrator, and an agent of the department with about a quarter of the desk."""
    from django.contrib.auth.models import User

    from litso.departments.models import Department
    from litso.staff.models import AgentProfile, Role

    made = {}
    department = Department.objects.get(name="Billing")
    for name, role in (("bench-search-admin", Role.ADMIN), ("bench-search-agent", Role.AGENT)):
        user, _ = User.objects.get_or_create(username=name)
        profile, _ = AgentProfile.objects.get_or_create(
            user=user, defaults={"role": role, "display_name": name}
        )
        if role == Role.AGENT:
            profile.departments.set([department])
        made["admin" if role == Role.ADMIN else "agent (1 department)"] = user.pk
    return made


def queries(rng: random.Random, per_kind: int) -> list[tuple[str, str]]:
    """Realistic searches, taken from the desk's own messages, tickets and customers."""
    from django.db.models import Max, Min

    from litso.customers.models import ContactPoint
    from litso.search.folding import fold
    from litso.search.query import word_term
    from litso.tickets.models import Message, Ticket

    bounds = Message.objects.aggregate(low=Min("id"), high=Max("id"))
    ids = [rng.randint(bounds["low"], bounds["high"]) for _ in range(3000)]
    texts = list(Message.objects.filter(pk__in=ids).values_list("body_text", flat=True))
    counts: dict[str, int] = {}
    for text in texts:
        for word in set(TOKEN.findall(text.lower())):
            counts[word] = counts.get(word, 0) + 1
    by_count = sorted(counts, key=lambda w: -counts[w])
    common = [w for w in by_count if not w.isdigit()][:60]
    # Rare: once in the sample, and what the search makes of it (a shortened word matched as
    # a prefix) is not the start of a more frequent word.
    frequent = sorted(fold(w) for w in by_count if counts[w] > 1)
    rare = []
    for word in by_count:
        prefix = word_term(fold(word)).words[0]
        at = bisect.bisect_left(frequent, prefix)
        if counts[word] == 1 and not (at < len(frequent) and frequent[at].startswith(prefix)):
            rare.append(word)

    out = []
    for _ in range(per_kind):
        out.append(("common word", rng.choice(common)))
        out.append(("rare word", rng.choice(rare)))
        words = WORD.findall(rng.choice(texts))
        while len(words) < 4:
            words = WORD.findall(rng.choice(texts))
        out.append(("two words", " ".join(rng.sample(words, 2))))
        # A phrase: consecutive words as written (letters only between them).
        runs = [r.split() for r in re.findall(r"[^\W\d_]+(?: [^\W\d_]+)+", rng.choice(texts))]
        runs = [r for r in runs if len(r) >= 2] or [words[:2]]
        run = rng.choice(runs)
        size = min(len(run), rng.choice((2, 3)))
        start = rng.randrange(len(run) - size + 1)
        out.append(("phrase", '"' + " ".join(run[start : start + size]) + '"'))
    numbers = Ticket.objects.aggregate(low=Min("number"), high=Max("number"))
    for _ in range(per_kind):
        number = rng.randint(numbers["low"], numbers["high"])
        out.append(("number", rng.choice((f"#{number}", str(number)))))
    emails = list(ContactPoint.objects.filter(kind="email").values_list("value", flat=True)[:5000])
    for _ in range(per_kind):
        out.append(("email", rng.choice(emails)))
    rng.shuffle(out)
    return out


def measure(people: dict[str, int], work: list[tuple[str, str]]) -> dict[str, Any]:
    """Each search as each user in turn, so neither gets the caches the other warmed."""
    from django.contrib.auth.models import User

    from litso.search.engine import search

    samples = {who: {kind: [] for kind in KINDS} for who in people}
    found = {who: {kind: [] for kind in KINDS} for who in people}
    incomplete = dict.fromkeys(people, 0)
    for kind, text in work:
        for who, user_id in people.items():
            # A fresh user object, as each request reads it from the session.
            user = User.objects.get(pk=user_id)
            start = time.perf_counter()
            result = search(user, text)
            samples[who][kind].append((time.perf_counter() - start) * 1000)
            found[who][kind].append(result.count)
            incomplete[who] += not result.complete
    out = {}
    for who in people:
        every = [ms for values in samples[who].values() for ms in values]
        out[who] = {
            "all": percentiles(every),
            "by_kind": {kind: percentiles(v) for kind, v in samples[who].items()},
            "median_tickets_found": {k: sorted(v)[len(v) // 2] for k, v in found[who].items()},
            "searches": len(every),
            "ranked_window_full": incomplete[who],
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url")
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=50, help="searches of each kind")
    parser.add_argument("--rebuild", action="store_true", help="build the index again")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()

    vendor = setup_django(args.database_url, migrate=False)
    from django.core.management import call_command

    from litso.search import postgres, sqlite
    from litso.search.engine import WINDOW

    migrate_all_but_search()
    seeded = None
    if message_count() < args.messages:
        call_command("migrate", "search", "zero", verbosity=0)
        seeded = seed_messages(args.messages, args.database_url, args.seed)
    build = None
    if seeded or args.rebuild:
        call_command("migrate", "search", "zero", verbosity=0)
        build = build_index()
    else:
        call_command("migrate", "search", verbosity=0)
        # Reused: keep the figures of the run that built it.
        previous = RESULTS / f"search-{vendor}.json"
        if previous.exists():
            build = json.loads(previous.read_text(encoding="utf-8")).get("index_build")
    messages = message_count()

    rng = random.Random(args.seed)
    people = users()
    work = queries(rng, args.queries)
    from django.contrib.auth.models import User

    from litso.search.engine import search

    for _, text in work[:30]:
        search(User.objects.get(pk=people["admin"]), text)
    load_before = load_average()
    results = measure(people, work)

    figures: dict[str, Any] = {
        "database": vendor,
        "messages": messages,
        "tickets": int(_scalar("SELECT COUNT(*) FROM tickets_ticket")),
        "window": WINDOW,
        "small_scope_tickets": (postgres if vendor == "postgresql" else sqlite).SMALL,
        "postgresql_walk": {
            "sample": postgres.SAMPLE,
            "recent": postgres.RECENT,
            "fetch_cost": postgres.FETCH_COST,
        },
        "queries_per_kind": args.queries,
        "load_average_before_after": [load_before, load_average()],
        "seeded": seeded,
        "index_build": build,
        "latency_ms": results,
    }
    if vendor == "postgresql":
        figures["index_bytes"] = int(_scalar("SELECT pg_total_relation_size('search_message')"))
        settings = ("shared_buffers", "work_mem", "jit", "max_parallel_workers_per_gather")
        figures["server"] = {name: _scalar(f"SHOW {name}") for name in settings}
        figures["server"]["version"] = _scalar("SHOW server_version")
    else:
        figures["database_bytes"] = database_bytes()
    report(figures)
    path = write_result(f"search-{vendor}", figures)
    print(f"wrote {path}")


def _scalar(sql: str) -> Any:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def report(figures: dict[str, Any]) -> None:
    print(
        f"\n{figures['database']}: {figures['messages']:,} messages, "
        f"{figures['tickets']:,} tickets; load average {figures['load_average_before_after']}"
    )
    build = figures["index_build"]
    if build:
        print(
            f"index built in {build['seconds']:.1f} s; database "
            f"{build['database_bytes_before'] / 2**20:,.0f} → "
            f"{build['database_bytes_after'] / 2**20:,.0f} MiB "
            f"(+{build['growth_percent']:.0f}%)"
        )
    print(f"\n{'':22} {'kind':12} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}  tickets")
    for who, result in figures["latency_ms"].items():
        for kind in (*KINDS, "all"):
            p = result["all"] if kind == "all" else result["by_kind"][kind]
            tickets = "" if kind == "all" else result["median_tickets_found"][kind]
            print(
                f"{who:22} {kind:12} {p['p50']:7.1f} {p['p95']:7.1f} {p['p99']:7.1f} "
                f"{p['max']:7.1f}  {tickets}"
            )
        print()
    print("milliseconds per search() call, first page of 50 with snippets")


if __name__ == "__main__":
    main()
