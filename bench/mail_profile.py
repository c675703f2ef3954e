"""Where `litso mail ingest` spends its time: CPU, queries and a profile per mail, in-process.

    .venv/bin/python bench/mail_profile.py [DIR] [--limit N] [--profile cprofile|pyinstrument]
        [--top 40] [--postgres] [--no-count]

DIR is a directory of .eml files (default: the cached corpus of ``bench/mail_ingest.py
--mails 2000``). A fresh desk is made (SQLite in a temporary LITSO_DATA_DIR, or with
``--postgres`` a throwaway database ``litso_bench_profile``), one department gets the corpus's
queue address, and the same code path as ``litso mail ingest DIR --json`` runs in this
process with every SQL statement counted. Prints mails/s, CPU ms per mail, queries per mail
(by statement kind and table) and, with --profile, the top functions by cumulative time.

This is for finding costs, not for the figures in the README: those come from
``bench/mail_ingest.py`` (its own process, /usr/bin/time, verified against the manifest).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEFAULT_CORPUS = Path(tempfile.gettempdir()) / "litso-bench-mail" / "corpus" / "N2000-seed42"
QUEUE_EMAIL = "support@helpdesk.example.com"
PG = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
PG_DB = "litso_bench_profile"
_VERB = re.compile(r"^\s*(\w+)")
_TABLE = re.compile(r'\b(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', re.IGNORECASE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=0, help="only the first N files")
    parser.add_argument("--profile", choices=("cprofile", "pyinstrument"))
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--no-count", action="store_true",
                        help="no statement counting: an execute wrapper sends litso.core.rows' "
                             "statements through Django's cursor, which costs more")
    args = parser.parse_args()

    source = args.dir
    work = Path(tempfile.mkdtemp(prefix="litso-mail-profile-"))
    if args.limit:
        subset = work / "mails"
        subset.mkdir()
        for path in sorted(source.glob("*.eml"))[: args.limit]:
            shutil.copy(path, subset / path.name)
        source = subset
    os.environ["LITSO_DATA_DIR"] = str(work / "data")
    os.environ.pop("DATABASE_URL", None)
    if args.postgres:
        subprocess.run(["dropdb", *PG, "--if-exists", PG_DB], check=True)
        subprocess.run(["createdb", *PG, PG_DB], check=True)
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "litso.settings")
    os.environ.setdefault("LITSO_LOG_LEVEL", "WARNING")
    try:
        run(source, args)
    finally:
        from django.db import connections

        connections.close_all()
        if args.postgres:
            subprocess.run(["dropdb", *PG, "--if-exists", PG_DB], check=False)
        shutil.rmtree(work, ignore_errors=True)


def run(source: Path, args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from litso.departments.models import Department

    call_command("migrate", verbosity=0)
    Department.objects.create(name="Support", inbound_addresses=[QUEUE_EMAIL])
    mails = len(list(source.glob("*.eml")))

    statements: Counter[str] = Counter()
    seconds: Counter[str] = Counter()

    def counting(execute: Callable[..., Any], sql: str, params: Any, many: bool,
                 context: Any) -> Any:
        verb = (_VERB.match(sql) or _VERB.match("?")).group(1).upper()  # type: ignore[union-attr]
        table = _TABLE.search(sql)
        key = f"{verb} {table.group(1) if table else ''}".strip()
        statements[key] += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            seconds[key] += time.perf_counter() - started

    out = io.StringIO()

    def ingest() -> None:
        call_command("mail", "ingest", str(source), "--json", stdout=out)

    cpu, wall = time.process_time(), time.perf_counter()
    with contextlib.nullcontext() if args.no_count else connection.execute_wrapper(counting):
        if args.profile == "cprofile":
            # CPU time, not wall time: the machine is shared, and waiting is not our cost.
            profiler = cProfile.Profile(time.process_time)
            profiler.runcall(ingest)
        elif args.profile == "pyinstrument":
            from pyinstrument import Profiler

            pyinst = Profiler(interval=0.0005)
            pyinst.start()
            ingest()
            pyinst.stop()
        else:
            ingest()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall

    print(f"{connection.vendor}: {mails} mails in {wall:.2f} s = {mails / wall:.1f} mails/s; "
          f"CPU {1000 * cpu / mails:.2f} ms/mail; "
          + ("" if args.no_count else f"{sum(statements.values()) / mails:.2f} queries/mail"))
    print(f"summary: {out.getvalue().strip()}")
    if not args.no_count:
        print("statements per mail, and wall ms per mail in execute (fetching not included):")
        for key, count in statements.most_common(40):
            print(f"  {count / mails:7.2f}  {1000 * seconds[key] / mails:6.3f} ms  {key}")
        print(f"  total {1000 * sum(seconds.values()) / mails:.3f} ms per mail in execute")
    if args.profile == "cprofile":
        stream = io.StringIO()
        stats = pstats.Stats(profiler, stream=stream)
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)
        print(stream.getvalue())
    elif args.profile == "pyinstrument":
        print(pyinst.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    main()
