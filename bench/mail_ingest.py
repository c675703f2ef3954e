"""Mail ingestion end to end, side by side with the peer (django-helpdesk), on the same mails.

    .venv/bin/python bench/mail_ingest.py [--mails 10000] [--seed 42]
        [--postgres | --no-postgres] [--no-sqlite] [--with-peer] [--keep]

The corpus is made by the peer harness's own generator
(shared/bench/peer-django-helpdesk/gen_mail.py, next to the repo) and cached under the temp
directory per N and seed. For each database (SQLite in a fresh LITSO_DATA_DIR; PostgreSQL in
a throwaway database ``litso_bench_ingest``, on by default when 127.0.0.1:5432 answers) a fresh
desk is migrated, one department gets the corpus's queue address, and
``/usr/bin/time -v litso mail ingest DIR --json`` runs as its own process: wall time, CPU,
peak RSS. Start-up is the same command on a directory holding one already-stored mail
(median of 3), so figures come raw and without start-up, like the peer's.

The stored data are then checked against the generator's manifest (in a subprocess with the
desk's environment): every mail stored once and processed; replies on their thread's ticket
(by Message-ID: InboundMail.header_message_id -> ticket); titles; the message's own lines in
Message.body_text; Windows paths (backslashes) unchanged; every attachment stored with the
same name and SHA-256 (Attachment.blob_id is the hash).

The peer: ``--with-peer`` runs the harness's setup.sh and bench_ingest.sh N in the same run
(installs django-helpdesk from PyPI into /tmp/peer: minutes); otherwise the most recent peer
result for the same N and seed is read from the harness's results/ (or from an earlier
--with-peer run); failing that, the nearest N, marked as such.

Prints a summary; writes bench/results/mail_ingest.json (runs for other N are kept in it).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import RESULTS, write_result

REPO = Path(__file__).resolve().parents[1]
HARNESS = Path(__file__).resolve().parents[2] / "shared" / "bench" / "peer-django-helpdesk"
VENV_BIN = REPO / ".venv" / "bin"
LITSO = VENV_BIN / "litso"
CACHE = Path(tempfile.gettempdir()) / "litso-bench-mail"
PEER_RESULTS_OWN = CACHE / "peer-results"
PEER_BENCH_DEFAULT = Path(tempfile.gettempdir()) / "peer-bench"  # the harness's env.sh
# gen_mail.py's defaults (and the peer's env.sh): the queue address the mails are sent to.
QUEUE_SLUG = "support"
QUEUE_EMAIL = "support@helpdesk.example.com"
PG_HOST, PG_PORT, PG_USER, PG_DB = "127.0.0.1", 5432, "postgres", "litso_bench_ingest"
STARTUP_RUNS = 3
SAMPLES = 3

WS = re.compile(r"\s+")
BACKSLASH_PATH = re.compile(r"\S*\\\S*")
MOJIBAKE = re.compile(
    r"[\u0080-\u009f]|Ð[\u0080-\u00bf]|Ñ[\u0080-\u00bf]|Ã[\u0080-\u00bf]|â€|Å[\u0080-\u00bf]"
    r"|Ä[\u0080-\u00bf]"
)
CHECK_NAMES = (
    "stored_once", "processed", "message_once", "new_threads", "threading", "title",
    "body_lines", "backslash_paths", "attachments",
)


# ------------------------------------------------------------------------------------------
# corpus
# ------------------------------------------------------------------------------------------


def corpus(n: int, seed: int) -> tuple[Path, Path]:
    """The generated mails and their manifest, made once per N/seed."""
    gen = HARNESS / "gen_mail.py"
    if not gen.is_file():
        sys.exit(f"mail_ingest: the peer harness's generator is not there: {gen}\n"
                 "(it lives in shared/bench/peer-django-helpdesk next to the repo); "
                 "without it there is no corpus to compare on.")
    directory = CACHE / "corpus" / f"N{n}-seed{seed}"
    manifest = Path(f"{directory}.manifest.jsonl")
    if (manifest.is_file() and _line_count(manifest) == n
            and len(list(directory.glob("*.eml"))) == n):
        print(f"corpus: cached {directory} ({n} mails)")
        return directory, manifest
    shutil.rmtree(directory, ignore_errors=True)
    manifest.unlink(missing_ok=True)
    directory.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"N{n}-", dir=directory.parent))
    print(f"corpus: generating {n} mails with {gen} --seed {seed} ...", flush=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEER_")}
    try:
        subprocess.run(
            [sys.executable, str(gen), str(n), str(work / "mails"), "--seed", str(seed),
             "--slug", QUEUE_SLUG, "--queue-email", QUEUE_EMAIL,
             "--manifest", str(work / "mails.manifest.jsonl")],
            check=True, env=env,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        shutil.rmtree(work, ignore_errors=True)
        sys.exit(f"mail_ingest: {gen} failed: {exc}")
    (work / "mails").rename(directory)
    (work / "mails.manifest.jsonl").rename(manifest)
    work.rmdir()
    return directory, manifest


def _line_count(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(1 for _ in fh)


def _sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------------------------------------
# one desk: migrate, department, ingest, start-up, verify
# ------------------------------------------------------------------------------------------


def postgres_reachable() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=1.0):
            return True
    except OSError:
        return False


def _desk_env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env["LITSO_DATA_DIR"] = str(data_dir)
    env["LITSO_LOG_LEVEL"] = "WARNING"
    env["DJANGO_SETTINGS_MODULE"] = "litso.settings"
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _litso(args: list[str], env: dict[str, str], log: Path) -> subprocess.CompletedProcess[str]:
    with log.open("a", encoding="utf-8") as err:
        err.write(f"$ litso {' '.join(args)}\n")
        err.flush()
        return subprocess.run([str(LITSO), *args], env=env, stdout=subprocess.PIPE,
                              stderr=err, text=True, check=False)


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def timed_ingest(path: Path, env: dict[str, str], work: Path, label: str) -> dict[str, Any]:
    """`/usr/bin/time -v litso mail ingest PATH --json`: wall, CPU, peak RSS and the summary."""
    timefile = work / f"time-{label}.txt"
    log = work / f"ingest-{label}.log"
    cmd = [str(LITSO), "mail", "ingest", str(path), "--json"]
    if Path("/usr/bin/time").is_file():
        cmd = ["/usr/bin/time", "-v", "-o", str(timefile), *cmd]
    with log.open("w", encoding="utf-8") as err:
        started = time.perf_counter()
        proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=err, text=True,
                              check=False)
        wall = time.perf_counter() - started
    out: dict[str, Any] = {"wall_s": round(wall, 3), "returncode": proc.returncode}
    if timefile.is_file():
        out.update(_parse_time_v(timefile.read_text(encoding="utf-8", errors="replace")))
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip().startswith("{")]
    out["summary"] = json.loads(lines[-1]) if lines else None
    if proc.returncode != 0 or out["summary"] is None:
        out["error"] = _tail(log)
    return out


def _parse_time_v(text: str) -> dict[str, Any]:
    fields: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.strip().rpartition(": ")
        if sep:
            fields[key] = value.strip()
    out: dict[str, Any] = {}
    if "Maximum resident set size (kbytes)" in fields:
        out["peak_rss_mib"] = round(int(fields["Maximum resident set size (kbytes)"]) / 1024, 1)
    with contextlib.suppress(KeyError, ValueError):
        out["cpu_s_user_sys"] = round(
            float(fields["User time (seconds)"]) + float(fields["System time (seconds)"]), 2
        )
    with contextlib.suppress(KeyError, ValueError):
        out["fs_writes_mib"] = round(int(fields["File system outputs"]) * 512 / 2**20, 1)
    return out


def run_desk(
    vendor: str, mails: Path, manifest: Path, n: int, keep: bool
) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix=f"desk-{vendor}-", dir=CACHE))
    data_dir = work / "data"
    database_url = None
    if vendor == "postgresql":
        database_url = f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{PG_DB}"
        pg = ["-h", PG_HOST, "-p", str(PG_PORT), "-U", PG_USER]
        subprocess.run(["dropdb", *pg, "--if-exists", PG_DB], check=True)
        subprocess.run(["createdb", *pg, PG_DB], check=True)
    env = _desk_env(data_dir, database_url)
    setup_log = work / "setup.log"
    result: dict[str, Any] = {"database": vendor, "mails_in_corpus": n}
    try:
        print(f"[{vendor}] fresh desk in {work}: migrate, department <{QUEUE_EMAIL}>", flush=True)
        for args in (
            ["migrate", "-v", "0"],
            ["manage", "shell", "--no-imports", "-c",
             "from litso.departments.models import Department; "
             f"Department.objects.create(name='Support', inbound_addresses=[{QUEUE_EMAIL!r}])"],
        ):
            if _litso(args, env, setup_log).returncode != 0:
                sys.exit(f"[{vendor}] litso {args[0]} failed:\n{_tail(setup_log)}")

        print(f"[{vendor}] ingesting {n} mails (one process, timed) ...", flush=True)
        load_before = os.getloadavg()[0]
        run = timed_ingest(mails, env, work, "corpus")
        run["loadavg_1min_before"] = round(load_before, 2)
        run["loadavg_1min_after"] = round(os.getloadavg()[0], 2)
        if run.get("error"):
            print(f"[{vendor}] ingest exited {run['returncode']}:\n{run['error']}", flush=True)

        one = work / "one-mail"
        one.mkdir()
        first = sorted(mails.glob("*.eml"))[0]
        shutil.copy(first, one / first.name)
        startups = [timed_ingest(one, env, work, f"startup{i}") for i in range(STARTUP_RUNS)]
        startup = statistics.median(s["wall_s"] for s in startups)

        summary = run.get("summary") or {}
        ingested = sum(v for k, v in summary.items() if k != "duplicates")
        wall = run["wall_s"]
        result.update({
            "mails": ingested,
            "wall_s": wall,
            "startup_s": round(startup, 3),
            "startup_note": f"ingest of a directory holding one already-stored mail, "
                            f"median of {STARTUP_RUNS}",
            "msgs_per_s": round(ingested / wall, 1) if wall else None,
            "msgs_per_s_excl_startup": (
                round(ingested / (wall - startup), 1) if wall > startup else None
            ),
            "peak_rss_mib": run.get("peak_rss_mib"),
            "cpu_s_user_sys": run.get("cpu_s_user_sys"),
            "cpu_ms_per_mail": (
                round(1000 * run["cpu_s_user_sys"] / ingested, 1)
                if ingested and run.get("cpu_s_user_sys") else None
            ),
            "fs_writes_mib": run.get("fs_writes_mib"),
            "summary": summary,
            "ingest_returncode": run["returncode"],
            "loadavg_1min": [run["loadavg_1min_before"], run["loadavg_1min_after"]],
        })
        if run.get("error"):
            result["ingest_error"] = run["error"]
        if vendor == "sqlite":
            result["data_dir_mib"] = round(
                sum(f.stat().st_size for f in data_dir.rglob("*") if f.is_file()) / 2**20, 1
            )

        print(f"[{vendor}] verifying the stored data against the manifest ...", flush=True)
        verify_out = work / "verify.json"
        python = VENV_BIN / "python"
        proc = subprocess.run(
            [str(python if python.exists() else sys.executable), str(Path(__file__).resolve()),
             "--verify-manifest", str(manifest), "--verify-out", str(verify_out)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False,
        )
        if proc.returncode != 0 or not verify_out.is_file():
            print(f"[{vendor}] verification failed to run:\n{proc.stdout[-3000:]}")
            result["verify"] = {"error": proc.stdout[-3000:]}
        else:
            result["verify"] = json.loads(verify_out.read_text(encoding="utf-8"))
    finally:
        if vendor == "postgresql":
            subprocess.run(["dropdb", "-h", PG_HOST, "-p", str(PG_PORT), "-U", PG_USER,
                            "--if-exists", PG_DB], check=False)
        if keep:
            print(f"[{vendor}] kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return result


# ------------------------------------------------------------------------------------------
# verification (runs in a subprocess with the desk's environment)
# ------------------------------------------------------------------------------------------


def norm(text: str | None) -> str:
    return WS.sub(" ", text or "").strip()


def classify_text(expected: str, got: str | None) -> str:
    if got is None:
        return "no message stored"
    if not norm(got):
        return "empty body"
    paths = BACKSLASH_PATH.findall(expected)
    if paths and any(p not in got for p in paths):
        return "backslash sequences altered"
    if "\ufffd" in got:
        return "U+FFFD replacement characters"
    if MOJIBAKE.search(got) and not MOJIBAKE.search(expected):
        return "mojibake (wrong charset)"
    return "text differs"


class Checks:
    def __init__(self) -> None:
        self.data: dict[str, dict[str, Any]] = {
            name: {"checked": 0, "failed": 0, "by_group": Counter(), "by_reason": Counter(),
                   "samples": []}
            for name in CHECK_NAMES
        }

    def record(self, check: str, ok: bool, rec: dict[str, Any], group: str,
               reason: str = "", expected: str = "", got: str | None = "") -> None:
        c = self.data[check]
        c["checked"] += 1
        if ok:
            return
        c["failed"] += 1
        c["by_group"][group] += 1
        c["by_reason"][reason] += 1
        same_reason = sum(1 for s in c["samples"] if s["reason"] == reason)
        if same_reason < SAMPLES:
            c["samples"].append({
                "file": rec["file"], "message_id": rec["message_id"], "group": group,
                "reason": reason, "expected": expected[:300],
                "got": got[:300] if got is not None else None,
            })

    def as_json(self) -> dict[str, Any]:
        return {
            name: {**c, "by_group": dict(c["by_group"].most_common()),
                   "by_reason": dict(c["by_reason"].most_common())}
            for name, c in self.data.items()
        }


def verify(manifest_path: Path) -> dict[str, Any]:
    import django

    django.setup()
    from litso.mail.models import InboundMail, InboundState
    from litso.tickets.models import Attachment, Message, Ticket

    recs = [json.loads(line) for line in manifest_path.open(encoding="utf-8")]
    roots = {r["thread"]: r for r in recs if not r["is_reply"]}

    inbound_by_mid: dict[str, list[dict[str, Any]]] = defaultdict(list)
    states: Counter[str] = Counter()
    for inbound in InboundMail.objects.values(
        "pk", "header_message_id", "state", "ticket_id", "message_id", "thread_rule", "reason"
    ):
        inbound_by_mid[inbound["header_message_id"]].append(dict(inbound))
        states[inbound["state"]] += 1
    messages: dict[int, dict[str, Any]] = {}
    first_message_of: dict[int, int] = {}
    external_ids: Counter[str] = Counter()
    for msg in Message.objects.order_by("pk").values(
        "pk", "ticket_id", "body_text", "external_id", "author_kind"
    ):
        messages[msg["pk"]] = dict(msg)
        first_message_of.setdefault(msg["ticket_id"], msg["pk"])
        if msg["external_id"]:
            external_ids[msg["external_id"]] += 1
    tickets: dict[int, dict[str, Any]] = {
        t["pk"]: dict(t)
        for t in Ticket.objects.values("pk", "number", "subject", "department__name")
    }
    attachments: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for a in Attachment.objects.values("message_id", "filename", "blob_id", "size",
                                       "content_type"):
        attachments[a["message_id"]].append(dict(a))

    checks = Checks()
    manifest_mids = {r["message_id"] for r in recs}

    def group(r: dict[str, Any]) -> str:
        return f"{r['lang']}/{r['charset']}/{r['cte']}/{r['shape']}"

    def inbound_of(r: dict[str, Any]) -> dict[str, Any] | None:
        rows = inbound_by_mid.get(r["message_id"], [])
        return rows[0] if len(rows) == 1 else None

    replies_on_thread = 0
    replies_opening_ticket = 0
    expected_files: dict[int, set[tuple[str, str]]] = defaultdict(set)
    # Which threads already have a mail on a ticket (in file order): a reply that follows an
    # earlier off-thread reply of its own thread is a consequence, not a new threading error.
    threads_on_ticket: dict[int, set[int]] = defaultdict(set)
    for r in recs:
        rows = inbound_by_mid.get(r["message_id"], [])
        checks.record("stored_once", len(rows) == 1, r, group(r),
                      "not stored" if not rows else f"stored {len(rows)} times")
        row = inbound_of(r)
        if row is None:
            continue
        processed = row["state"] == InboundState.PROCESSED and row["message_id"] is not None
        checks.record("processed", processed, r, group(r),
                      f"state {row['state']}" + ("" if row["message_id"] else ", no message"),
                      "processed", row["reason"])
        checks.record("message_once", external_ids[r["message_id"]] == 1, r, group(r),
                      f"{external_ids[r['message_id']]} messages with this Message-ID")
        if not processed:
            continue
        message = messages.get(row["message_id"])
        ticket_id = row["ticket_id"]
        first_of_ticket = first_message_of.get(ticket_id) == row["message_id"]
        root = roots.get(r["thread"])
        root_row = inbound_of(root) if root else None

        if r["is_reply"]:
            who = "colleague" if r["cc"] else "customer"
            grp = f"{r['reply_kind']}/{who}"
            ok = root_row is not None and root_row["ticket_id"] == ticket_id
            reason = ""
            if ok:
                replies_on_thread += 1
            elif root_row is None or root_row["ticket_id"] is None:
                reason = "thread's first mail not on a ticket"
            elif first_of_ticket:
                reason = "opened a new ticket"
            elif r["thread"] in threads_on_ticket[ticket_id]:
                reason = (f"followed an earlier off-thread mail of its thread "
                          f"(rule: {row['thread_rule'] or '?'})")
            else:
                reason = f"joined an unrelated ticket (rule: {row['thread_rule'] or '?'})"
            if first_of_ticket:
                replies_opening_ticket += 1
            exp_ticket = tickets.get(root_row["ticket_id"]) if root_row else None
            got_ticket = tickets.get(ticket_id)
            checks.record(
                "threading", ok, r, grp, reason,
                f"ticket #{exp_ticket['number'] if exp_ticket else '?'} "
                f"(of {root['file'] if root else '?'}) subject {r['subject']!r}",
                f"ticket #{got_ticket['number'] if got_ticket else '?'} "
                f"rule {row['thread_rule']!r}",
            )
        else:
            checks.record("new_threads", first_of_ticket, r, "new thread",
                          f"appended to an existing ticket (rule: {row['thread_rule'] or '?'})")
            ticket = tickets.get(ticket_id)
            got_subject = ticket["subject"] if ticket else None
            checks.record("title", norm(got_subject) == norm(r["subject"]), r, group(r),
                          classify_text(r["subject"], got_subject), r["subject"], got_subject)

        threads_on_ticket[ticket_id].add(r["thread"])
        body = message["body_text"] if message else None
        missing = next((ln for ln in (norm(x) for x in r["new_text"].split("\n"))
                        if ln and ln not in norm(body)), None)
        checks.record("body_lines", missing is None, r, group(r),
                      "" if missing is None else classify_text(r["new_text"], body),
                      missing or "", body)
        if "\\" in r["new_text"]:
            paths = BACKSLASH_PATH.findall(r["new_text"])
            altered = [p for p in paths if p not in (body or "")]
            got = body
            if altered and body:
                at = body.find(altered[0][:3])
                got = body[max(0, at - 20): at + 120] if at >= 0 else body
            checks.record("backslash_paths", not altered, r, group(r),
                          "path altered" if altered else "", altered[0] if altered else "", got)

        att = r.get("attachment")
        if att:
            grp = f".{att['kind']}/{att['fname_style']}/{r['shape']}"
            stored = attachments.get(row["message_id"], [])
            exact = [a for a in stored
                     if a["blob_id"] == att["sha256"] and a["filename"] == att["filename"]]
            reason, got = "", ""
            expected_files[row["message_id"]].add((att["filename"], att["sha256"]))
            if not exact:
                by_name = [a for a in stored if a["filename"] == att["filename"]]
                by_hash = [a for a in stored if a["blob_id"] == att["sha256"]]
                if by_name:
                    reason = f"content differs (.{att['kind']})"
                    got = (f"{by_name[0]['filename']} {by_name[0]['size']} bytes "
                           f"sha256 {by_name[0]['blob_id'][:16]}…, {by_name[0]['content_type']}")
                elif by_hash:
                    reason = f"file name differs (.{att['kind']})"
                    got = by_hash[0]["filename"]
                else:
                    reason = f"not stored (.{att['kind']})"
                    got = ", ".join(a["filename"] for a in stored) or None
            checks.record("attachments", bool(exact), r, grp, reason,
                          f"{att['filename']} {att['size']} bytes sha256 {att['sha256'][:16]}…",
                          got)

    # Attachments on ingested messages that the source does not have (an HTML part kept as a
    # file, a signature image...): not a failure of the checks above, but worth knowing.
    ingested_messages = {
        row["message_id"] for rows in inbound_by_mid.values() for row in rows if row["message_id"]
    }
    extra = [
        a | {"message": mid}
        for mid in sorted(ingested_messages)
        for a in attachments.get(mid, [])
        if a["filename"] not in {f for f, _ in expected_files.get(mid, set())}
        and a["blob_id"] not in {h for _, h in expected_files.get(mid, set())}
    ]
    extra_by_type = Counter(a["content_type"] for a in extra)
    foreign = [mid for mid in inbound_by_mid if mid not in manifest_mids]
    checks_json = checks.as_json()
    out: dict[str, Any] = {
        "mails_in_manifest": len(recs),
        "inbound_rows": sum(states.values()),
        "inbound_states": dict(states),
        "left_received": states.get(InboundState.RECEIVED, 0),
        "inbound_not_in_manifest": len(foreign),
        "expected_tickets": len(roots),
        "expected_replies": len(recs) - len(roots),
        "tickets_in_db": len(tickets),
        "tickets_by_department": dict(Counter(t["department__name"] for t in tickets.values())),
        "replies_on_expected_thread": replies_on_thread,
        "replies_that_opened_a_ticket": replies_opening_ticket,
        "attachments_expected": sum(1 for r in recs if r.get("attachment")),
        "attachments_in_db": sum(len(v) for v in attachments.values()),
        "extra_attachments": len(extra),
        "extra_attachments_by_type": dict(extra_by_type.most_common()),
        "extra_attachment_samples": [
            {k: a[k] for k in ("message", "filename", "content_type", "size")} for a in extra[:5]
        ],
        "checks": checks_json,
    }
    kinds: dict[str, dict[str, int]] = {}
    for r in recs:
        if r.get("attachment"):
            k = kinds.setdefault(r["attachment"]["kind"], {"expected": 0, "failed": 0})
            k["expected"] += 1
    for grp, count in checks_json["attachments"]["by_group"].items():
        kinds[grp.split("/")[0].lstrip(".")]["failed"] += count
    out["attachments_by_kind"] = kinds
    by_kind: dict[str, dict[str, int]] = {}
    for r in recs:
        if r["is_reply"]:
            k = by_kind.setdefault(r["reply_kind"], {"replies": 0, "off_thread": 0})
            k["replies"] += 1
    for grp, count in checks_json["threading"]["by_group"].items():
        by_kind[grp.split("/")[0]]["off_thread"] += count
    out["threading_by_reply_kind"] = by_kind
    return out


# ------------------------------------------------------------------------------------------
# the peer
# ------------------------------------------------------------------------------------------


def run_peer(n: int, seed: int) -> None:
    env = dict(os.environ)
    env["RESULTS_DIR"] = str(PEER_RESULTS_OWN)
    env["SEED"] = str(seed)
    env.pop("DATABASE_URL", None)
    PEER_RESULTS_OWN.mkdir(parents=True, exist_ok=True)
    print(f"[peer] setup.sh + bench_ingest.sh {n} (django-helpdesk in /tmp/peer) ...", flush=True)
    subprocess.run(["bash", str(HARNESS / "setup.sh")], check=True, env=env)
    subprocess.run(["bash", str(HARNESS / "bench_ingest.sh"), str(n)], check=True, env=env)


def find_peer(n: int, seed: int) -> dict[str, Any] | None:
    """The most recent peer result for this N and seed (sorted order, no raw 8-bit);
    failing that, the nearest N, marked same_n=False."""
    pattern = re.compile(rf"^ingest-N(\d+)-seed{seed}-8bit0-sorted(?:-run\w+)?\.json$")
    found: list[tuple[int, float, Path]] = []
    for folder in (HARNESS / "results", PEER_RESULTS_OWN):
        if folder.is_dir():
            for path in folder.iterdir():
                m = pattern.match(path.name)
                if m and "runrestarts" not in path.name:
                    found.append((int(m.group(1)), path.stat().st_mtime, path))
    if not found:
        return None
    same = [f for f in found if f[0] == n]
    pool = same or [f for f in found if abs(f[0] - n) == min(abs(x[0] - n) for x in found)]
    peer_n, _, path = max(pool, key=lambda f: f[1])
    figures = json.loads(path.read_text(encoding="utf-8"))
    verify_path = path.with_name(path.name.removesuffix(".json") + ".verify.json")
    out: dict[str, Any] = {
        "source": str(path), "same_n": peer_n == n, "mails": peer_n,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(path.stat().st_mtime)),
        **{k: figures.get(k) for k in (
            "messages_ingested", "wall_s", "startup_s_empty_run", "msgs_per_s",
            "msgs_per_s_excl_startup", "peak_rss_mib", "cpu_s_user_sys", "tickets_created",
            "followups_created", "attachments_stored", "of_which_html_body_copies")},
    }
    if verify_path.is_file():
        v = json.loads(verify_path.read_text(encoding="utf-8"))
        out["verify"] = {
            name: {"checked": c["checked"], "failed": c["failed"], "by_reason": c["by_reason"]}
            for name, c in v.get("checks", {}).items()
        }
    return out


# ------------------------------------------------------------------------------------------
# report
# ------------------------------------------------------------------------------------------


def print_desk(r: dict[str, Any]) -> None:
    v = r.get("verify", {})
    s = r.get("summary", {})
    print(f"\n=== ours, {r['database']}: {r['mails']} of {r['mails_in_corpus']} mails ===")
    print(f"  wall {r['wall_s']:.1f} s (start-up {r['startup_s']:.2f} s): "
          f"{r['msgs_per_s']} mails/s, {r['msgs_per_s_excl_startup']} mails/s excl. start-up")
    print(f"  peak RSS {r['peak_rss_mib']} MiB, CPU {r['cpu_s_user_sys']} s "
          f"({r['cpu_ms_per_mail']} ms/mail), "
          f"fs writes {r['fs_writes_mib']} MiB, load avg {r['loadavg_1min']}")
    print(f"  summary: {json.dumps(s)}")
    if "checks" not in v:
        print(f"  verification did not run: {v.get('error', '')[:500]}")
        return
    print(f"  stored: {v['inbound_rows']} inbound rows, states {v['inbound_states']}, "
          f"{v['left_received']} left 'received'")
    print(f"  tickets: {v['tickets_in_db']} in the DB, {v['expected_tickets']} threads in the "
          f"corpus; replies on their thread: {v['replies_on_expected_thread']} of "
          f"{v['expected_replies']} ({v['replies_that_opened_a_ticket']} opened a ticket)")
    own = sum(n for why, n in v["checks"]["threading"]["by_reason"].items()
              if not why.startswith("followed"))
    print(f"  off-thread replies: {v['checks']['threading']['failed']}, of which {own} on their "
          "own (the rest followed an earlier off-thread mail of the same thread)")
    print("  replies by kind: " + ", ".join(
        f"{k}: {x['replies'] - x['off_thread']}/{x['replies']} on thread"
        for k, x in sorted(v["threading_by_reply_kind"].items())))
    print("  attachments by kind: " + ", ".join(
        f".{k}: {x['expected'] - x['failed']}/{x['expected']} ok"
        for k, x in sorted(v["attachments_by_kind"].items())))
    if v["extra_attachments"]:
        print(f"  attachments not in the source: {v['extra_attachments']} "
              f"{v['extra_attachments_by_type']}")
    print(f"  {'check':<16} {'checked':>8} {'failed':>7}")
    for name, c in v["checks"].items():
        print(f"  {name:<16} {c['checked']:>8} {c['failed']:>7}")
    for name, c in v["checks"].items():
        if not c["failed"]:
            continue
        print(f"  -- {name}: {c['failed']} failed")
        for reason, count in c["by_reason"].items():
            print(f"       {count:>5} x {reason}")
        top = ", ".join(f"{g}: {k}" for g, k in list(c["by_group"].items())[:6])
        print(f"       by group: {top}")
        for sample in c["samples"][:4]:
            print(f"       e.g. {sample['file']} {sample['group']} ({sample['reason']})")
            if sample["expected"]:
                print(f"            expected: {sample['expected']!r}")
            if sample["got"]:
                print(f"            got     : {sample['got']!r}")


def ratio(ours: float | None, peer: float | None) -> float | None:
    return round(ours / peer, 2) if ours and peer else None


def save(figures: dict[str, Any], n: int) -> Path:
    """Write this run; results of earlier runs with another N are kept under other_runs."""
    previous: dict[str, Any] = {}
    path = RESULTS / "mail_ingest.json"
    if path.is_file():
        with contextlib.suppress(ValueError):
            previous = json.loads(path.read_text(encoding="utf-8"))
    others = dict(previous.get("other_runs", {}))
    if previous.get("mails_in_corpus") and previous["mails_in_corpus"] != n:
        others[f"N{previous['mails_in_corpus']}"] = {
            k: previous[k] for k in ("measured_at", "mails_in_corpus", "seed", "databases",
                                     "peer", "ours_over_peer") if k in previous
        }
    others.pop(f"N{n}", None)
    return write_result("mail_ingest", {**figures, "other_runs": others})


def _code_version() -> dict[str, Any]:
    def git(*args: str) -> str:
        proc = subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True,
                              check=False)
        return proc.stdout.strip()

    return {"commit": git("rev-parse", "--short", "HEAD"),
            "uncommitted_src_files": len(git("status", "--porcelain", "--", "src").splitlines())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mails", type=int, default=10000, help="corpus size N (default 10000)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--postgres", action=argparse.BooleanOptionalAction, default=None,
                        help="also PostgreSQL (default: when 127.0.0.1:5432 answers)")
    parser.add_argument("--sqlite", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--with-peer", action="store_true",
                        help="run the peer harness (setup.sh, bench_ingest.sh N) in this run")
    parser.add_argument("--keep", action="store_true", help="keep the desks' data directories")
    parser.add_argument("--verify-manifest", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--verify-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.verify_manifest:
        result = verify(args.verify_manifest)
        args.verify_out.write_text(json.dumps(result, ensure_ascii=False, indent=1),
                                   encoding="utf-8")
        return

    if not LITSO.exists():
        sys.exit(f"mail_ingest: {LITSO} not found (the venv's console script)")
    n, seed = args.mails, args.seed
    CACHE.mkdir(parents=True, exist_ok=True)
    mails, manifest = corpus(n, seed)
    vendors = (["sqlite"] if args.sqlite else []) + (
        ["postgresql"] if (args.postgres if args.postgres is not None else postgres_reachable())
        else []
    )
    desks = {vendor: run_desk(vendor, mails, manifest, n, args.keep) for vendor in vendors}

    peer_note = "peer: read from an earlier run"
    peer_load: list[float] = []
    if args.with_peer:
        peer_load.append(round(os.getloadavg()[0], 2))
        run_peer(n, seed)
        peer_load.append(round(os.getloadavg()[0], 2))
        peer_note = "peer: measured in this run"
    peer = find_peer(n, seed)
    if peer is not None:
        if peer_load:
            peer["loadavg_1min"] = peer_load
        if peer.get("cpu_s_user_sys") and peer.get("messages_ingested"):
            peer["cpu_ms_per_mail"] = round(
                1000 * peer["cpu_s_user_sys"] / peer["messages_ingested"], 1
            )
    if peer is not None:
        peer_dir = Path(os.environ.get("PEER_BENCH_DIR", "") or PEER_BENCH_DEFAULT)
        peer_manifest = peer_dir / "corpus" / f"N{peer['mails']}-seed{seed}-8bit0.manifest.jsonl"
        if peer["same_n"] and peer_manifest.is_file():
            peer["same_corpus_bytes_as_ours"] = (
                _sha256_file(peer_manifest) == _sha256_file(manifest)
            )

    for r in desks.values():
        print_desk(r)
    comparison: dict[str, Any] = {}
    print()
    if peer is None:
        print(f"peer: no result for seed {seed} in {HARNESS / 'results'} or {PEER_RESULTS_OWN}; "
              "run with --with-peer")
    else:
        which = "same N" if peer["same_n"] else f"NOT the same N: peer ran N={peer['mails']}"
        print(f"=== peer (django-helpdesk 2.6.1, SQLite) — {peer_note}: {peer['source']} "
              f"({which}, {peer['measured_at']}) ===")
        print(f"  {peer['messages_ingested']} mails in {peer['wall_s']} s: {peer['msgs_per_s']} "
              f"mails/s, {peer['msgs_per_s_excl_startup']} excl. start-up "
              f"({peer['startup_s_empty_run']} s); peak RSS {peer['peak_rss_mib']} MiB, "
              f"CPU {peer['cpu_s_user_sys']} s ({peer.get('cpu_ms_per_mail')} ms/mail); "
              f"same corpus bytes as ours: {peer.get('same_corpus_bytes_as_ours', 'unknown')}; "
              f"load avg {peer.get('loadavg_1min', 'not recorded')}")
        if peer.get("verify"):
            print("  peer verification: " + ", ".join(
                f"{k} {c['failed']}/{c['checked']} failed" for k, c in peer["verify"].items()))
        for vendor, r in desks.items():
            comparison[vendor] = {
                "msgs_per_s": ratio(r["msgs_per_s"], peer["msgs_per_s"]),
                "msgs_per_s_excl_startup": ratio(r["msgs_per_s_excl_startup"],
                                                 peer["msgs_per_s_excl_startup"]),
                "peak_rss": ratio(r["peak_rss_mib"], peer["peak_rss_mib"]),
                # CPU per mail is less at the mercy of other load on the machine than wall time.
                "cpu_per_mail": ratio(r["cpu_ms_per_mail"], peer.get("cpu_ms_per_mail")),
            }
            c = comparison[vendor]
            print(f"  ours/peer ({vendor}): {c['msgs_per_s']}x mails/s, "
                  f"{c['msgs_per_s_excl_startup']}x excl. start-up, {c['peak_rss']}x peak RSS, "
                  f"{c['cpu_per_mail']}x CPU per mail")

    figures = {
        "mails_in_corpus": n,
        "seed": seed,
        "corpus": {"generator": str(HARNESS / "gen_mail.py"), "dir": str(mails),
                   "manifest_sha256": _sha256_file(manifest), "queue_address": QUEUE_EMAIL},
        "code": _code_version(),
        "databases": desks,
        "peer": peer,
        "peer_note": peer_note,
        "ours_over_peer": comparison,
    }
    print(f"\nwrote {save(figures, n)}")


if __name__ == "__main__":
    main()
