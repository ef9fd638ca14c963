"""Periods as users write them, in a site's local calendar: FROM..TO (TO exclusive), a month
YYYY-MM, a year YYYY; and the period to compare one with."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from energize_desktop.core.errors import ValidationError


def period(text: str, tz: str, field: str = "period") -> tuple[int, int]:
    """FROM..TO as local dates, times or months of the site (TO exclusive; `2025-01..2025-04` is
    January to March; either end may be left open), or a month YYYY-MM or a year YYYY on its
    own: (start, end) in µs UTC. An error names `field`."""
    try:
        start, end = _bounds(text.strip())
    except ValueError:
        raise ValidationError(f"{text!r}: expected FROM..TO such as 2024-01-01..2025-01-01 or "
                              "2025-01..2025-04 (an end may be left open), a month 2025-03 or "
                              "a year 2025",
                              field=field) from None
    if end <= start:
        raise ValidationError(f"{text!r}: the end must be after the start", field=field)
    zone = ZoneInfo(tz)
    return _us(start, zone), _us(end, zone)


def _bounds(text: str) -> tuple[datetime, datetime]:
    if ".." in text:  # FROM..TO: dates, times or months (2025-01..2025-04), either end open
        a, b = (part.strip() for part in text.split(".."))
        start = _point(a) if a else OPEN_START
        end = _point(b) if b else OPEN_END
        return start, end
    if len(text) == 4:
        year = int(text)
        return datetime(year, 1, 1), datetime(year + 1, 1, 1)
    if len(text) == 7:
        first = datetime.strptime(text, "%Y-%m")
        return first, (first + timedelta(days=32)).replace(day=1)
    raise ValueError(text)


OPEN_START = datetime(1900, 1, 1)  # an open end: as far as readings may go (core/instants)
OPEN_END = datetime(2200, 1, 1)


def _point(text: str) -> datetime:
    """A date, a time, a month YYYY-MM or a year YYYY: where it begins."""
    if len(text) == 4:
        return datetime(int(text), 1, 1)
    if len(text) == 7:
        return datetime.strptime(text, "%Y-%m")
    return datetime.fromisoformat(text)


def shift_period(start_us: int, end_us: int, tz: str, how: str,
                 field: str = "against") -> tuple[int, int]:
    """The period to compare with: `previous` (same length just before), `last-year`, or a
    period of its own."""
    zone = ZoneInfo(tz)
    a, b = (datetime.fromtimestamp(t / 1e6, zone).replace(tzinfo=None) for t in (start_us,
                                                                               end_us))
    if how == "previous":
        if a.day == 1 and b.day == 1 and a.time() == b.time() == datetime.min.time():
            months = (b.year - a.year) * 12 + b.month - a.month
            a, b = _add_months(a, -months), a
        else:
            a, b = a - (b - a), a
    elif how == "last-year":
        a, b = _add_months(a, -12), _add_months(b, -12)
    else:
        return period(how, tz, field)
    return _us(a, zone), _us(b, zone)


def _add_months(d: datetime, months: int) -> datetime:
    m = d.month - 1 + months
    return d.replace(year=d.year + m // 12, month=m % 12 + 1, day=min(d.day, 28))


def _us(naive: datetime, zone: ZoneInfo) -> int:
    return int(naive.replace(tzinfo=zone).timestamp() * 1_000_000)
