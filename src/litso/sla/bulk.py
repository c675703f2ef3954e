"""Recompute the clocks of every open ticket after a calendar or policy change, fast.

Chunk by chunk of ticket ids, each in its own transaction:

1. lock the chunk's open tickets (as every ticket action does first), so no action changes a
   ticket between the read and the write;
2. read only the needed columns of the tickets and their clocks in one query, instants as
   integer microseconds, straight into numpy columns (`bulk_compute.Frame`);
3. match the policies once per distinct (priority, department, channel, request type,
   organisation, tags) combination, not once per ticket;
4. compute the deadlines per (policy, calendar) group on arrays (`bulk_compute`), over a
   table of the calendar's open time built once per run (`vector.BusinessTable`);
5. write back only the clocks whose values changed, in one statement per chunk; the few
   clocks the bulk path leaves (a new clock, an event not yet seen, an instant beyond the
   table) go through `clock.recompute` one by one, exactly as before.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from litso.departments.models import Department
from litso.sla.bulk_compute import (
    CLOCK_COLUMNS,
    INSTANTS,
    TICKET_COLUMNS,
    WRITTEN,
    Frame,
    clear_group,
    compute_group,
)
from litso.sla.calendar import Calendar, CalendarError
from litso.sla.clock import active_policies, matches_values
from litso.sla.models import ALWAYS_OPEN_SPEC, BusinessCalendar, SlaPolicy, TicketSla
from litso.sla.timeline import DAY_US, to_us
from litso.sla.vector import NULL, BusinessTable
from litso.tickets.models import OPEN_STATUSES, Ticket

CHUNK = 50_000
SQLITE_CACHE_KIB = -512 * 1024  # negative: KiB, as PRAGMA cache_size takes it
# Deadlines further out than this past now are left to the one-ticket path.
HORIZON_US = 3 * 365 * DAY_US
CalendarKey = int | None  # a BusinessCalendar id, None for the 24/7 fallback


@dataclass
class Outcome:
    tickets: int = 0
    written: int = 0
    one_by_one: int = 0
    # Seconds per phase (lock, read, match, compute, write, one_by_one), for benchmarks.
    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, other: Outcome) -> None:
        self.tickets += other.tickets
        self.written += other.written
        self.one_by_one += other.one_by_one
        for phase, spent in other.seconds.items():
            self.seconds[phase] = self.seconds.get(phase, 0.0) + spent


class _Clock:
    """Adds the wall time since the last call to a phase, and the CPU time to "<phase> cpu"."""

    def __init__(self, seconds: dict[str, float]) -> None:
        self.seconds = seconds
        self.last = time.perf_counter()
        self.last_cpu = time.process_time()

    def lap(self, phase: str) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        self.seconds[phase] = self.seconds.get(phase, 0.0) + now - self.last
        cpu_phase = f"{phase} cpu"
        self.seconds[cpu_phase] = self.seconds.get(cpu_phase, 0.0) + cpu - self.last_cpu
        self.last, self.last_cpu = now, cpu


class Run:
    """What stays the same for a whole recompute: policies, calendars and their tables."""

    def __init__(self, now: datetime, low: int) -> None:
        self.now = now
        # A change made in another process may be younger than this process's last look.
        self.policies = active_policies(fresh=True)
        self.uses_tags = any(policy.tags for policy in self.policies)
        self.uses_organisations = any(policy.organisations.all() for policy in self.policies)
        self.department_calendars: dict[int, CalendarKey] = dict(
            Department.objects.values_list("pk", "calendar_id")
        )
        self.calendars: dict[CalendarKey, Calendar] = {None: Calendar.from_spec(ALWAYS_OPEN_SPEC)}
        for policy in self.policies:
            if policy.calendar is not None:
                self.calendars[policy.calendar_id] = policy.calendar.calendar()
        for calendar in BusinessCalendar.objects.filter(
            pk__in={key for key in self.department_calendars.values() if key}
        ):
            self.calendars[calendar.pk] = calendar.calendar()
        self.low = low
        self.tables: dict[CalendarKey, BusinessTable | None] = {}

    def table(self, key: CalendarKey) -> BusinessTable | None:
        if key not in self.tables:
            try:
                high = to_us(self.now) + HORIZON_US
                self.tables[key] = BusinessTable.build(self.calendars[key], self.low, high)
            except CalendarError:
                self.tables[key] = None
        return self.tables[key]

    def calendar_key(self, policy: SlaPolicy, department_id: int) -> CalendarKey:
        if policy.calendar_id is not None:
            return policy.calendar_id
        return self.department_calendars.get(department_id)


def recompute_range(
    after_id: int = 0, until_id: int | None = None, now: datetime | None = None
) -> Outcome:
    """Recompute the open tickets with ids in ``(after_id, until_id]``, chunk by chunk."""
    now = now or timezone.now()
    run = Run(now, _oldest_open(after_id, until_id))
    outcome = Outcome()
    with _big_page_cache():
        while True:
            with transaction.atomic():
                lap = _Clock(outcome.seconds)
                ids = _lock_chunk(after_id, until_id)
                lap.lap("lock")
                if not ids:
                    return outcome
                outcome.add(_recompute_chunk(run, ids[0], ids[-1]))
                after_id = ids[-1]


@contextmanager
def _big_page_cache() -> Iterator[None]:
    """On SQLite, a page cache that holds the clocks' indexes while the recompute runs.

    Every clock's deadlines move, so every index page is read and written; with the default
    2 MiB cache most of them would go back and forth to the file system.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def _open_filter() -> tuple[str, list[Any]]:
    """Open tickets, as a condition the planner cannot answer from a status index.

    Chunks walk the tickets by id; with an index on status (and age) at hand, SQLite would
    rather fetch every open ticket by status and sort them all again for each chunk.
    """
    marks = ", ".join(["%s"] * len(OPEN_STATUSES))
    # SQLite's unary + keeps a column out of index choice; PostgreSQL walks the primary key
    # here by itself, and an expression would only spoil its row estimate.
    column = "+t.status" if connection.vendor == "sqlite" else "t.status"
    return f"{column} IN ({marks})", [str(status) for status in OPEN_STATUSES]


