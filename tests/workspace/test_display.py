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


@pytest.mark.parametrize("language", ["en", "ru", "pl"])
@pytest.mark.parametrize("zone", ["UTC", "Europe/Warsaw", "America/New_York"])
def test_short_datetime_writes_what_django_writes(language: str, zone: str) -> None:
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
        for moment in MOMENTS:
            expected = date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
            assert display.short_datetime(moment) == expected


@pytest.mark.parametrize(
    "fmt", ["d.m.Y H:i", "j n y G:i:s", "N j, Y, P", r"\\d\\a\\y: D jS F", "c", "r U e"]
)
def test_any_format_is_written_as_django_writes_it(fmt: str) -> None:
    with translation.override("en"):
        for moment in MOMENTS[:3]:
            local = timezone.localtime(moment, zoneinfo.ZoneInfo("Europe/Warsaw"))
            assert display.format_datetime(local, fmt) == dateformat.format(local, fmt)
