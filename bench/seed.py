"""Fill a desk with N tickets, fast, for benchmarks that need a big desk (lists, search, export).

    .venv/bin/python bench/seed.py 100000 [--database-url URL] [--batch 20000] [--seed 7]

Each ticket gets 3-5 messages (customer, agent, sometimes an internal note) in Russian, Polish
or English and one "created" audit event, spread over the last year with a realistic mix of
statuses, channels and priorities. Departments, 8 agents and 5,000 customers are created once
and reused. This deliberately bypasses the action layer: rows go in by executemany (SQLite) or
COPY (PostgreSQL) in large transactions, so a million tickets take minutes, not hours.
Numbers continue above the desk's highest one and the ticket-number counter is moved past them.

Uses DATABASE_URL (or the default SQLite in LITSO_DATA_DIR); migrates first. Prints figures
and writes bench/results/seed-<vendor>-<N>.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import setup_django, write_result

YEAR = 365 * 24 * 3600.0
DEPARTMENTS = ("Sales", "Billing", "Technical support", "Delivery")
DEPARTMENT_WEIGHTS = (30, 25, 20, 25)
CUSTOMERS = 5000
LANGUAGES = ("ru", "pl", "en")
CHANNELS = ("email", "web", "chat", "phone", "api")
CHANNEL_WEIGHTS = (45, 22, 16, 10, 7)
PRIORITIES = ("low", "normal", "high", "urgent")
PRIORITY_WEIGHTS = (12, 60, 21, 7)
# Older tickets are mostly closed; the last days hold the open work.
ALL = ("new", "open", "pending_customer", "on_hold", "solved", "closed")
STATUS_BY_AGE = (  # (younger than this many days, statuses, weights)
    (3.0, ALL, (20, 30, 18, 5, 22, 5)),
    (14.0, ALL, (3, 12, 12, 6, 20, 47)),
    # Solved tickets older than the auto-close delay would have been closed by now.
    (1e9, ("new", "open", "pending_customer", "on_hold", "closed"), (1, 3, 3, 2, 91)),
)
AUTO_CLOSE = 4 * 24 * 3600.0
# How customers sign, how agents greet them ("" for a plain greeting), and if they are women.
PEOPLE = {
    "en": (("Sam Taylor", "Sam", True), ("Emily", "Emily", True), ("R. Patel", "", False)),
    "ru": (("Ирина Козлова", "Ирина", True), ("Олег", "Олег Петрович", False)),
    "pl": (("Anna Nowak", "Pani Anno", True), ("Marek K.", "Panie Marku", False)),
}

# Column order of the rows Generator.batch builds (check_columns keeps them honest).
# fmt: off
TICKET_COLUMNS = (
    "id", "number", "subject", "status", "priority", "department_id", "assignee_id",
    "customer_id", "channel", "request_type_id", "language", "custom_fields", "escalated",
    "merged_into_id", "follow_up_of_id", "created_at", "updated_at", "first_response_at",
    "solved_at", "closed_at", "auto_close_at", "customer_messages", "agent_replies", "reopens",
)
MESSAGE_COLUMNS = (
    "id", "ticket_id", "kind", "author_kind", "author_agent_id", "author_customer_id", "channel",
    "subject", "body_text", "body_html", "language", "created_at", "external_id", "delivery",
    "delivery_error", "delivery_attempts",
)
EVENT_COLUMNS = (
    "ticket_id", "created_at", "actor_kind", "actor_id", "rule_name", "verb", "field",
    "old_value", "new_value", "reason", "data",
)
# fmt: on


def check_columns(model: Any, columns: Sequence[str]) -> None:
    """Fail loudly when a model gains a column this script would leave out."""
    known = {f.column for f in model._meta.concrete_fields}
    missing, unknown = known - set(columns) - {"id"}, set(columns) - known
    if missing or unknown:
        raise SystemExit(
            f"seed.py is out of date for {model._meta.db_table}: "
            f"missing {sorted(missing)}, unknown {sorted(unknown)}"
        )


def base_data() -> tuple[dict[str, int], dict[int, list[int]], list[tuple[int, str]]]:
    """Departments, agents and customers, created on the first run and reused after."""
    from django.contrib.auth.models import User
    from django.db import transaction

    from litso.customers.models import ContactKind, ContactPoint, Customer
    from litso.departments.models import Department
    from litso.staff.models import AgentProfile

    rng = random.Random(1)
    with transaction.atomic():
        departments = {
            name: Department.objects.get_or_create(name=name)[0].pk for name in DEPARTMENTS
        }
        dept_ids = list(departments.values())
        agents: dict[int, list[int]] = {pk: [] for pk in dept_ids}
        for i in range(8):
            user, _ = User.objects.get_or_create(
                username=f"seed-agent{i + 1}", defaults={"email": f"seed-agent{i + 1}@seed.example"}
            )
            profile = AgentProfile.objects.filter(user=user).first()
            if profile is None:
                user.set_unusable_password()
                user.save()
                profile = AgentProfile.objects.create(
                    user=user, display_name=f"Seed agent {i + 1}", languages=["en", "pl", "ru"]
                )
                profile.departments.set({dept_ids[i % 4], dept_ids[(i * 3 + 1) % 4]})
            for dept_id in profile.departments.values_list("pk", flat=True):
                agents.setdefault(dept_id, []).append(user.pk)

        existing = ContactPoint.objects.filter(
            kind=ContactKind.EMAIL,
            value__startswith="seed-customer-",
            value__endswith="@seed.example",
        ).count()
        if existing < CUSTOMERS:
            new = [
                Customer(full_name=f"Seed customer {i}", language=LANGUAGES[i % 3])
                for i in range(existing, CUSTOMERS)
            ]
            Customer.objects.bulk_create(new, batch_size=1000)
            ContactPoint.objects.bulk_create(
                [
                    ContactPoint(
                        customer=c,
                        kind=ContactKind.EMAIL,
                        value=f"seed-customer-{existing + j}@seed.example",
                    )
                    for j, c in enumerate(new)
                ],
                batch_size=1000,
            )
        customers = list(
            ContactPoint.objects.filter(
                kind=ContactKind.EMAIL, value__endswith="@seed.example"
            ).values_list("customer_id", "customer__language")
        )
    rng.shuffle(customers)
    return departments, agents, customers


def text_pools(rng: random.Random, size: int) -> dict[str, dict[str, list[str]]]:
    """Pre-written subjects and bodies per language: varied, and cheap to pick from."""
    from litso.demo.texts import TOPIC_DEPARTMENT, Writer, languages

    topics = list(TOPIC_DEPARTMENT)
    pools: dict[str, dict[str, list[str]]] = {}
    for code, lang in languages().items():
        pool: dict[str, list[str]] = {"subject": [], "inbound": [], "outbound": [], "note": []}
        for i in range(size):
            signature, salutation, woman = rng.choice(PEOPLE[code])
            writer = Writer(rng, lang, rng.choice(topics), customer_female=woman)
            agent, female = rng.choice((("Elena", True), ("Marek", False), ("Kasia", True)))
            answer = (writer.answer, writer.ask, writer.progress)[i % 3]
            opening = writer.opening(rng.choice(CHANNELS), signature)
            reply = answer(salutation, agent, female)
            pool["subject"].append(writer.subject())
            # Mail quotes what it answers, so half the bodies carry the previous message.
            if i % 2:
                pool["inbound"].append(opening)
                pool["outbound"].append(f"{reply}\n\n{_quote(opening)}")
            else:
                info = writer.customer_info(signature)
                pool["inbound"].append(f"{writer.nudge('')}{info}\n\n{_quote(reply)}")
                pool["outbound"].append(reply)
            if i % 2 == 0:
                pool["note"].append(f"{writer.note(female)} {writer.triage_note(female)}")
        pools[code] = pool
    return pools


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


class Generator:
    """Rows for one batch of tickets: ticket, its 3-5 messages and its "created" event."""

    # fmt: off
    def __init__(self, rng: random.Random, now: float, n: int, first_ids: tuple[int, int],
                 first_number: int, base: Any, pools: Any, stamp: Callable[[float], Any],
                 vendor: str) -> None:
        # fmt: on
        self.rng, self.now = rng, now
        self.ticket_id, self.message_id = first_ids
        self.number = first_number
        self.departments, self.agents, self.customers = base
        self.dept_names = {pk: name for name, pk in self.departments.items()}
        self.pools, self.stamp = pools, stamp
        self.start = now - YEAR
        self.spacing = (YEAR - 3600) / max(n, 1)
        self.json = json.dumps
        self.true, self.false = (True, False) if vendor == "postgresql" else (1, 0)
        # Returning customers: a few write very often.
        weights = [1 / (rank + 1) ** 0.6 for rank in range(len(self.customers))]
        self.customer_cum = list(_accumulate(weights))

    def batch(self, index: int, count: int) -> tuple[list[tuple[Any, ...]], ...]:
        rng, stamp = self.rng, self.stamp
        tickets, messages, events = [], [], []
        dept_ids = list(self.departments.values())
        depts = rng.choices(dept_ids, DEPARTMENT_WEIGHTS, k=count)
        channels = rng.choices(CHANNELS, CHANNEL_WEIGHTS, k=count)
        priorities = rng.choices(PRIORITIES, PRIORITY_WEIGHTS, k=count)
        customers = rng.choices(self.customers, cum_weights=self.customer_cum, k=count)
        for k in range(count):
            i = index + k
            created = self.start + i * self.spacing + rng.random() * self.spacing * 0.9
            age_days = (self.now - created) / 86400
            statuses, weights = next((s, w) for limit, s, w in STATUS_BY_AGE if age_days < limit)
            status = rng.choices(statuses, weights)[0]
            dept, channel, priority = depts[k], channels[k], priorities[k]
            customer_id, customer_language = customers[k]
            language = customer_language if rng.random() < 0.9 else rng.choice(LANGUAGES)
            pool = self.pools[language]
            assignee = (
                None if status == "new" and rng.random() < 0.7 else rng.choice(self.agents[dept])
            )
            ticket_id, number = self.ticket_id, self.number
            self.ticket_id += 1
            self.number += 1
            subject = rng.choice(pool["subject"])

            # The conversation: the customer opens, then agent and customer take turns.
            moment = created
            created_at = when = stamp(created)
            longest_gap = min(30 * 3600.0, max(60.0, (self.now - created) / 6))
            inbound = outbound = 0
            first_response = None
            first_message = self.message_id
            for j in range(rng.randint(3, 5)):
                if (
                    j == 0
                    or (j % 2 == 0 and status != "new")
                    or (status == "new" and rng.random() < 0.7)
                ):
                    # The customer writes first, answers, or (nobody has answered yet) nudges.
                    kind, author, agent, cust = "inbound", "customer", None, customer_id
                    body, delivery = rng.choice(pool["inbound"]), ""
                    ext = f"<seed.{number}.{j}@mail.example>" if channel == "email" else ""
                    inbound += 1
                elif status == "new" or rng.random() < 0.2:
                    kind, author, cust = "note", "agent", None
                    agent = assignee or rng.choice(self.agents[dept])
                    body, delivery, ext = rng.choice(pool["note"]), "", ""
                else:
                    kind, author, agent, cust = "outbound", "agent", assignee, None
                    body, delivery = rng.choice(pool["outbound"]), "sent"
                    ext = f"<{number}.{j}@tkanina-print.example>"
                    outbound += 1
                    if first_response is None:
                        first_response = when
                # fmt: off
                messages.append((
                    self.message_id, ticket_id, kind, author, agent, cust, channel,
                    subject if j == 0 else "", body, "", language, when, ext, delivery, "",
                    1 if delivery else 0,
                ))
                # fmt: on
                self.message_id += 1
                moment += rng.uniform(30, longest_gap)
                when = stamp(moment)

            # The last step (solving, or just the ticket's last change) follows the last message.
            updated = solved_at = when
            closed_at = auto_close = None
            if status == "solved" and moment + AUTO_CLOSE < self.now:
                status = "closed"  # the scheduler would have closed it by now
            if status == "closed":
                updated = closed_at = stamp(min(moment + AUTO_CLOSE, (moment + self.now) / 2))
            elif status == "solved":
                auto_close = stamp(moment + AUTO_CLOSE)
            else:
                solved_at = None
            escalated = self.true if rng.random() < 0.02 else self.false
            data = {"channel": channel, "department": self.dept_names[dept],
                    "priority": priority, "message": first_message}  # fmt: skip
            # fmt: off
            tickets.append((
                ticket_id, number, subject, status, priority, dept, assignee, customer_id,
                channel, None, language, "{}", escalated, None, None, created_at, updated,
                first_response, solved_at, closed_at, auto_close, inbound, outbound, 0,
            ))
            events.append((
                ticket_id, created_at, "customer", None, "", "created", "", "", "", "",
                self.json(data),
            ))
            # fmt: on
        return tickets, messages, events


def timestamp_maker(vendor: str) -> Callable[[float], Any]:
    """Seconds since the epoch → what the driver takes for a DateTimeField column."""
    if vendor == "postgresql":
        aware = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
        return lambda seconds: aware + datetime.timedelta(seconds=seconds)
    # What Django's SQLite backend stores: naive UTC, "YYYY-MM-DD HH:MM:SS[.ffffff]".
    naive = datetime.datetime(1970, 1, 1)
    return lambda seconds: str(naive + datetime.timedelta(seconds=seconds))


def _accumulate(values: list[float]) -> list[float]:
    total, out = 0.0, []
    for v in values:
        total += v
        out.append(total)
    return out


def insert_sqlite(
    cursor: Any, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    marks = ", ".join(["%s"] * len(columns))
    cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def insert_postgresql(
    cursor: Any, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    # COPY skips per-row statement overhead entirely; psycopg adapts the Python values.
    with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("tickets", type=int, help="how many tickets to add")
    parser.add_argument("--database-url")
    parser.add_argument("--batch", type=int, default=20_000, help="tickets per transaction")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    t0 = time.perf_counter()
    vendor = setup_django(args.database_url)
    from django.conf import settings
    from django.db import connection, transaction
    from django.db.models import Max

    from litso.audit.models import Event
    from litso.tickets.models import Message, Ticket, TicketCounter
    from litso.tickets.numbering import SEQUENCE, ensure_numbers_above

    if vendor not in ("sqlite", "postgresql"):
        raise SystemExit(f"seed.py knows SQLite and PostgreSQL, not {vendor}")
    check_columns(Ticket, TICKET_COLUMNS)
    check_columns(Message, MESSAGE_COLUMNS)
    check_columns(Event, EVENT_COLUMNS)
    setup_seconds = time.perf_counter() - t0

    t1 = time.perf_counter()
    base = base_data()
    rng = random.Random(args.seed)
    pools = text_pools(rng, 1500)
    numbers = Ticket.objects.aggregate(n=Max("number"), t=Max("id"))
    last_message = Message.objects.aggregate(m=Max("id"))["m"] or 0
    # Above every number a ticket has and every number the counter already handed out; on a
    # new desk, where the desk's own numbering would start.
    handed_out = settings.LITSO_TICKET_NUMBER_START - 1
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT last_value, is_called FROM {SEQUENCE}")
            last_value, is_called = cursor.fetchone()
            handed_out = max(handed_out, last_value if is_called else last_value - 1)
    else:
        counter = TicketCounter.objects.filter(pk=1).values_list("last_value", flat=True).first()
        handed_out = max(handed_out, counter or 0)
    first_number = max(numbers["n"] or 0, handed_out) + 1
    first_ids = ((numbers["t"] or 0) + 1, last_message + 1)
    generator = Generator(rng, time.time(), args.tickets, first_ids, first_number, base, pools,
                          timestamp_maker(vendor), vendor)  # fmt: skip
    prepare_seconds = time.perf_counter() - t1

    insert = insert_postgresql if vendor == "postgresql" else insert_sqlite
    tables = (Ticket._meta.db_table, Message._meta.db_table, Event._meta.db_table)
    rows = {"tickets": 0, "messages": 0, "events": 0}
    generate_seconds = write_seconds = 0.0
    t2 = time.perf_counter()
    if vendor == "sqlite":
        with connection.cursor() as cursor:
            # A bigger page cache keeps the index b-trees in memory while they grow.
            cursor.execute("PRAGMA cache_size = -524288")
    for start in range(0, args.tickets, args.batch):
        count = min(args.batch, args.tickets - start)
        g0 = time.perf_counter()
        tickets, messages, events = generator.batch(start, count)
        g1 = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            insert(cursor, tables[0], TICKET_COLUMNS, tickets)
            insert(cursor, tables[1], MESSAGE_COLUMNS, messages)
            insert(cursor, tables[2], EVENT_COLUMNS, events)
        generate_seconds += g1 - g0
        write_seconds += time.perf_counter() - g1
        rows["tickets"] += len(tickets)
        rows["messages"] += len(messages)
        rows["events"] += len(events)
        done = start + count
        elapsed = time.perf_counter() - t2
        print(
            f"  {done:>10,} tickets  {elapsed:7.1f} s  {done / elapsed:8,.0f} tickets/s", flush=True
        )
    load_seconds = time.perf_counter() - t2

    t3 = time.perf_counter()
    last_number = first_number + args.tickets - 1
    ensure_numbers_above(last_number)
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            # Rows went in with explicit ids; move the identity sequences past them.
            for table in tables:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT MAX(id) FROM {table}))"
                )
            cursor.execute(f"ANALYZE {tables[0]}, {tables[1]}, {tables[2]}")
        else:
            # Sampled statistics: a full ANALYZE of a multi-gigabyte file takes minutes.
            cursor.execute("PRAGMA analysis_limit = 1000")
            cursor.execute("ANALYZE")
    finish_seconds = time.perf_counter() - t3
    total = time.perf_counter() - t0

    total_rows = sum(rows.values())
    figures = {
        "database": vendor,
        "tickets": args.tickets,
        "rows": rows,
        "numbers": [first_number, last_number],
        "batch": args.batch,
        "seconds": {
            "total": total,
            "setup_and_migrate": setup_seconds,
            "base_data_and_texts": prepare_seconds,
            "load": load_seconds,
            "generate": generate_seconds,
            "write": write_seconds,
            "numbers_sequences_analyze": finish_seconds,
        },
        "tickets_per_second": args.tickets / load_seconds,
        "rows_per_second": total_rows / load_seconds,
    }
    print(
        f"{vendor}: {args.tickets:,} tickets, {rows['messages']:,} messages, "
        f"{rows['events']:,} events in {load_seconds:.1f} s "
        f"({generate_seconds:.1f} s generating, {write_seconds:.1f} s writing) = "
        f"{args.tickets / load_seconds:,.0f} tickets/s, {total_rows / load_seconds:,.0f} rows/s; "
        f"{total:.1f} s in all; numbers #{first_number}–#{last_number}"
    )
    path = write_result(f"seed-{vendor}-{args.tickets}", figures)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
