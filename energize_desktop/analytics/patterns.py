"""Energy patterns an auditor looks for: level steps, rising baseload, after-hours and weekend
use above the building's own norm, and peak-demand spikes. One value per local day each."""

from __future__ import annotations

import numpy as np

from energize_desktop.analytics.events import Event, Kind, Severity, amount, local_span
from energize_desktop.analytics.expectation import MAD_TO_SIGMA, Expectation, nanmedian
from energize_desktop.analytics.series import Series
from energize_desktop.analytics.statistical import daily_values, level_shifts
from energize_desktop.core.timezones import US

DAY_Z = 6.0  # robust z of a day's figure against the same day type in the weeks around
MIN_EXCESS = 0.2  # and at least 20 % above it


def level_shift_events(series: Series, meter_id=None) -> list[Event]:
    events = []
    for how, rise_kind, what in (("min", Kind.BASELOAD_RISE, "baseload (daily minimum)"),
                                 ("sum", Kind.LEVEL_SHIFT, "daily total")):
        daily, _ = daily_values(series, how)
        for k, before, after, score in level_shifts(daily):
            if before <= 0 or abs(after - before) / before < 0.1:
                continue  # statistically clear but too small to act on
            kind = rise_kind if after > before else Kind.LEVEL_SHIFT
            start = _day_start(series, k)
            if how == "min":  # a level: in kW
                shown = [amount(x, series.unit, series.step_s) for x in (before, after)]
            else:  # a daily total: in kWh a day, never kW
                shown = [f"{x:,.0f} {series.unit}/day" for x in (before, after)]
            text = (f"{what} stepped from {shown[0]} to {shown[1]} "
                    f"({(after / before - 1):+.0%}) from "
                    f"{_date(series, start)}: a schedule, setpoint or equipment change")
            # a finding to review rather than an alarm: the new level becomes the norm
            events.append(Event(series.name, start, start + 86400 * US, kind, Severity.INFO,
                                score / 6.0, text, "level-shift", meter_id))
    return events


def pattern_events(series: Series, exp: Expectation, meter_id=None) -> list[Event]:
    occupied = _occupied_slots(series, exp)
    if occupied is None:
        return []
    off = ~occupied[series.slot]
    masked = Series(series.name, series.unit, series.ts_us, np.where(off, series.values, 0.0),
                    series.step_s, series.week, series.slot, tz=series.tz)
    after_hours, _ = daily_values(masked, "sum")
    peaks, _ = daily_values(series, "max")
    events = []
    for i, z, usual in _unusual_days(after_hours):
        weekend = _weekday(series, i) >= 5
        kind = Kind.WEEKEND if weekend else Kind.AFTER_HOURS
        what = "weekend" if weekend else "after-hours"
        events.append(_day_event(series, i, kind, z, meter_id,
                                 f"{what} use {after_hours[i]:,.0f} {series.unit} against a usual "
                                 f"{usual:,.0f} {series.unit} ({z:.1f} MADs above its norm): "
                                 "plant or lighting left on outside occupied hours?"))
    for i, z, usual in _unusual_days(peaks):
        events.append(_day_event(series, i, Kind.PEAK, z, meter_id,
                                 f"peak {amount(peaks[i], series.unit, series.step_s)} against a "
                                 f"usual {amount(usual, series.unit, series.step_s)} "
                                 f"({z:.1f} MADs above): a demand charge risk"))
    return events


def _occupied_slots(series: Series, exp: Expectation) -> np.ndarray | None:
    """Slots of the week whose typical value is nearer the peak than the baseload."""
    table = np.full((int(np.ptp(series.week)) + 1, series.slots_per_week), np.nan)
    table[series.week - series.week.min(), series.slot] = exp.expected
    prof = nanmedian(table, axis=0)
    if not np.isfinite(prof).any():
        return None
    lo, hi = np.nanpercentile(prof, [10, 90])
    if hi <= lo * 1.2:
        return None  # no clear occupied period: a flat load, nothing is "after hours"
    return np.nan_to_num(prof, nan=hi) > (lo + hi) / 2


def _unusual_days(daily: np.ndarray, weeks: int = 4):
    """(day index, robust z, usual) for days far above the same weekday in the weeks around."""
    offsets = np.array([7 * k for k in range(-weeks, weeks + 1) if k])
    idx = np.arange(len(daily))[:, None] + offsets[None, :]
    inside = (idx >= 0) & (idx < len(daily))
    around = np.where(inside, daily[np.clip(idx, 0, max(len(daily) - 1, 0))], np.nan)
    usual = nanmedian(around, axis=1)
    spread = MAD_TO_SIGMA * nanmedian(np.abs(around - usual[:, None]), axis=1)
    spread = np.maximum(np.nan_to_num(spread), np.maximum(0.05 * np.abs(usual), 1e-9))
    with np.errstate(invalid="ignore"):
        z = (daily - usual) / spread
        hit = (np.isfinite(around).sum(axis=1) >= 4) & (z >= DAY_Z) & \
            (daily > (1 + MIN_EXCESS) * usual)
    return [(int(i), float(z[i]), float(usual[i])) for i in np.flatnonzero(hit)]


def _day_event(series, i, kind, z, meter_id, text) -> Event:
    start = _day_start(series, i)
    return Event(series.name, start, start + 86400 * US, kind, Severity.INFO, z / DAY_Z,
                 f"{_date(series, start)}: {text}", "patterns", meter_id)


def _first_step_of_day(series: Series, i: int) -> int:
    day = series.local_day()
    return int(np.searchsorted(day, np.unique(day)[i]))


def _day_start(series: Series, i: int) -> int:
    return int(series.ts_us[_first_step_of_day(series, i)])


def _weekday(series: Series, i: int) -> int:
    return int(series.slot[_first_step_of_day(series, i)] // series.slots_per_day)


def _date(series: Series, start_us: int) -> str:
    return local_span(start_us, start_us + 86400 * US, series.tz).split(" 00:00")[0]
