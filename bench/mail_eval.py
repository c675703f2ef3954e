"""Email parsing layer against public test mail (shared/data/email, next to the repo).

    .venv/bin/python bench/mail_eval.py [--data PATH] [--verbose]

Figures:
- crash: parse_message over every file of the data set (replies' .txt and .html too);
  anything but a ParsedMail or UnparseableMail is a crash.
- readable: every mail of flanker's and mail-parser's sets and talon's .eml files that is
  not a bounce or complaint yields a readable subject and body (non-empty, no U+FFFD, no
  mojibake). Failures are listed; the ones whose source really is empty are named so.
- reports: files in flanker's bounce/ and complaints/ folders and mail-parser's
  ``mail_malformed_2`` (a DSN) must classify as BOUNCE / COMPLAINT, nothing else may;
  for bounces, how often bounce_info finds the recipient and the original Message-ID.
- replies: split_reply's visible text against expectations —
  crisp-oss/email-reply-parser fixtures (expectations transcribed from its test.js; a few
  fixtures it leaves untested carry ours, marked "ours"), talon's standard replies
  (expected "Hello" or the ``*_reply_text`` file) and HTML replies (expected "Hi. I am
  fine. Thanks, Alex"). talon keeps signatures in the reply while we fold them, so a
  talon case matches when visible, or visible plus signature, equals the expectation
  ignoring whitespace. talon's signature corpus checks that no content line is folded.

Writes bench/results/mail_eval.json.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
from _setup import write_result
from litso.mail.autoreply import MailKind, bounce_info, classify
from litso.mail.parsing import ParsedMail, UnparseableMail, parse_message
from litso.mail.quoting import Reply, split_reply, split_reply_html

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "email"
MOJIBAKE = re.compile(
    r"[ÐÑ][\u0080-\u00bf]|Ã[\u0080-\u00bf]|â€|[\u00c0-\u00ff]{5,}|[\u0080-\u009f]"
)
# Sources whose subject or body is genuinely empty: reporting them as failures would be
# asking the parser to invent text.
EMPTY_IN_SOURCE = {
    "false-multipart.eml": "body: source multipart has no parts at all",
    "bounce/delayed-broken.eml": "source is a bare delivery-status part",
    "mail_test_6": "subject: the Subject header is empty",
    "signed.eml": "body: the signed content is typed application/plain (an attachment)",
    "missing-boundaries.eml": "subject: the message has no Subject header",
    "outlook-express.eml": "body: the whole message is one application/octet-stream part",
}
EXPECTED_UNPARSEABLE = {"mail_outlook_1": "an Outlook .msg (OLE) file, not RFC 5322"}
COMMON = (
    "Fusce bibendum, quam hendrerit sagittis tempor, dui turpis tempus erat, pharetra sodales "
    "ante sem sit amet metus.\nNulla malesuada, orci non vulputate lobortis, massa felis "
    "pharetra ex, convallis consectetur ex libero eget ante.\nNam vel turpis posuere, rhoncus "
    "ligula in, venenatis orci. Duis interdum venenatis ex a rutrum.\nDuis ut libero eu lectus "
    "consequat consequat ut vel lorem. Vestibulum convallis lectus urna,\net mollis ligula "
    "rutrum quis. Fusce sed odio id arcu varius aliquet nec nec nibh."
)
Check = Callable[[Reply, str], bool]


def exact(expected: str) -> Check:
    return lambda reply, _text: reply.visible.strip() == expected.strip()


def has(*needles: str, without: tuple[str, ...] = ()) -> Check:
    return lambda reply, _text: (
        all(n in reply.visible for n in needles) and not any(n in reply.visible for n in without)
    )


def unfolded(reply: Reply, text: str) -> bool:
    """Nothing folded away as quoted history (a signature may be)."""
    return reply.quoted == "" and squash(reply.visible + reply.signature) == squash(text)


# (expectation, source): "test.js" transcribes crisp's own assertions.
CRISP: dict[str, tuple[Check, str]] = {
    "email_1.txt": (
        exact(
            "Hi folks\n\nWhat is the best way to clear a Riak bucket of all key, values after\n"
            "running a test?\nI am currently using the Java HTTP API.\n\n-Abhishek Kona"
        ),
        "test.js",
    ),
    "email_2.txt": (has("Hi,", "You can list"), "test.js"),
    "email_3.txt": (
        exact("Oh thanks.\n\nHaving the function would be great.\n\n-Abhishek Kona"),
        "test.js",
    ),
    "email_4.txt": (has("Awesome", without=("Loader",)), "test.js"),
    "email_5.txt": (unfolded, "test.js"),
    "email_6.txt": (has("I get", without=("Was this",)), "test.js"),
    "email_one_is_not_on.txt": (
        has("One outstanding question", without=("On Oct 1, 2012",)),
        "test.js",
    ),
    "email_sent_from.txt": (
        exact(
            "Hi it can happen to any texts you type, as long as you type in between words or "
            "paragraphs."
        ),
        "test.js",
    ),
    "email_emoji.txt": (exact("🎉\n\n—\nJohn Doe\nCEO at Pandaland\n\n@pandaland"), "test.js"),
    "email_not_a_signature.txt": (unfolded, "test.js"),
    "email_not_a_signature_2.txt": (unfolded, "test.js"),
    "email_reply_header.txt": (has("On the other hand", without=("On Wed, Dec 9",)), "test.js"),
    "email_zoho.txt": (
        exact(
            "What is the best way to clear a Riak bucket of all key, values after\nrunning a test?"
        ),
        "test.js",
    ),
    "email_with_regards.txt": (
        exact("Hi,\n\nI still have the same problem....\n\nCan you help?"),
        "test.js",
    ),
    "correct_sig.txt": (exact("this is an email with a correct -- signature."), "test.js"),
    "sig_no_empty_line.txt": (
        exact("this is an email with a signature with no empty line above."),
        "test.js",
    ),
    "email_tricky_1_on_false_positive.txt": (unfolded, "test.js"),
    "email_tricky_2_url_with_wrote.txt": (
        has("Check out this article", "https://example.com"),
        "test.js",
    ),
    "email_tricky_3_code_block.txt": (has("function sendEmail"), "test.js"),
    "email_tricky_4_from_in_body.txt": (has("This is the actual message content."), "test.js"),
    "email_tricky_6_regards_in_sentence.txt": (
        has("with regards to the payment", "should be visible"),
        "test.js",
    ),
    "email_tricky_7_multiple_dashes.txt": (has("Key Points", "equal signs"), "test.js"),
    "email_tricky_8_sent_from_in_content.txt": (
        has("sent from my iPhone app", "main server"),
        "test.js",
    ),
    "email_tricky_9_nested_quotes.txt": (
        has("I agree with the points", without=("Thanks for forwarding",)),
        "test.js",
    ),
    "email_tricky_11_double_signature.txt": (has("Thanks for your help"), "test.js"),
    "email_tricky_13_timestamp_variations.txt": (unfolded, "test.js"),
    "email_tricky_16_unicode_signatures.txt": (has("Thanks for the update"), "test.js"),
    "email_tricky_17_forward_header.txt": (
        has("See the forwarded message", without=("This is the forwarded content",)),
        "test.js",
    ),
    "email_tricky_18_inline_reply.txt": (has("Option C is not suitable"), "test.js"),
    "email_tricky_19_quote_without_header.txt": (
        has("I wanted to respond", "And my final thoughts"),
        "test.js",
    ),
    "email_tricky_20_html_entities.txt": (
        has("&gt; 100 and &lt; 200", without=("Previous message",)),
        "test.js",
    ),
    "email_iphone.txt": (exact("Here is another email"), "ours"),
    "email_blackberry.txt": (exact("Here is another email"), "ours"),
    "email_multi_word_sent_from_my_mobile_device.txt": (exact("Here is another email"), "ours"),
    "email_sent_from_my_not_signature.txt": (unfolded, "ours"),
    "email_19.txt": (has("On Thursday, I get proper rendering.", without=("Was this",)), "ours"),
    "email_20.txt": (exact("On Thursday."), "ours"),
    "email_21.txt": (unfolded, "ours"),
    "email_2_1.txt": (exact("Outlook with a reply"), "ours"),
    "email_bullets.txt": (has("and another", without=("Give us an example",)), "ours"),
    "email_custom_quote_header.txt": (exact("Thank you!"), "ours"),
    "email_customer_quote_header_2.txt": (exact("Thank you very much."), "ours"),
    "email_customer_quote_header_3.txt": (
        exact("bonjour,\nje n'ai pas eu de retour sur ma précision..\nmerci d'avance"),
        "ours",
    ),
    "email_thread.txt": (exact("This is new email reply in thread from bellow."), "ours"),
    "email_unquoted_reply.txt": (exact("This is my reply."), "ours"),
}
TALON_HTML_EXPECTED = "Hi. I am fine.\n\nThanks,\nAlex"
TALON_EXTRA: dict[str, Check] = {
    "reply-separated-by-hr.html": lambda r, _t: squash(r.visible) == squash("Hi there Bob"),
    "OLK_SRC_BODY_SECTION.html": lambda r, _t: r.visible.strip() == "Reply",
}


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def unreadable(text: str) -> str | None:
    if not text.strip():
        return "empty"
    if "\ufffd" in text:
        return "replacement characters"
    if MOJIBAKE.search(text):
        return f"mojibake near {MOJIBAKE.search(text)!r}"
    return None


def mail_files(data: Path) -> list[Path]:
    sets = [data / "flanker", data / "mailparser"]
    files = [p for base in sets for p in base.rglob("*") if p.is_file() and _is_mail(p)]
    files += sorted((data / "replies" / "talon").rglob("*.eml"))
    return sorted(files)


def _is_mail(path: Path) -> bool:
    return path.suffix not in (".png", ".wav", ".txt", ".html") and path.name not in (
        "LICENSE",
        "SOURCE",
        "LICENSE.txt",
    )


def key(path: Path, data: Path) -> str:
    rel = path.relative_to(data).as_posix()
    for name in list(EMPTY_IN_SOURCE) + list(EXPECTED_UNPARSEABLE):
        if rel.endswith(name):
            return name
    return rel


def crash_figures(data: Path) -> dict[str, Any]:
    crashes, unparseable, slowest = [], [], (0.0, "")
    files = [p for p in sorted(data.rglob("*")) if p.is_file()]
    for path in files:
        started = time.perf_counter()
        try:
            parse_message(path.read_bytes())
        except UnparseableMail as exc:
            unparseable.append(f"{path.relative_to(data)}: {exc.reason}")
        except Exception as exc:
            crashes.append(f"{path.relative_to(data)}: {type(exc).__name__}: {exc}")
        slowest = max(slowest, (time.perf_counter() - started, str(path.relative_to(data))))
    return {
        "files": len(files),
        "crashes": len(crashes),
        "crash_list": crashes,
        "unparseable": len(unparseable),
        "unparseable_list": unparseable,
        "slowest_file": {"seconds": round(slowest[0], 4), "file": slowest[1]},
    }


def expected_kind(rel: str) -> MailKind:
    if "/bounce/" in rel or rel.endswith("mail_malformed_2"):
        return MailKind.BOUNCE
    if "/complaints/" in rel:
        return MailKind.COMPLAINT
    return MailKind.NORMAL  # NORMAL or AUTO_REPLY: "not a report"


def mail_figures(data: Path) -> dict[str, Any]:
    readable_ok, failures, known_empty, expected_unparseable = 0, [], [], []
    report_ok, report_total, report_misses, false_reports = 0, 0, [], []
    bounce_recipient, bounce_msgid, bounces = 0, 0, 0
    for path in mail_files(data):
        rel = path.relative_to(data).as_posix()
        try:
            mail = parse_message(path.read_bytes())
        except UnparseableMail as exc:
            if key(path, data) in EXPECTED_UNPARSEABLE:
                expected_unparseable.append(f"{rel}: {exc.reason}")
            else:
                failures.append(f"{rel}: unparseable: {exc.reason}")
            continue
        kind = classify(mail)
        expected = expected_kind(rel)
        if expected is not MailKind.NORMAL:
            report_total += 1
            if kind is expected:
                report_ok += 1
            else:
                report_misses.append(f"{rel}: {kind.value}")
            if kind is MailKind.BOUNCE:
                bounces += 1
                info = bounce_info(mail)
                bounce_recipient += info.recipient is not None
                bounce_msgid += info.original_message_id is not None
            continue
        if kind in (MailKind.BOUNCE, MailKind.COMPLAINT):
            false_reports.append(f"{rel}: {kind.value}")
        problems = _readability(mail)
        if not problems:
            readable_ok += 1
        elif key(path, data) in EMPTY_IN_SOURCE:
            known_empty.append(f"{rel}: {EMPTY_IN_SOURCE[key(path, data)]}")
        else:
            failures.append(f"{rel}: {'; '.join(problems)}")
    checked = readable_ok + len(failures) + len(known_empty)
    return {
        "readable": {
            "mails": checked,
            "ok": readable_ok,
            "empty_in_source": known_empty,
            "failures": len(failures),
            "failure_list": failures,
            "expected_unparseable": expected_unparseable,
        },
        "reports": {
            "expected": report_total,
            "recognised": report_ok,
            "misses": report_misses,
            "false_positives": false_reports,
            "bounce_recipient_found": f"{bounce_recipient}/{bounces}",
            "bounce_original_message_id_found": f"{bounce_msgid}/{bounces}",
        },
    }


def _readability(mail: ParsedMail) -> list[str]:
    problems = []
    for field, text in (("subject", mail.subject), ("body", mail.body_text)):
        problem = unreadable(text)
        if problem:
            problems.append(f"{field}: {problem}")
    return problems


def reply_figures(data: Path, verbose: bool) -> dict[str, Any]:
    results: dict[str, dict[str, Any]] = {}

    def record(group: str, name: str, ok: bool, reply: Reply) -> None:
        entry = results.setdefault(group, {"cases": 0, "matched": 0, "misses": []})
        entry["cases"] += 1
        entry["matched"] += ok
        if not ok:
            entry["misses"].append(name)
            if verbose:
                print(f"  MISS {group}/{name}: visible={reply.visible[:160]!r}")

    crisp = data / "replies" / "crisp" / "test" / "fixtures"
    for path in sorted(crisp.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        reply = split_reply(text)
        if text.lstrip().startswith(COMMON):
            record("crisp_test_js", path.name, reply.visible.strip() == COMMON, reply)
        elif path.name in CRISP:
            check, source = CRISP[path.name]
            record(
                "crisp_test_js" if source == "test.js" else "crisp_ours",
                path.name,
                check(reply, text),
                reply,
            )
    talon = data / "replies" / "talon" / "tests" / "fixtures"
    for path in sorted((talon / "standard_replies").glob("*.eml")):
        expected_file = path.with_name(path.stem + "_reply_text")
        expected = expected_file.read_text().strip() if expected_file.exists() else "Hello"
        reply = split_reply(parse_message(path.read_bytes()).body_text)
        record("talon_standard", path.name, _talon_match(reply, expected), reply)
    for path in sorted((talon / "html_replies").glob("*.html")):
        reply = split_reply_html(path.read_text(encoding="utf-8", errors="replace"))
        record("talon_html", path.name, _talon_match(reply, TALON_HTML_EXPECTED), reply)
    for name, check in TALON_EXTRA.items():
        reply = split_reply_html((talon / name).read_text(encoding="utf-8"))
        record("talon_extra_ours", name, check(reply, ""), reply)
    share = parse_message((talon / "reply-quotations-share-block.eml").read_bytes()).body_text
    reply = split_reply(share)
    ok = reply.visible.startswith("Hi Katharine.") and "From:" not in reply.visible
    record("talon_extra_ours", "reply-quotations-share-block.eml", ok, reply)
    for body in sorted((talon / "signature" / "emails" / "stripped").glob("*_body")):
        signature = body.with_name(body.name.replace("_body", "_signature")).read_text().strip()
        text = body.read_text()
        content = text[: text.rindex(signature)] if signature else text
        reply = split_reply(text)
        record(
            "talon_signature_content_kept",
            body.name,
            squash(content) in squash(reply.visible),
            reply,
        )
    total = sum(e["cases"] for e in results.values())
    matched = sum(e["matched"] for e in results.values())
    return {"total": total, "matched": matched, "groups": results}


def _talon_match(reply: Reply, expected: str) -> bool:
    target = squash(expected)
    return target in (squash(reply.visible), squash(reply.visible + reply.signature))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    data: Path = args.data
    if not data.is_dir():
        print(f"mail_eval: skipped, no data at {data}")
        return
    started = time.perf_counter()
    figures: dict[str, Any] = {"data": str(data)}
    figures["crash"] = crash_figures(data)
    figures.update(mail_figures(data))
    figures["replies"] = reply_figures(data, args.verbose)
    figures["seconds"] = round(time.perf_counter() - started, 2)
    _print(figures)
    print(f"wrote {write_result('mail_eval', figures)}")


def _print(figures: dict[str, Any]) -> None:
    crash, readable, reports, replies = (
        figures["crash"],
        figures["readable"],
        figures["reports"],
        figures["replies"],
    )
    print(
        f"files parsed: {crash['files']}, crashes: {crash['crashes']}, "
        f"unparseable: {crash['unparseable']} (slowest {crash['slowest_file']})"
    )
    for line in crash["crash_list"]:
        print(f"  CRASH {line}")
    print(
        f"readable subject+body: {readable['ok']}/{readable['mails']} "
        f"(empty in source: {len(readable['empty_in_source'])}, failures: {readable['failures']})"
    )
    for line in readable["failure_list"]:
        print(f"  FAIL {line}")
    for line in readable["empty_in_source"] + readable["expected_unparseable"]:
        print(f"  known: {line}")
    print(
        f"bounces/complaints recognised: {reports['recognised']}/{reports['expected']}, "
        f"false positives: {len(reports['false_positives'])}, recipient found "
        f"{reports['bounce_recipient_found']}, original Message-ID found "
        f"{reports['bounce_original_message_id_found']}"
    )
    for line in reports["misses"] + reports["false_positives"]:
        print(f"  REPORT {line}")
    print(f"replies: visible text matches {replies['matched']}/{replies['total']}")
    for group, entry in replies["groups"].items():
        print(f"  {group}: {entry['matched']}/{entry['cases']}  misses: {entry['misses']}")
    print(f"({figures['seconds']} s)")


if __name__ == "__main__":
    main()