def _oldest_open(after_id: int, until_id: int | None) -> int:
    first = (
        Ticket.objects.filter(pk__gt=after_id, status__in=OPEN_STATUSES)
        .filter(**({"pk__lte": until_id} if until_id is not None else {}))
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return to_us(first) if first else to_us(timezone.now())


def _lock_chunk(after_id: int, until_id: int | None) -> list[int]:
    """The next chunk's open ticket ids, locked as a ticket action would lock them."""
    where, statuses = _open_filter()
    params: list[Any] = [after_id]
    bound = ""
    if until_id is not None:
        bound = "AND t.id <= %s "
        params.append(until_id)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.id FROM {Ticket._meta.db_table} t WHERE t.id > %s {bound}AND {where} "
            f"ORDER BY t.id LIMIT {CHUNK}{lock}",
            [*params, *statuses],
        )
        return [row[0] for row in cursor.fetchall()]


def _instant_sql(column: str) -> str:
    """PostgreSQL: the column as integer microseconds since the epoch, or the NULL marker.

    SQLite's column is read as stored, "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC (what Django's
    backend writes), and parsed by numpy (`_instants`), which is faster than SQL functions.
    """
    if connection.vendor == "postgresql":
        # date_part works in double precision, twice as fast as EXTRACT's numeric here, and
        # still exact: a double near 2e9 seconds resolves 0.24 µs, so rounding the product
        # recovers the stored microsecond (checked on 2,000,000 random instants, 1970–2096).
        return f"COALESCE(round(date_part('epoch', {column}) * 1000000)::bigint, {NULL})"
    # An expression has no declared type, so the driver does not build datetimes from it.
    return f"COALESCE(CAST({column} AS TEXT), 'NaT')"


def _instants(values: tuple[Any, ...]) -> Any:
    if connection.vendor == "postgresql":
        return np.fromiter(values, dtype=np.int64, count=len(values))
    # NaT (a missing instant) is int64's minimum, which is the NULL marker.
    return np.array(values, dtype="datetime64[us]").astype(np.int64)


def _select_sql(organisations: bool) -> str:
    """The chunk's query; the customers are joined only when a policy asks for organisations."""
    tickets, clocks = Ticket._meta.db_table, TicketSla._meta.db_table
    customers = Ticket._meta.get_field("customer").related_model._meta.db_table
    picked = [
        "t.id",
        "t.status",
        "t.priority",
        "t.department_id",
        "t.channel",
        "COALESCE(t.request_type_id, -1)",
        "COALESCE(c.organisation_id, -1)" if organisations else "-1",
        "CASE WHEN s.ticket_id IS NULL THEN 0 ELSE 1 END",
    ]
    for name in (*TICKET_COLUMNS, *CLOCK_COLUMNS):
        table = "t" if name in TICKET_COLUMNS else "s"
        if name in INSTANTS:
            picked.append(_instant_sql(f"{table}.{name}"))
        else:
            picked.append(f"COALESCE({table}.{name}, -1)")
    fired = "s.fired::text" if connection.vendor == "postgresql" else "s.fired"
    picked.append(f"COALESCE({fired}, '[]')")
    where, _ = _open_filter()
    return (
        f"SELECT {', '.join(picked)} FROM {tickets} t "
        + (f"JOIN {customers} c ON c.id = t.customer_id " if organisations else "")
        + f"LEFT JOIN {clocks} s ON s.ticket_id = t.id "
        f"WHERE t.id >= %s AND t.id <= %s AND {where} ORDER BY t.id"
    )


