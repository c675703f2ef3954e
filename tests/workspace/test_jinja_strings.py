"""The Jinja2 templates' msgids: listed for makemessages, translated, and safe to format."""

from __future__ import annotations

import re

import pytest

from litso.workspace.management.commands.jinja_strings import TARGET, module_text, msgids
from tests.core.test_translations import LANGUAGES, po_catalog

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
TAG = re.compile(r"<[^>]*>")


def test_jinja_strings_py_lists_what_the_templates_use() -> None:
    assert TARGET.read_text(encoding="utf-8") == module_text(), (
        "a Jinja2 template's text changed: run `litso manage jinja_strings`, then "
        "scripts/messages.sh"
    )
    # Both kinds are found, a percent sign kept as the catalogue has it.
    assert ("Assigned to %(name)s",) in msgids()
    assert ("Chased once", "Chased %(count)s times") in msgids()
    assert ("Updates: %%(count)s",) in msgids()


def _translations(language: str, strings: tuple[str, ...]) -> list[str]:
    catalog = po_catalog(language)
    if len(strings) == 1:
        return [catalog.get(strings[0], "")]
    # A plural entry is keyed (msgid, form) in a compiled catalogue.
    forms = [text for (msgid, _), text in _plurals(catalog) if msgid == strings[0]]
    return forms or [""]


def _plurals(catalog: dict[object, str]) -> list[tuple[tuple[str, int], str]]:
    return [(key, text) for key, text in catalog.items() if isinstance(key, tuple)]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_template_string_is_translated(language: str) -> None:
    missing = [strings[0] for strings in msgids() if not all(_translations(language, strings))]
    assert not missing, f"untranslated in {language}: {missing} (run scripts/messages.sh)"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_format_with_the_templates_variables_and_add_no_markup(
    language: str,
) -> None:
    """A translation is printed as markup, its variables escaped into it (Jinja2's newstyle
    gettext): it may use only the msgid's variables, and no tag, quote or & of its own."""
    problems = []
    for strings in msgids():
        names = {name for text in strings for name in PLACEHOLDER.findall(text.replace("%%", ""))}
        tags = {tag for text in strings for tag in TAG.findall(text)}
        for translated in _translations(language, strings):
            # "%%" is a plain "%" (formatting makes it one).
            text = translated.replace("%%", "")
            if not set(PLACEHOLDER.findall(text)) <= names or "%" in PLACEHOLDER.sub("", text):
                problems.append(f"{strings[0]!r}: {translated!r} formats differently")
            if set(TAG.findall(translated)) != tags:
                problems.append(f"{strings[0]!r}: {translated!r} has other tags")
            words = TAG.sub("", translated)
            for sign in '"&<>':
                if sign in words and not any(sign in TAG.sub("", text) for text in strings):
                    problems.append(f"{strings[0]!r}: {translated!r} adds {sign}")
    assert not problems, "\n".join(problems)
