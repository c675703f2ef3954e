"""feedparse: the standard library's parser without a regex per boundary, with its results."""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage, Message
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from litso.mail import feedparse

CORPUS = Path(__file__).parent / "corpus"
SPECIALS = "-=_.+*?()[]{}|^$\\/:'\" \t"


def stdlib_pattern(boundary: str) -> str:
    # Exactly what email.feedparser builds for a multipart with this boundary.
    return (
        "(?P<sep>"
        + re.escape("--" + boundary)
        + r")(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$"
    )


@settings(max_examples=400, deadline=None)
@given(
    boundary=st.text(alphabet=st.sampled_from("aZ09ж" + SPECIALS), min_size=1, max_size=12),
    before=st.sampled_from(["", "-", "--", "x", " "]),
    after=st.text(alphabet=st.sampled_from("-x \t\r\n="), max_size=6),
)
def test_a_boundary_line_matches_as_the_compiled_pattern_does(
    boundary: str, before: str, after: str
) -> None:
    pattern = stdlib_pattern(boundary)
    ours = feedparse._Patterns.compile(pattern)
    assert isinstance(ours, feedparse._Boundary)  # no regex compiled for it
    theirs = re.compile(pattern)
    for line in (before + "--" + boundary + after, "--" + boundary + after, after):
        expected, got = theirs.match(line), ours.match(line)
        assert (got is None) == (expected is None), line
        if expected is not None and got is not None:
            for group in ("end", "ws", "linesep"):
                assert got.group(group) == expected.group(group), (line, group)


def test_other_patterns_are_compiled_by_re() -> None:
    assert isinstance(feedparse._Patterns.compile(r"(?P<sep>a)"), re.Pattern)


def parts(message: Message) -> list[tuple[object, ...]]:
    return [
        (
            part.get_content_type(),
            part.get_payload() if not part.is_multipart() else len(part.get_payload()),
            part.preamble,
            part.epilogue,
            [type(defect).__name__ for defect in part.defects],
            part.items(),
        )
        for part in message.walk()
    ]


def nested(boundary: str) -> bytes:
    inner = EmailMessage()
    inner.set_content("text part\r\nline two")
    inner.add_alternative("<p>html</p>", subtype="html")
    outer = EmailMessage()
    outer["Subject"] = "nested"
    outer.set_content("body")
    outer.add_attachment(b"\x00\x01data", maintype="application", subtype="octet-stream")
    outer.attach(inner)
    outer.set_boundary(boundary)
    return outer.as_bytes()


def test_every_corpus_mail_parses_as_with_the_standard_library() -> None:
    raws = [path.read_bytes() for path in sorted(CORPUS.glob("*.eml"))]
    raws += [nested(b) for b in ("simple", "a.b+c*d?(e)", "=_Part_0_123.456", "x" * 70)]
    raws.append(nested("end").replace(b"--end--", b"--end--  \t"))
    raws.append(
        b"Content-Type: multipart/mixed; boundary=zz\r\n\r\npre\r\n--zz\r\n\r\nnever closed"
    )
    assert len(raws) > 60
    for raw in raws:
        for policy in (email.policy.compat32, email.policy.default):
            expected = email.message_from_bytes(raw, policy=policy)
            got = feedparse.message_from_bytes(raw, policy)
            assert parts(got) == parts(expected)
            assert got.as_bytes() == expected.as_bytes()


def test_the_standard_library_builds_the_pattern_recognised() -> None:
    # Were _parsegen to build it otherwise, every boundary would be compiled again (slower,
    # not wrong): this says so.
    import inspect

    source = inspect.getsource(email.feedparser.FeedParser._parsegen)
    assert "re.compile(\n                '(?P<sep>' + re.escape(separator) +" in source
    assert "r')(?P<end>--)?(?P<ws>[ \\t]*)(?P<linesep>\\r\\n|\\r|\\n)?$')" in source