def _read_frame(first: int, last: int, organisations: bool) -> tuple[Frame, list[tuple[Any, ...]]]:
    """The chunk as columns, and the (priority, department, channel, type, organisation)."""
    _, params = _open_filter()
    with connection.cursor() as cursor:
        cursor.execute(_select_sql(organisations), [first, last, *params])
        rows = cursor.fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [()] * (10 + len(CLOCK_COLUMNS))
    count = len(rows)

    def ints(index: int) -> Any:
        return np.fromiter(columns[index], dtype=np.int64, count=count)

    named = {
        name: _instants(columns[8 + position]) if name in INSTANTS else ints(8 + position)
        for position, name in enumerate((*TICKET_COLUMNS, *CLOCK_COLUMNS))
    }
    frame = Frame(
        ids=ints(0),
        status=np.array(columns[1], dtype=str),
        has_clock=ints(7).astype(bool),
        columns=named,
        fired=list(columns[-1]),
    )
    conditions = list(zip(columns[2], columns[3], columns[4], columns[5], columns[6], strict=True))
    return frame, conditions


def _tags_of(first: int, last: int, wanted: set[str]) -> dict[int, frozenset[str]]:
    """The policy-relevant tags of the chunk's tickets (others cannot change a match)."""
    through = Ticket.tags.through
    found: dict[int, set[str]] = {}
    for ticket_id, name in through.objects.filter(
        ticket_id__gte=first, ticket_id__lte=last, tag__name__in=wanted
    ).values_list("ticket_id", "tag__name"):
        found.setdefault(ticket_id, set()).add(name)
    return {ticket_id: frozenset(names) for ticket_id, names in found.items()}


def _match(run: Run, key: tuple[Any, ...], tags: frozenset[str]) -> SlaPolicy | None:
    priority, department_id, channel, request_type_id, organisation_id = key
    for policy in run.policies:
        if matches_values(
            policy,
            priority=priority,
            channel=channel,
            department_id=department_id,
            request_type_id=None if request_type_id == -1 else request_type_id,
            organisation_id=lambda: None if organisation_id == -1 else organisation_id,
            tag_names=lambda: set(tags),
        ):
            return policy
    return None


def _recompute_chunk(run: Run, first: int, last: int) -> Outcome:
    seconds: dict[str, float] = {}
    lap = _Clock(seconds)
    frame, conditions = _read_frame(first, last, run.uses_organisations)
    lap.lap("read")
    count = len(frame.ids)
    tags: dict[int, frozenset[str]] = {}
    if run.uses_tags:
        wanted = {tag for policy in run.policies for tag in policy.tags}
        tags = _tags_of(first, last, wanted)
    # One policy lookup per distinct combination; groups are (policy, calendar) pairs.
    combination: dict[tuple[Any, ...], int] = {}
    groups: list[tuple[SlaPolicy | None, CalendarKey]] = []
    group_of_key: dict[tuple[int | None, CalendarKey], int] = {}
    no_tags: frozenset[str] = frozenset()
    codes = np.empty(count, dtype=np.int64)
    for row, (key, ticket_id) in enumerate(zip(conditions, frame.ids.tolist(), strict=True)):
        full = (*key, tags.get(ticket_id, no_tags)) if tags else key
        code = combination.get(full)
        if code is None:
            policy = _match(run, key, tags.get(ticket_id, no_tags))
            calendar = run.calendar_key(policy, key[1]) if policy else None
            pair = (policy.pk if policy else None, calendar)
            if pair not in group_of_key:
                group_of_key[pair] = len(groups)
                groups.append((policy, calendar))
            code = combination[full] = group_of_key[pair]
        codes[row] = code
    lap.lap("match")
    now = to_us(run.now)
    for index, (policy, calendar) in enumerate(groups):
        rows = np.flatnonzero(codes == index)
        if policy is None:
            clear_group(frame, rows)
            continue
        table = run.table(calendar)
        if table is None:
            frame.slow[rows] = True
            continue
        compute_group(frame, rows, policy, table, now)
    changed = np.flatnonzero(frame.changed())
    lap.lap("compute")
    _write(frame, changed)
    lap.lap("write")
    slow_ids = frame.ids[frame.slow].tolist()
    if slow_ids:
        _one_by_one(slow_ids, run)
        lap.lap("one_by_one")
    return Outcome(len(frame.ids), len(changed), len(slow_ids), seconds)


