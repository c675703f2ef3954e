"""Write workspace/jinja_strings.py: the msgids of the Jinja2 templates, for makemessages.

Django's makemessages reads Django templates and Python, not Jinja2; this lists every
``_("…")`` and ``ngettext("…", "…", n)`` of the workspace's Jinja2 templates as Python it
reads. Run it after changing a template's text, then ``scripts/messages.sh``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.template import engines

import litso.workspace

TARGET = Path(litso.workspace.__file__).resolve().parent / "jinja_strings.py"
FUNCTIONS = ("_", "gettext", "ngettext")
HEADER = '''"""Every msgid of the workspace's Jinja2 templates, for makemessages (which cannot
read Jinja2). Written by `litso manage jinja_strings`; do not edit.
tests/workspace/test_jinja_strings.py fails when it is out of date.
"""
# ruff: noqa: E501
# fmt: off

from django.utils.translation import gettext_noop, ngettext_lazy

'''


def msgids() -> list[tuple[str, ...]]:
    """(msgid,) or (msgid, msgid_plural) of every translatable string, sorted."""
    env = engines["jinja2"].env  # type: ignore[attr-defined]
    found: set[tuple[str, ...]] = set()
    for name in env.list_templates():
        source, filename, _ = env.loader.get_source(env, name)
        for line, function, message in env.extract_translations(source, FUNCTIONS):
            strings = (message,) if isinstance(message, str) else message
            texts = tuple(text for text in strings if text is not None)
            if not texts or not all(isinstance(text, str) for text in texts[:2]):
                raise CommandError(f"{filename}:{line}: {function}() of something not a string")
            found.add(texts[:2] if function == "ngettext" else texts[:1])
    return sorted(found)


def module_text() -> str:
    lines = []
    for strings in msgids():
        literals = ", ".join(json.dumps(text, ensure_ascii=False) for text in strings)
        function = "ngettext_lazy" if len(strings) == 2 else "gettext_noop"
        lines.append(f"{function}({literals})\n")
    return HEADER + "".join(lines)


class Command(BaseCommand):
    help = "Write workspace/jinja_strings.py, the Jinja2 templates' msgids for makemessages."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true", help="fail if it is out of date")

    def handle(self, *args: Any, **options: Any) -> None:
        text = module_text()
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if options["check"]:
            if current != text:
                raise CommandError(f"{TARGET} is out of date: run `litso manage jinja_strings`")
            return
        if current != text:
            TARGET.write_text(text, encoding="utf-8")
        self.stdout.write(f"{TARGET}: {text.count(chr(10)) - HEADER.count(chr(10))} strings")
