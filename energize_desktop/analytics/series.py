"""A meter's series on a regular grid, as the detectors see it.

Values are what the meter measured per step (energy per interval, or the mean of an
instantaneous channel); a step with no data is NaN — a gap, never a zero. Each step also knows
its place in the *local* week (slot 0 is Monday 00:00 local time), so a building that starts at
07:00 all year starts at slot 7 in winter and in summer alike.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from energize_desktop.core.errors import ValidationError
from energize_desktop.core.timezones import US, calendar

WEEK_S = 7 * 24 * 3600
DAY_S = 24 * 3600


@dataclass(frozen=True)
class Series:
    name: str
    unit: str
    ts_us: np.ndarray  # int64 UTC microseconds, regular steps
    values: np.ndarray  # float64, NaN = no data
    step_s: int
    week: np.ndarray  # local week number of each step
    slot: np.ndarray  # local slot of the week, 0 = Monday 00:00
    temperature: np.ndarray | None = None  # outdoor °C aligned with values, NaN where unknown
    tz: str = "UTC"
    # per step: a weekday the site does not work (public holiday, closure): compared with the
    # weekend profile, never with the weekday's
    holiday: np.ndarray | None = None
    estimated: np.ndarray | None = None  # per step: the product estimated or interpolated it

    @property
    def slots_per_week(self) -> int:
        return WEEK_S // self.step_s

    @property
    def slots_per_day(self) -> int:
        return DAY_S // self.step_s

    def __len__(self) -> int:
        return len(self.values)

    def local_day(self) -> np.ndarray:
        """Day number (weeks*7 + weekday) of each step in local time."""
        return self.week * 7 + self.slot // self.slots_per_day

    def with_temperature(self, temperature: np.ndarray) -> "Series":
        return replace(self, temperature=np.asarray(temperature, dtype=np.float64))

    def with_calendar(self, non_working_days) -> "Series":
        """Mark the weekdays in `non_working_days` (local day numbers since 1970) as holidays."""
        if not len(self) or not non_working_days:
            return self
        day = self.local_day() - 3  # local_day counts from the Monday before 1970-01-01
        weekday = self.slot // self.slots_per_day < 5
        return replace(self, holiday=weekday & np.isin(day, list(non_working_days)))

    def is_non_working(self) -> np.ndarray:
        """Weekends and the holidays marked on weekdays."""
        weekend = self.slot // self.slots_per_day >= 5
        return weekend if self.holiday is None else weekend | self.holiday

    def local_hour(self, i: int) -> float:
        return (int(self.slot[i]) % self.slots_per_day) * self.step_s / 3600


def on_grid(name: str, unit: str, ts_us, values, step_s: int, tz: str = "UTC") -> Series:
    """Place readings stamped at step starts onto a regular grid; missing steps become NaN."""
    if step_s <= 0 or WEEK_S % step_s or step_s > DAY_S:
        raise ValidationError(f"{name}: a detection step must divide a day, got {step_s} s")
    ts_us = np.asarray(ts_us, dtype=np.int64)
    values = np.asarray(values, dtype=np.float64)
    if ts_us.size == 0:
        empty = np.zeros(0, np.int64)
        return Series(name, unit, empty, np.zeros(0), step_s, empty, empty, tz=tz)
    step_us = step_s * US
    first = ts_us.min() // step_us * step_us
    index = (ts_us - first) // step_us
    grid = np.full(int(index.max()) + 1, np.nan)
    grid[index] = values
    grid_ts = first + np.arange(grid.size, dtype=np.int64) * step_us
    week, slot = local_slots(grid_ts, step_s, tz)
    return Series(name, unit, grid_ts, grid, step_s, week, slot, tz=tz)


def local_slots(ts_us: np.ndarray, step_s: int, tz: str) -> tuple[np.ndarray, np.ndarray]:
    local_s = (ts_us + calendar(tz).offsets(ts_us)) // US
    # 1970-01-01 was a Thursday: shift so that weeks start on Monday
    since_monday = local_s + 3 * DAY_S
    week = since_monday // WEEK_S
    slot = (since_monday % WEEK_S) // step_s
    return week.astype(np.int64), slot.astype(np.int64)
