"""Instants as integer microseconds, and the mapping from local wall-clock time to real time.

UTC instants and "wall-clock readings taken as if they were UTC" share one integer scale
(microseconds since 1970-01-01), which keeps deadline arithmetic exact and cheap.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from litso.sla.spec import CalendarError

US = 1_000_000
MINUTE_US = 60 * US
HOUR_US = 60 * MINUTE_US
DAY_US = 24 * HOUR_US
ONE_MICROSECOND = timedelta(microseconds=1)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = EPOCH.date().toordinal()

# No zone has ever been more than 16 hours off UTC, so the instants showing a given local
# date lie within 16 hours of that date's midnight-to-midnight read as UTC.
MAX_OFFSET_US = 16 * HOUR_US
# Clock changes are months apart; probing the offset every four hours cannot step over two.
_PROBE_US = 4 * HOUR_US

Interval = tuple[int, int]
Segment = tuple[int, int, int]


def wall_us(day: date, minute: int) -> int:
    """The wall-clock reading `minute` minutes after `day`'s midnight, on the shared scale."""
    return (day.toordinal() - _EPOCH_ORDINAL) * DAY_US + minute * MINUTE_US


def to_us(moment: datetime) -> int:
    if not isinstance(moment, datetime):
        raise CalendarError(f"expected a datetime, got {moment!r}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise CalendarError(f"naive datetime {moment.isoformat()} refused: give it a time zone")
    return (moment - EPOCH) // ONE_MICROSECOND


def from_us(instant: int, zone: tzinfo) -> datetime:
    return (EPOCH + timedelta(microseconds=instant)).astimezone(zone)


def _offset_us(zone: ZoneInfo, instant: int) -> int:
    offset = from_us(instant, zone).utcoffset()
    assert offset is not None
    return offset // ONE_MICROSECOND


def offset_segments(zone: ZoneInfo, low: int, high: int) -> list[Segment]:
    """Split ``[low, high)`` (UTC) into stretches of constant UTC offset: (start, end, offset)."""
    probes = [*range(low, high, _PROBE_US), high]
    offsets = [_offset_us(zone, probe) for probe in probes]
    segments = []
    start, offset = low, offsets[0]
    for index in range(1, len(probes)):
        if offsets[index] == offsets[index - 1]:
            continue
        # Clock changes happen on whole seconds; bisect to the first second of the new offset.
        before, after = probes[index - 1] // US, probes[index] // US
        while after - before > 1:
            middle = (before + after) // 2
            if _offset_us(zone, middle * US) == offsets[index - 1]:
                before = middle
            else:
                after = middle
        segments.append((start, after * US, offset))
        start, offset = after * US, _offset_us(zone, after * US)
    segments.append((start, high, offset))
    return segments


def real_intervals(segments: list[Segment], wall_start: int, wall_end: int) -> list[Interval]:
    """The UTC stretches whose wall-clock reading lies in ``[wall_start, wall_end)``.

    Within one segment the reading is the instant plus a fixed offset, so the answer there is
    one shifted interval. When clocks fall back, a wall interval holding part of the repeated
    hour yields two disjoint stretches; when they spring forward, the skipped part yields none.
    """
    pieces = []
    for segment_start, segment_end, offset in segments:
        start = max(segment_start, wall_start - offset)
        end = min(segment_end, wall_end - offset)
        if start < end:
            pieces.append((start, end))
    return pieces


def day_intervals(zone: ZoneInfo, day: date, hours: tuple[Interval, ...]) -> tuple[Interval, ...]:
    """The real (UTC) stretches of wall-clock `hours` on local `day`, sorted and merged."""
    if not hours:
        return ()
    midnight, next_midnight = wall_us(day, 0), wall_us(day, 24 * 60)
    segments = offset_segments(zone, midnight - MAX_OFFSET_US, next_midnight + MAX_OFFSET_US)
    pieces = sorted(
        piece
        for start, end in hours
        for piece in real_intervals(segments, wall_us(day, start), wall_us(day, end))
    )
    return merge(pieces)


def merge(ordered: list[Interval]) -> tuple[Interval, ...]:
    """Join sorted intervals that touch or overlap."""
    merged: list[Interval] = []
    for start, end in ordered:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)
