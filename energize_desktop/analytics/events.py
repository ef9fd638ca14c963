"""Anomaly events: what was found, where, how sure, and why — in words and numbers."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from enum import Enum

import numpy as np

from energize_desktop.core.instants import iso_utc
from energize_desktop.core.timezones import US, calendar


class Kind(str, Enum):
    GAP = "gap"
    FLAT = "flat-line"
    ZERO = "zero"
    NEGATIVE = "negative"
    COUNTER_RESET = "counter-reset"
    OUT_OF_RANGE = "out-of-range"
    TIME_JUMP = "timestamp-jump"
    HIGH = "high"
    LOW = "low"
    SPIKE = "spike"
    DIP = "dip"
    LEVEL_SHIFT = "level-shift"
    AFTER_HOURS = "after-hours"
    WEEKEND = "weekend"
    BASELOAD_RISE = "baseload-rise"
    PEAK = "peak-demand"
    UNUSUAL_DAY = "unusual-day"


class Severity(str, Enum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return ("info", "warning", "critical").index(self.value)


@dataclass(frozen=True)
class Event:
    meter: str
    start_us: int  # UTC, first step of the event
    end_us: int  # UTC, end of the last step (exclusive)
    kind: Kind
    severity: Severity
    score: float  # 1.0 = at the detection threshold
    explanation: str
    detector: str
    meter_id: int | None = None
    stake: float | None = None  # the energy above or below usual, in the meter's unit

    @property
    def start(self) -> datetime:
        return datetime.fromtimestamp(self.start_us / US, timezone.utc)

    @property
    def end(self) -> datetime:
        return datetime.fromtimestamp(self.end_us / US, timezone.utc)

    def overlaps(self, start_us: int, end_us: int) -> bool:
        return self.start_us < end_us and start_us < self.end_us

    def to_json(self) -> dict:
        d = asdict(self)
        d.update(start=iso_utc(self.start_us), end=iso_utc(self.end_us), kind=self.kind.value,
                 severity=self.severity.value, score=round(self.score, 3))
        del d["start_us"], d["end_us"]
        return d




def runs(mask: np.ndarray) -> np.ndarray:
    """(start, end) index pairs of the True runs of a boolean array, end exclusive."""
    edges = np.flatnonzero(np.diff(np.r_[0, np.asarray(mask, np.int8), 0]))
    return edges.reshape(-1, 2)


def close_gaps(mask: np.ndarray, max_gap: int) -> np.ndarray:
    """Join True runs separated by at most `max_gap` False steps: one episode, one alarm."""
    out = mask.copy()
    for s, e in runs(~mask):
        if 0 < s and e < len(mask) and e - s <= max_gap:
            out[s:e] = True
    return out


# -- words ----------------------------------------------------------------------------------------
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def part_of_day(hour: float) -> str:
    return ("night", "morning", "afternoon", "evening")[int(hour // 6) % 4]


def local_span(start_us: int, end_us: int, tz: str) -> str:
    """'Tue 12 Mar 03:00–05:00' (local time), or a range of days when it spans several."""
    cal = calendar(tz)
    a, b = (datetime.fromtimestamp((t + int(cal.offsets(np.array([t]))[0])) / US, timezone.utc)
            for t in (start_us, end_us))
    if (b - a).total_seconds() <= 86400 and (a.date() == b.date() or b.hour == 0 == b.minute):
        return f"{a:%a %d %b %Y} {a:%H:%M}–{'24:00' if a.date() != b.date() else f'{b:%H:%M}'}"
    return f"{a:%a %d %b %Y %H:%M} – {b:%a %d %b %Y %H:%M}"


def profile_name(slot: int, slots_per_day: int, step_s: int) -> str:
    """'Tuesday-night profile' for a slot of the week."""
    day, hour = divmod(slot, slots_per_day)
    return f"{_DAYS[day % 7]}-{part_of_day(hour * step_s / 3600)} profile"


def amount(value: float, unit: str, step_s: int) -> str:
    """A per-step amount in the words an engineer uses: kWh per hour is an average kW."""
    if np.isnan(value):
        return "no data"
    rate = {"Wh": ("W", 1.0), "kWh": ("kW", 1.0), "MWh": ("MW", 1.0)}.get(unit)
    if rate:
        return f"{value * 3600 / step_s:,.1f} {rate[0]}"
    return f"{value:,.2f} {unit}"
