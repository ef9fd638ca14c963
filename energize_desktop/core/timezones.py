"""Vectorised UTC ↔ local time for a site's IANA zone, DST-correct.

Readings are stored in UTC as int64 microseconds since the epoch. Rollup buckets follow the site's
local calendar: quarter hours and hours are keyed by the UTC instant at which the local bucket
starts (so the repeated hour when clocks go back is two distinct buckets), days and months by the
local date (so a day can be 23, 24 or 25 hours long).
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import cast

import numpy as np

from energize_desktop.core.model import check_timezone

US = 1_000_000
MINUTE_US = 60 * US
QUARTER_US = 15 * MINUTE_US
HOUR_US = 60 * MINUTE_US
DAY_US = 24 * HOUR_US


class LocalCalendar:
    """Offsets and bucket starts for one time zone; transitions are cached per year."""

    def __init__(self, tz_name: str):
        self.name = tz_name
        self._zone = check_timezone(tz_name)
        self._years: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._lock = threading.Lock()
        # (first year, last year, transitions, offsets)
        self._last_table: tuple | None = None

    # -- offsets ------------------------------------------------------------------------------
    def offsets(self, ts_us: np.ndarray) -> np.ndarray:
        """UTC offset in microseconds in force at each instant."""
        ts_us = np.asarray(ts_us, dtype=np.int64)
        if ts_us.size == 0:
            return np.zeros(0, dtype=np.int64)
        lo, hi = int(ts_us.min()), int(ts_us.max())
        trans, offs = self._table(_year_of(lo) - 1, _year_of(hi) + 1)
        return offs[np.searchsorted(trans, ts_us, side="right")]

    def _table(self, first_year: int, last_year: int):
        cached = self._last_table
        if cached and cached[0] <= first_year and last_year <= cached[1]:
            return cached[2], cached[3]
        table = self._build_table(first_year, last_year)
        self._last_table = (first_year, last_year, *table)
        return table

    def _build_table(self, first_year: int, last_year: int):
        with self._lock:
            for year in range(first_year, last_year + 1):
                if year not in self._years:
                    self._years[year] = _year_transitions(self._zone, year)
            parts = [self._years[y] for y in range(first_year, last_year + 1)]
        start = _offset_at(self._zone, _year_start_us(first_year))
        trans = np.concatenate([p[0] for p in parts])
        offs = np.concatenate([[start]] + [p[1] for p in parts]).astype(np.int64)
        return trans, offs

    # -- buckets ------------------------------------------------------------------------------
    def floor(self, ts_us: np.ndarray, step_us: int, offsets: np.ndarray | None = None):
        """UTC start of the local bucket of `step_us` (a divisor of an hour) holding each instant."""
        ts_us = np.asarray(ts_us, dtype=np.int64)
        off = self.offsets(ts_us) if offsets is None else offsets
        return ts_us - np.mod(ts_us + off, step_us)

    def local_days(self, ts_us: np.ndarray, offsets: np.ndarray | None = None) -> np.ndarray:
        """Local calendar day of each instant, as days since 1970-01-01."""
        ts_us = np.asarray(ts_us, dtype=np.int64)
        off = self.offsets(ts_us) if offsets is None else offsets
        return np.floor_divide(ts_us + off, DAY_US)

    def day_start_utc(self, days: np.ndarray) -> np.ndarray:
        """UTC instant of local midnight for each local day (days since epoch)."""
        days = np.asarray(days, dtype=np.int64)
        naive = days * DAY_US
        guess = naive - self.offsets(naive)
        # A second pass settles days where the offset changed between naive and true midnight.
        settled = naive - self.offsets(guess)
        # Where the clocks jump forward at midnight (São Paulo until 2019, Havana, Beirut) the
        # day has no 00:00: it begins at the jump, which is the first pass's instant.
        return np.where(self.local_days(settled) == days, settled, guess)

    def day_length_us(self, days: np.ndarray) -> np.ndarray:
        days = np.asarray(days, dtype=np.int64)
        return self.day_start_utc(days + 1) - self.day_start_utc(days)

    def month_length_us(self, months: np.ndarray) -> np.ndarray:
        """Length of each local month, given as the day number of its first day."""
        first = np.asarray(months, dtype=np.int64)
        nxt = month_of_days(first + 31)
        return self.day_start_utc(nxt) - self.day_start_utc(first)


def month_of_days(days: np.ndarray) -> np.ndarray:
    """First day (days since epoch) of the month holding each day."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    return d.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


@lru_cache(maxsize=64)
def calendar(tz_name: str) -> LocalCalendar:
    return LocalCalendar(tz_name)


def _year_of(ts_us: int) -> int:
    return int(np.datetime64(ts_us, "us").astype("datetime64[Y]").astype(int)) + 1970


def _year_start_us(year: int) -> int:
    return int(datetime(year, 1, 1, tzinfo=timezone.utc).timestamp()) * US


def _offset_at(zone, ts_us: int) -> int:
    dt = datetime.fromtimestamp(ts_us / US, tz=timezone.utc).astimezone(zone)
    return int(cast(timedelta, dt.utcoffset()).total_seconds()) * US


def _year_transitions(zone, year: int) -> tuple[np.ndarray, np.ndarray]:
    """Instants (µs, UTC) in `year` at which the offset changes, and the offset after each."""
    start = _year_start_us(year)
    end = _year_start_us(year + 1)
    trans, offs = [], []
    prev_t, prev_off = start, _offset_at(zone, start)
    # Steps of six hours find every change (no zone changes twice within six hours);
    # bisection then finds its minute.
    for t in range(start + 6 * HOUR_US, end + 6 * HOUR_US, 6 * HOUR_US):
        t = min(t, end)
        off = _offset_at(zone, t)
        if off != prev_off:
            exact = _bisect(zone, prev_t, t, prev_off)
            trans.append(exact)
            offs.append(off)
            prev_off = off
        prev_t = t
    return np.asarray(trans, dtype=np.int64), np.asarray(offs, dtype=np.int64)


def _bisect(zone, lo: int, hi: int, off_lo: int) -> int:
    """First minute in (lo, hi] whose offset differs from off_lo."""
    while hi - lo > MINUTE_US:
        mid = lo + ((hi - lo) // 2 // MINUTE_US) * MINUTE_US
        if mid == lo:
            mid = lo + MINUTE_US
        if _offset_at(zone, mid) == off_lo:
            lo = mid
        else:
            hi = mid
    return hi


def computer_zone() -> str:
    """This computer's IANA zone (TZ, /etc/timezone, the /etc/localtime link), else UTC: the
    zone a new site takes when neither the user nor the file says."""
    import os
    from pathlib import Path
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        candidates.append(Path("/etc/timezone").read_text().strip())
    except OSError:
        pass
    try:
        link = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in link:
            candidates.append(link.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    for name in candidates:
        if not name or "/" not in name and name != "UTC":
            continue
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        return "UTC" if name in ("Etc/UTC", "Etc/Universal", "Etc/Zulu") else name
    return "UTC"