def _one_by_one(ids: list[int], run: Run) -> None:
    from litso.sla.tasks import recompute_tickets

    tickets = list(Ticket.objects.filter(pk__in=ids).order_by("pk"))
    recompute_tickets(tickets, run.policies, run.now)


def _write(frame: Frame, rows: Any) -> None:
    """Write the changed clocks back: on SQLite one executemany per set of changed columns.

    SQLite updates every index on a column named in SET, changed or not; naming only the
    changed columns spares the indexes of deadlines that stay empty (most of them).
    """
    if not len(rows):
        return
    table = connection.ops.quote_name(TicketSla._meta.db_table)
    ids = frame.ids[rows].tolist()
    fired = [frame.out_fired[row] for row in rows.tolist()]
    values: dict[str, list[Any]] = {}
    for name in WRITTEN:
        column = frame.out[name][rows]
        if name in INSTANTS:
            values[name] = _instants_for_db(column)
        else:
            values[name] = [None if value == -1 else value for value in column.tolist()]
    if connection.vendor == "postgresql":
        _write_postgresql(table, ids, values, fired)
        return
    values["fired"] = fired
    names = [*WRITTEN, "fired"]
    masks = np.zeros(len(rows), dtype=np.int64)
    for bit, name in enumerate(WRITTEN):
        masks |= (frame.out[name][rows] != frame.columns[name][rows]).astype(np.int64) << bit
    fired_changed = [frame.out_fired[row] != frame.fired[row] for row in rows.tolist()]
    masks |= np.array(fired_changed, dtype=np.int64) << len(WRITTEN)
    with connection.cursor() as cursor:
        for mask in np.unique(masks).tolist():
            chosen = [name for bit, name in enumerate(names) if mask >> bit & 1]
            positions = np.flatnonzero(masks == mask).tolist()
            assignments = ", ".join(f"{name} = %s" for name in chosen)
            cursor.executemany(
                f"UPDATE {table} SET {assignments} WHERE ticket_id = %s",
                [(*(values[name][at] for name in chosen), ids[at]) for at in positions],
            )


def _write_postgresql(
    table: str, ids: list[int], values: dict[str, list[Any]], fired: list[str]
) -> None:
    """One UPDATE … FROM unnest(arrays): the whole chunk in one statement and one round trip."""
    names = list(WRITTEN)
    columns = ", ".join(["ticket_id", *names, "fired"])
    arrays = ", ".join(["%s::bigint[]"] * (1 + len(names)) + ["%s::text[]"])
    assignments = []
    for name in names:
        if name in INSTANTS:
            value = f"'epoch'::timestamptz + v.{name} * interval '1 microsecond'"
        else:
            value = f"v.{name}"
        assignments.append(f"{name} = {value}")
    assignments.append("fired = v.fired::jsonb")
    sql = (
        f"UPDATE {table} AS s SET {', '.join(assignments)} "
        f"FROM unnest({arrays}) AS v({columns}) WHERE s.ticket_id = v.ticket_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [ids, *(values[name] for name in names), fired])


def _instants_for_db(column: Any) -> list[Any]:
    """Microseconds → what the backend stores (PostgreSQL: converted in the statement)."""
    if connection.vendor == "postgresql":
        return [None if value == NULL else value for value in column.tolist()]
    text = np.datetime_as_string(column.astype("datetime64[us]"), unit="us").tolist()
    return [_sqlite_text(value) for value in text]


def _sqlite_text(value: str) -> str | None:
    # As Django writes a naive UTC datetime: str(), so no fraction when it is zero.
    if value == "NaT":
        return None
    value = value.replace("T", " ")
    return value[:19] if value.endswith(".000000") else value


def describe(outcome: Outcome) -> str:
    return (
        f"recomputed {outcome.tickets} tickets ({outcome.written} clocks changed, "
        f"{outcome.one_by_one} one by one)"
    )
