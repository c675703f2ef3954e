"""The standard library's mail parser, less the regular expression it compiles per multipart.

``email.feedparser.FeedParser._parsegen`` compiles ``(?P<sep>--BOUNDARY)(?P<end>--)?…$`` for
every multipart it meets, and boundaries are unique per mail, so Python's regex cache never
helps: compiling was a fiftieth of a mail's processing. Here the same generator runs (its code,
with the module's globals) with ``re`` replaced by `_Patterns`, whose ``compile`` turns that one
pattern into `_Boundary`: the separator compared as a prefix, then one regex compiled once for
the rest of the line. Its ``match`` returns None exactly when the pattern's would, and a match
with the same ``end``, ``ws`` and ``linesep`` groups, all that the parser reads of it
(tests/mail/test_parsing.py compares them). Any other pattern is compiled by ``re``.
"""

from __future__ import annotations

import email.feedparser
import re
import types
from email.message import Message
from email.policy import Policy

# How _parsegen builds the pattern around re.escape(separator) (Python 3.11-3.13).
_HEAD = "(?P<sep>"
_TAIL = r")(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$"
_REST = re.compile(r"(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$")
_ESCAPED = re.compile(r"\\(.)", re.DOTALL)


class _Boundary:
    __slots__ = ("separator",)

    def __init__(self, separator: str) -> None:
        self.separator = separator

    def match(self, line: str) -> re.Match[str] | None:
        if not line.startswith(self.separator):
            return None
        return _REST.match(line, len(self.separator))


class _Patterns:
    """``re`` as _parsegen uses it: ``escape`` and ``compile``."""

    escape = staticmethod(re.escape)

    @staticmethod
    def compile(pattern: str, flags: int = 0) -> re.Pattern[str] | _Boundary:
        if not flags and pattern.startswith(_HEAD) and pattern.endswith(_TAIL):
            escaped = pattern[len(_HEAD) : -len(_TAIL)]
            separator = _ESCAPED.sub(r"\1", escaped)
            # Only a separator that escapes back to the same text (anything re.escape made).
            if re.escape(separator) == escaped:
                return _Boundary(separator)
        return re.compile(pattern, flags)


_parsegen = types.FunctionType(
    email.feedparser.FeedParser._parsegen.__code__,  # type: ignore[attr-defined]
    {**vars(email.feedparser), "re": _Patterns},
    "_parsegen",
)


class _FeedParser(email.feedparser.FeedParser):
    _parsegen = _parsegen


def message_from_bytes(raw: bytes, policy: Policy) -> Message:
    """``email.message_from_bytes(raw, policy=policy)``, fed as ``email.parser.Parser`` feeds."""
    parser = _FeedParser(policy=policy)
    text = raw.decode("ASCII", errors="surrogateescape")
    for start in range(0, len(text), 8192):
        parser.feed(text[start : start + 8192])
    message: Message = parser.close()
    return message
