"""The Russian and Polish catalogues: real strings translate, nothing is left untranslated, and
the committed .mo files match their .po files (scripts/messages.sh refreshes both)."""

from __future__ import annotations

import ast
import gettext
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.utils import translation

import litso
from litso.core.choices import Channel, Priority
from litso.customers.models import Customer
from litso.staff.models import Role
from litso.tickets.models import Delivery, MessageKind, Status, Ticket

LOCALE_DIR = Path(litso.__file__).resolve().parent / "locale"
LANGUAGES = ["ru", "pl"]


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> str:
        # How a .mo file (and so Python's gettext) names the entry.
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"


def parse_po(path: Path) -> list[Entry]:
    """Active entries of a .po file (obsolete `#~` entries are left out), header included."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int] | None = None

    def finish() -> None:
        nonlocal entry, target
        if entry.line:
            entries.append(entry)
        entry, target = Entry(), None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            if entry.msgstr:
                finish()
            continue
        if line.startswith("#"):
            if entry.msgstr:
                finish()
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            assert target is not None, f"{path}:{number}: continuation line outside an entry"
            text = ast.literal_eval(line)
        else:
            if keyword in ("msgctxt", "msgid") and entry.msgstr:
                finish()
            text = ast.literal_eval(rest)
            indexed = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if indexed:
                target = ("msgstr", int(indexed.group(1)))
            elif keyword in ("msgctxt", "msgid", "msgid_plural", "msgstr"):
                target = (keyword, 0)
            else:
                raise AssertionError(f"{path}:{number}: unexpected line {raw!r}")
            entry.line = entry.line or number
        name, index = target
        if name == "msgstr":
            entry.msgstr[index] = entry.msgstr.get(index, "") + text
        else:
            setattr(entry, name, (getattr(entry, name) or "") + text)
    finish()
    return entries


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.po"


def without_creation_date(catalog: dict[object, str]) -> dict[object, str]:
    # msgfmt leaves POT-Creation-Date out of the .mo header (some versions keep it).
    header = re.sub(r"^POT-Creation-Date:.*\n", "", catalog.get("", ""), flags=re.MULTILINE)
    return {**catalog, "": header}


def mo_catalog(path: Path) -> dict[object, str]:
    with path.open("rb") as fp:
        catalog = gettext.GNUTranslations(fp)._catalog  # type: ignore[attr-defined]
    return without_creation_date(dict(catalog))


def po_catalog(language: str) -> dict[object, str]:
    """What msgfmt should put in the .mo: translated, non-fuzzy entries (and the header)."""
    catalog: dict[object, str] = {}
    for entry in parse_po(po_path(language)):
        if "fuzzy" in entry.flags and entry.msgid:
            continue
        if entry.msgid_plural is None:
            if entry.msgstr[0]:
                catalog[entry.key] = entry.msgstr[0]
        elif all(entry.msgstr.values()):
            for index, text in entry.msgstr.items():
                catalog[(entry.key, index)] = text
    return without_creation_date(catalog)


# (lazy string, Russian, Polish)
EXPECTED = [
    (Status.PENDING_CUSTOMER.label, "Ожидает ответа клиента", "Oczekuje na klienta"),
    (Status.SOLVED.label, "Решено", "Rozwiązane"),
    (Priority.URGENT.label, "Срочный", "Pilny"),
    (Channel.WEB.label, "Веб-форма", "Formularz WWW"),
    (MessageKind.NOTE.label, "Внутренняя заметка", "Notatka wewnętrzna"),
    (Delivery.QUEUED.label, "В очереди", "W kolejce"),
    (Role.AGENT.label, "Агент", "Agent"),
    (Role.SUPERVISOR.label, "Руководитель", "Kierownik"),
    (Ticket._meta.verbose_name, "обращение", "zgłoszenie"),
    (Ticket._meta.verbose_name_plural, "обращения", "zgłoszenia"),
    (Customer._meta.verbose_name, "клиент", "klient"),
]


@pytest.mark.parametrize("language", LANGUAGES)
def test_real_strings_are_translated(language: str) -> None:
    column = 1 + LANGUAGES.index(language)
    with translation.override(language):
        got = [str(row[0]) for row in EXPECTED]
    assert got == [row[column] for row in EXPECTED]
    with translation.override("en"):
        assert str(Status.PENDING_CUSTOMER.label) == "Waiting for customer"
        assert str(Ticket._meta.verbose_name) == "ticket"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated(language: str) -> None:
    entries = parse_po(po_path(language))
    header, messages = entries[0], entries[1:]
    assert header.msgid == ""
    assert f"Language: {language}\n" in header.msgstr[0]
    assert "fuzzy" not in header.flags, "drop the fuzzy flag from the header"
    nplurals = int(re.search(r"nplurals=(\d+)", header.msgstr[0]).group(1))  # type: ignore[union-attr]
    assert len(messages) > 50
    problems = []
    for entry in messages:
        where = f"line {entry.line}: {entry.msgid!r}"
        if "fuzzy" in entry.flags:
            problems.append(f"{where} is fuzzy")
        if entry.msgid_plural is not None and sorted(entry.msgstr) != list(range(nplurals)):
            problems.append(f"{where} needs {nplurals} plural forms")
        if not all(entry.msgstr.values()):
            problems.append(f"{where} is untranslated")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_committed_mo_matches_po(language: str) -> None:
    mo = po_path(language).with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run scripts/messages.sh"
    assert mo_catalog(mo) == po_catalog(language), f"{mo} is stale: run scripts/messages.sh"


@pytest.mark.parametrize("language", LANGUAGES)
def test_msgfmt_accepts_the_po_and_agrees_with_the_committed_mo(
    language: str, tmp_path: Path
) -> None:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("GNU gettext (msgfmt) is not installed")
    compiled = tmp_path / "django.mo"
    result = subprocess.run(
        [msgfmt, "--check", "--statistics", "-o", str(compiled), str(po_path(language))],
        capture_output=True,
        text=True,
        check=False,
        env={"LC_ALL": "C", "PATH": str(Path(msgfmt).parent)},
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr, result.stderr
    assert "fuzzy" not in result.stderr, result.stderr
    committed = po_path(language).with_suffix(".mo")
    # Catalogues rather than bytes: another gettext version may lay the file out differently.
    assert mo_catalog(compiled) == mo_catalog(committed), "stale .mo: run scripts/messages.sh"
