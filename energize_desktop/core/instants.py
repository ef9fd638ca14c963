"""Instants as the workspace keeps them (µs since the epoch, UTC) and as people read them.

The one set of converters: a naive datetime is UTC (readings are stored in UTC), never this
computer's zone.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import overload
from zoneinfo import ZoneInfo

US = 1_000_000


@overload
def to_us(moment: datetime) -> int: ...
@overload
def to_us(moment: None) -> None: ...
def to_us(moment):
    """µs since the epoch; a naive datetime is taken as UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp() * US)


@overload
def from_us(us: int) -> datetime: ...
@overload
def from_us(us: None) -> None: ...
def from_us(us):
    """An aware UTC datetime."""
    return None if us is None else datetime.fromtimestamp(int(us) / US, timezone.utc)


def iso_utc(us: int) -> str:
    """2025-01-31T06:00:00Z: how exports and JSON write an instant."""
    return from_us(us).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_date(us: int, tz: str) -> date:
    """The site's calendar date of an instant."""
    return datetime.fromtimestamp(us / US, ZoneInfo(tz)).date()


def local_midnight_us(day: date, tz: str) -> int:
    """The instant a local date begins in zone `tz`."""
    return to_us(datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(tz)))


# Readings are stored between these instants only: a time before 1900 or after 2200 is a broken
# clock or a hostile input (and beyond what datetime, rollups and charts can place).
EARLIEST_US = -2_208_988_800_000_000  # 1900-01-01T00:00Z
LATEST_US = 7_258_118_400_000_000  # 2200-01-01T00:00Z
EARLIEST = datetime(1900, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2200, 1, 1, tzinfo=timezone.utc)


def iso_local(us: int, tz: str) -> str:
    """A moment as the site's wall clock, e.g. '2025-03-03 16:45' (what people read)."""
    from zoneinfo import ZoneInfo

    return datetime.fromtimestamp(us / 1_000_000, ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")
