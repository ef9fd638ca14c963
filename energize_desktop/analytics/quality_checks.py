"""Data-quality detectors: the meter or its data is wrong, not the building.

Each returns events and marks the steps it explains, so the statistical detectors neither learn
from them nor report them twice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from energize_desktop.analytics.events import (
    Event,
    Kind,
    Severity,
    amount,
    local_span,
    runs,
)
from energize_desktop.analytics.series import Series
from energize_desktop.core.timezones import US

FLAT_HOURS = 3  # identical readings for this long is a stuck meter ...
FLAT_STEPS_MIN = 4
FLAT_USUAL_MAX = 0.2  # ... unless repeats are common for this meter anyway
FLAT_CHANCE = 0.01  # ... and the run is this improbable for it (expected count by chance)


@dataclass
class QualityResult:
    events: list[Event]
    bad: np.ndarray  # steps explained by a data-quality event


def check(series: Series, meter_id=None, can_be_negative=False,
          max_value: float | None = None, amounts: bool = True) -> QualityResult:
    """`amounts`: values are energy or volume per step (zero is then suspicious)."""
    v, bad, events = series.values, np.zeros(len(series), bool), []
    finite = np.isfinite(v)
    if not finite.any():
        return QualityResult(events, bad)
    ctx = _Ctx(series, meter_id, events, bad)
    ctx.gaps(~finite)
    if amounts:
        ctx.zeros(v)
    ctx.flat(v)
    if not can_be_negative:
        ctx.mark(np.nan_to_num(v) < 0, Kind.NEGATIVE, Severity.CRITICAL,
                 "negative {what}: {v} (a consumption meter cannot run backwards; check CT "
                 "direction or a counter reset)")
    if max_value is not None:
        ctx.mark(np.nan_to_num(v) > max_value, Kind.OUT_OF_RANGE, Severity.CRITICAL,
                 f"{{v}} is above the meter's limit of {amount(max_value, series.unit, series.step_s)}")
    return QualityResult(sorted(events, key=lambda e: e.start_us), bad)


class _Ctx:
    def __init__(self, series, meter_id, events, bad):
        self.s, self.meter_id, self.events, self.bad = series, meter_id, events, bad

    def event(self, a, b, kind, severity, score, text, detector="quality"):
        s = self.s
        end = s.ts_us[b - 1] + s.step_s * US
        self.events.append(Event(s.name, int(s.ts_us[a]), int(end), kind, severity, score,
                                 f"{local_span(int(s.ts_us[a]), int(end), s.tz)}: {text}",
                                 detector, self.meter_id))

    def gaps(self, missing):
        for a, b in runs(missing):
            if 0 < a and b < len(missing):  # a gap is between readings, not before the first
                hours = (b - a) * self.s.step_s / 3600
                sev = Severity.WARNING if hours >= 24 else Severity.INFO
                self.event(a, b, Kind.GAP, sev, hours / 24,
                           f"no data for {hours:g} h (a gap, not a zero)")

    def zeros(self, v):
        usual = v[np.isfinite(v)]
        low, median = np.percentile(usual, 10), np.median(usual)
        if low < 0.2 * median or median <= 0:
            return  # this meter reads (near) zero in normal operation
        limit = 0.05 * median
        what = amount(median, self.s.unit, self.s.step_s)
        near_zero = np.nan_to_num(v, nan=np.inf) < limit
        for a, b in runs(near_zero & ~self._usual_at_that_time(near_zero)):
            self.bad[a:b] = True
            hours = (b - a) * self.s.step_s / 3600
            self.event(a, b, Kind.ZERO, Severity.CRITICAL, 2.0,
                       f"{amount(float(np.nanmin(v[a:b])), self.s.unit, self.s.step_s)} for "
                       f"{hours:g} h from a meter whose lowest 10 % is above "
                       f"{amount(low, self.s.unit, self.s.step_s)} (usual {what}): "
                       "a meter, CT or supply fault, or an outage")

    def _usual_at_that_time(self, mask, share=0.05, min_days=3):
        """Steps whose time of day (working day or weekend) shows `mask` often — on at least
        `min_days` days and `share` of them: a building with solar behind its meter reads
        zero on sunny weekend middays, and that is normal."""
        s = self.s
        weekend = s.slot // s.slots_per_day >= 5
        key = (s.slot % s.slots_per_day) * 2 + weekend
        hits = np.bincount(key, mask, minlength=2 * s.slots_per_day)
        rate = np.where(hits >= min_days,
                        hits / np.maximum(np.bincount(key, minlength=2 * s.slots_per_day), 1), 0)
        by_time = rate.reshape(-1, 2)  # (time of day, weekend): the edges of a usual
        by_time = np.maximum(by_time, np.roll(by_time, 1, 0))  # window count as usual too
        by_time = np.maximum(by_time, np.roll(by_time, -1, 0))
        return by_time.reshape(-1)[key] >= share

    def flat(self, v):
        """A run of equal values is "stuck" only when this meter would hardly ever repeat
        itself that long by chance: a meter reporting whole kWh repeats a stable night load
        for hours, a fine-resolution one almost never does. The chance is this meter's own
        rate of repeats at that time of day, raised to the run's length; our own estimate
        across a gap is flat by design and never counted."""
        same = np.r_[False, (np.diff(v) == 0) & (v[1:] != 0)]  # zero is "off", not stuck
        if self.s.estimated is not None:
            same &= ~self.s.estimated & ~np.r_[False, self.s.estimated[:-1]]
        finite_pairs = np.isfinite(np.diff(v)).sum()
        if finite_pairs == 0 or same.sum() / finite_pairs > FLAT_USUAL_MAX:
            return
        need = max(FLAT_STEPS_MIN, FLAT_HOURS * 3600 // self.s.step_s)
        repeat = self._repeat_rate(v, same)
        opportunities = max(finite_pairs, 1)
        for a, b in runs(same):
            a -= 1  # the run starts at the first of the equal values
            if b - a < need or self.bad[a:b].all():
                continue
            # chance of this run by chance anywhere in the meter's history
            chance = opportunities * float(np.prod(repeat[a + 1:b]))
            if chance > FLAT_CHANCE:
                continue
            self.bad[a:b] = True
            hours = (b - a) * self.s.step_s / 3600
            self.event(a, b, Kind.FLAT, Severity.WARNING, 1.5,
                       f"stuck at {amount(float(v[a]), self.s.unit, self.s.step_s)} for "
                       f"{hours:g} h: the same value {b - a} times in a row (a frozen "
                       "meter or a gateway repeating its last value; this meter repeats "
                       f"itself {float(np.mean(repeat[a + 1:b])):.0%} of the time at these "
                       "hours)")

    def _repeat_rate(self, v, same) -> np.ndarray:
        """Per step: how often this meter repeats its previous value at that time of day
        (a prior of one repeat in 50 at least, so an unseen repeat is not impossible)."""
        s = self.s
        tod = s.slot % s.slots_per_day
        ok = np.r_[False, np.isfinite(np.diff(v))]
        hits = np.bincount(tod, same & ok, minlength=s.slots_per_day)
        tries = np.bincount(tod, ok, minlength=s.slots_per_day)
        rate = (hits + 1.0) / (tries + 50.0)
        return np.clip(rate, 1e-6, 0.999)[tod]

    def mark(self, mask, kind, severity, template):
        for a, b in runs(mask):
            self.bad[a:b] = True
            worst = self.s.values[a:b][np.argmax(np.abs(self.s.values[a:b]))]
            self.event(a, b, kind, severity, 2.0, template.format(
                what="energy" if self.s.unit.endswith("Wh") else "value",
                v=amount(float(worst), self.s.unit, self.s.step_s)))


# -- raw readings -----------------------------------------------------------------------------------
def counter_events(name: str, ts_us: np.ndarray, raw: np.ndarray, tz: str = "UTC",
                   rollover: float | None = None, meter_id=None) -> list[Event]:
    """A cumulative register that went down: a rollover (near its wrap value) or a reset."""
    events = []
    drops = np.flatnonzero(np.diff(raw) < 0) + 1
    for i in drops:
        before, after = float(raw[i - 1]), float(raw[i])
        near_wrap = rollover is not None and before > 0.9 * rollover and after < 0.1 * rollover
        kind = Kind.COUNTER_RESET
        text = (f"register wrapped from {before:,.1f} to {after:,.1f} at its rollover of "
                f"{rollover:,.0f}" if near_wrap else
                f"register went from {before:,.1f} to {after:,.1f}: a reset or meter exchange; "
                "energy across it is not counted as negative")
        span = local_span(int(ts_us[i - 1]), int(ts_us[i]), tz)
        events.append(Event(name, int(ts_us[i - 1]), int(ts_us[i]), kind,
                            Severity.INFO if near_wrap else Severity.WARNING, 1.0,
                            f"{span}: {text}", "quality", meter_id))
    return events


def timestamp_events(name: str, ts_us: np.ndarray, nominal_s: int, tz: str = "UTC",
                     meter_id=None) -> list[Event]:
    """Timestamps that go backwards or land off the meter's interval: a clock problem."""
    events = []
    step = np.diff(ts_us)
    nominal = nominal_s * US
    for i in np.flatnonzero((step <= 0) | ((step % nominal != 0) & (step < 10 * nominal))):
        d = step[i] / US
        what = "went backwards" if d <= 0 else f"moved {d:g} s, not a multiple of {nominal_s} s"
        a, b = sorted((int(ts_us[i]), int(ts_us[i + 1])))
        events.append(Event(name, a, max(b, a + 1), Kind.TIME_JUMP, Severity.WARNING, 1.0,
                            f"{local_span(a, max(b, a + 1), tz)}: the meter clock {what}",
                            "quality", meter_id))
    return events
