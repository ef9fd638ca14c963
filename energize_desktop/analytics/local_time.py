"""Local calendar fields of UTC instants — what tariffs, billing months and holidays are
written in. Uses the zone's offset at each instant, so a 16:00 peak window starts at 16:00 on the
wall clock in winter and in summer, and the repeated hour in autumn is priced twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from energize_desktop.core.timezones import US, calendar

DAY_S = 86_400


@dataclass(frozen=True)
class LocalTimes:
    day: np.ndarray  # local date as days since 1970-01-01
    minute: np.ndarray  # minute of the local day, 0..1439
    weekday: np.ndarray  # 0 = Monday
    month: np.ndarray  # 1..12
    month_key: np.ndarray  # year*12 + month-1: one value per local calendar month

    def dates(self, which: np.ndarray | None = None) -> list[date]:
        days = self.day if which is None else self.day[which]
        return [date.fromordinal(int(d) + 719163) for d in days]


def local_times(ts_us: np.ndarray, tz: str) -> LocalTimes:
    ts_us = np.asarray(ts_us, dtype=np.int64)
    local_s = (ts_us + calendar(tz).offsets(ts_us)) // US
    day = local_s // DAY_S
    months = day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)  # since 1970-01
    return LocalTimes(day=day, minute=(local_s % DAY_S) // 60, weekday=(day + 3) % 7,
                      month=months % 12 + 1, month_key=months + 1970 * 12)


def day_number(d: date) -> int:
    return d.toordinal() - 719163


def month_label(month_key: int) -> str:
    return f"{month_key // 12:04d}-{month_key % 12 + 1:02d}"
