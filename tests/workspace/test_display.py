from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.utils import dateformat, timezone, translation
from django.utils.formats import date_format

from litso.workspace import display

MOMENTS = [
    datetime.datetime(2026, 1, 2, 0, 0, 5, tzinfo=datetime.UTC),
    datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC),
    datetime.datetime(2026, 7, 9, 23, 59, 59, tzinfo=datetime.UTC),
    datetime.datetime(999, 3, 4, 7, 8, tzinfo=datetime.UTC),
]


# In Warsaw: noon, midnight, and a quarter past both.
NOON_AND_MIDNIGHT = [
    datetime.datetime(2026, 1, 5, 11, 0, tzinfo=datetime.UTC),
    datetime.datetime(2026, 1, 5, 23, 0, tzinfo=datetime.UTC),
    datetime.datetime(2026, 1, 5, 11, 15, tzinfo=datetime.UTC),
    datetime.datetime(2026, 1, 5, 23, 15, tzinfo=datetime.UTC),
]


@pytest.mark.parametrize("language", ["en", "ru", "pl"])
@pytest.mark.parametrize("zone", ["UTC", "Europe/Warsaw", "America/New_York"])
def test_short_datetime_writes_what_django_writes(language: str, zone: str) -> None:
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
        for moment in [*MOMENTS, *NOON_AND_MIDNIGHT]:
            expected = date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
            assert display.words().short_datetime(moment) == expected


@pytest.mark.parametrize(
    "fmt", ["d.m.Y H:i", "j n y G:i:s", "N j, Y, P", r"\\d\\a\\y: D jS F", "c", "r U e", "g f a A"]
)
@pytest.mark.parametrize("language", ["en", "ru", "pl"])
def test_any_format_is_written_as_django_writes_it(fmt: str, language: str) -> None:
    with translation.override(language):
        for moment in [*MOMENTS[:3], *NOON_AND_MIDNIGHT]:
            local = timezone.localtime(moment, zoneinfo.ZoneInfo("Europe/Warsaw"))
            pieces = display._compiled(fmt, display._clock_words())
            written = "".join(p if isinstance(p, str) else p(local) for p in pieces)
            assert written == dateformat.format(local, fmt)


@pytest.mark.parametrize("language", ["en", "ru", "pl"])
def test_countdowns_and_labels_speak_the_active_language(language: str) -> None:
    now = datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC)
    with translation.override(language):
        words = display.words()
        due = now + datetime.timedelta(days=1, hours=2)
        assert words.countdown(due, now) == translation.gettext("in %(span)s") % {
            "span": translation.gettext("%(days)d d %(hours)d h") % {"days": 1, "hours": 2}
        }
        late = now - datetime.timedelta(minutes=7)
        assert display.countdown(late, now) == translation.gettext("%(span)s overdue") % {
            "span": translation.gettext("%(minutes)d min") % {"minutes": 7}
        }
        assert display.deadline_label("resolution") == translation.gettext("Resolution")


def test_each_language_keeps_its_own_words() -> None:
    now = datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC)
    late = now - datetime.timedelta(minutes=7)
    said = {}
    for language in ("en", "ru", "pl", "en"):
        with translation.override(language):
            said.setdefault(language, display.countdown(late, now))
            assert display.countdown(late, now) == said[language]
    assert len(set(said.values())) == 3, said
