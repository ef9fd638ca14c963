"""Periods as users write them, in a site's local calendar: FROM..TO (TO exclusive), a month
YYYY-MM, a year YYYY; and the period to compare one with."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from energize_desktop.core.errors import ValidationError


def period(text: str, tz: str, field: str = "period") -> tuple[int, int]:
    """FROM..TO as local dates or times of the site (TO exclusive), or a month YYYY-MM or a year
    YYYY on its own: (start, end) in µs UTC. An error names `field`."""
    try:
        start, end = _bounds(text.strip())
    except ValueError:
        raise ValidationError(f"{text!r}: expected FROM..TO such as "
                              "2024-01-01..2025-01-01, a month 2025-03 or a year 2025",
                              field=field) from None
    if end <= start:
        raise ValidationError(f"{text!r}: the end must be after the start", field=field)
    zone = ZoneInfo(tz)
    return _us(start, zone), _us(end, zone)


def _bounds(text: str) -> tuple[datetime, datetime]:
    if ".." in text:
        a, b = text.split("..")
        return datetime.fromisoformat(a.strip()), datetime.fromisoformat(b.strip())
    if len(text) == 4:
        year = int(text)
        return datetime(year, 1, 1), datetime(year + 1, 1, 1)
    if len(text) == 7:
        first = datetime.strptime(text, "%Y-%m")
        return first, (first + timedelta(days=32)).replace(day=1)
    raise ValueError(text)


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
