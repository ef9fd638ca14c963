"""The expected value of every step: the building's own robust hour-of-week profile.

For each step, the median of the same local slot of the week in the weeks around it (`weeks`
each side; only earlier weeks when scoring live data, so the future is never used), leaving out
the step itself and anything already marked as bad data — a run of zeros must not drag the
expectation of the next weeks down. The spread is the MAD of the residuals at the same time of
day over the same weeks, for working days and weekends separately: a Saturday is compared with
how much Saturdays vary. When outdoor temperature is known, a robust temperature term explains
what a hotter or colder day than usual adds, so an air conditioner that runs on hot days is
expected on hot days.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from energize_desktop.analytics.series import Series

MAD_TO_SIGMA = 1.4826
DAY_GROUPS = ((0, 1, 2, 3, 4), (5, 6))  # Monday..Friday, weekend


@dataclass(frozen=True)
class Expectation:
    expected: np.ndarray  # per step, NaN where the weeks around hold too little
    scale: np.ndarray  # robust sigma of the residual per step (> 0)
    residual: np.ndarray
    z: np.ndarray  # residual / scale
    temperature_slope: tuple[float, float] | None = None  # per °C above / below usual
    warmer: np.ndarray | None = None  # per step: °C above the usual temperature of that time


def expect(series: Series, bad: np.ndarray | None = None, weeks: int = 4,
           live: bool = False, floor_fraction: float = 0.03,
           non_negative: bool = False, relative_floor: float = 0.0) -> Expectation:
    """`non_negative`: a consumption is never expected below zero (a temperature term that
    extrapolates into a warm summer would otherwise expect a boiler to run backwards)."""
    v = series.values
    bad = np.zeros(len(v), bool) if bad is None else bad
    holiday = np.zeros(len(v), bool) if series.holiday is None else series.holiday
    clean = np.where(bad | holiday, np.nan, v)  # a holiday teaches nothing about its weekday
    layout = _Layout(series)
    m = layout.matrix(clean)
    expected = layout.flat(_window_median(m, weeks, live))
    if holiday.any():  # a holiday is expected to look like the weekends around it
        weekend = _weekend_median(m, series.slots_per_day, weeks, live)
        expected = np.where(holiday, layout.flat(weekend), expected)
    slopes, warmer = None, None
    if series.temperature is not None:
        t_usual = layout.flat(_window_median(layout.matrix(series.temperature), weeks, live))
        warmer = series.temperature - t_usual
        expected, slopes = _temperature_term(clean, expected, warmer)
    if non_negative:
        expected = np.where(np.isfinite(expected), np.maximum(expected, 0.0), expected)
    residual = v - expected
    clean_residual = np.where(bad | holiday, np.nan, residual)
    scales = _window_scale(layout.matrix(clean_residual), series.slots_per_day, weeks, live)
    scale = layout.flat(scales)
    if holiday.any():  # ... and to vary as weekends do
        spd = series.slots_per_day
        sunday = scales[:, 6 * spd:7 * spd]
        scale = np.where(holiday, np.tile(sunday, (1, 7))[layout.row, layout.col], scale)
    finite = clean[np.isfinite(clean)]
    # the spread is never below a share of the meter's typical level — its median, or its
    # mean for a meter that is mostly zero (an export, a standby load), so a 0.1 kWh step on
    # a meter that reads 0 most hours is not a billion MADs
    level = max(float(np.median(np.abs(finite))), float(np.mean(np.abs(finite)))) \
        if len(finite) else 0.0
    floor = max(floor_fraction * level, 1e-9)
    # ... nor below a share of what is expected at that step: a load as regular as lighting
    # has a tiny MAD, and 8 % less on a bright afternoon is not six MADs of a fault
    floor = np.maximum(floor, relative_floor * np.abs(np.nan_to_num(expected)))
    scale = np.where(np.isfinite(scale), np.maximum(scale, floor), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = residual / scale
    return Expectation(expected, scale, residual, z, slopes, warmer)


class _Layout:
    """Steps placed in a (week, slot of week) matrix and back."""

    def __init__(self, series: Series):
        self.row = series.week - (series.week.min() if len(series) else 0)
        self.col = series.slot
        self.shape = (int(self.row.max()) + 1 if len(series) else 0, series.slots_per_week)

    def matrix(self, values: np.ndarray) -> np.ndarray:
        m = np.full(self.shape, np.nan)
        m[self.row, self.col] = values
        return m

    def flat(self, m: np.ndarray) -> np.ndarray:
        return m[self.row, self.col]


def _windows(m: np.ndarray, weeks: int, live: bool) -> np.ndarray:
    """(W, ..., n) stacks of the same cell in the weeks around (or before) each week."""
    w = m.shape[0]
    if live:
        padded = np.concatenate([np.full((2 * weeks,) + m.shape[1:], np.nan), m[:-1]]) \
            if w else m
        return sliding_window_view(padded, 2 * weeks, axis=0)[:w]
    padded = np.full((w + 2 * weeks,) + m.shape[1:], np.nan)
    padded[weeks:weeks + w] = m
    stack = sliding_window_view(padded, 2 * weeks + 1, axis=0).copy()
    stack[..., weeks] = np.nan  # never the step itself
    return stack


def _window_median(m: np.ndarray, weeks: int, live: bool) -> np.ndarray:
    stack = _windows(m, weeks, live)
    enough = np.isfinite(stack).sum(axis=-1) >= 2
    return np.where(enough, nanmedian(stack, axis=-1), np.nan)


def _weekend_median(m: np.ndarray, slots_per_day: int, weeks: int, live: bool) -> np.ndarray:
    """Per (week, slot of week): the median of Saturdays and Sundays at that time of day in
    the weeks around — what a holiday on any weekday is compared with."""
    w = m.shape[0]
    days = m.reshape(w, 7, slots_per_day)
    stack = _windows(days[:, 5:7, :], weeks, live)  # (W, 2, spd, n)
    pooled = np.moveaxis(stack, 1, 2).reshape(w, slots_per_day, -1)
    enough = np.isfinite(pooled).sum(axis=-1) >= 2
    med = np.where(enough, nanmedian(pooled, axis=-1), np.nan)  # (W, spd)
    return np.tile(med, (1, 7))


def _window_scale(r: np.ndarray, slots_per_day: int, weeks: int, live: bool) -> np.ndarray:
    """Robust sigma per (week, slot): MAD over the same time of day, same day group."""
    w = r.shape[0]
    days = r.reshape(w, 7, slots_per_day)
    out = np.full_like(days, np.nan)
    for group in DAY_GROUPS:
        stack = _windows(days[:, group, :], weeks, live)  # (W, d, spd, n)
        pooled = np.moveaxis(stack, 1, 2).reshape(w, slots_per_day, -1)
        med = nanmedian(pooled, axis=-1, keepdims=True)
        mad = MAD_TO_SIGMA * nanmedian(np.abs(pooled - med), axis=-1)
        enough = np.isfinite(pooled).sum(axis=-1) >= 5
        out[:, group, :] = np.where(enough, mad, np.nan)[:, None, :]
    return out.reshape(w, -1)


def nanmedian(a: np.ndarray, axis=None, keepdims: bool = False) -> np.ndarray:
    """np.nanmedian without the warning for all-NaN stacks (they give NaN: not enough data).
    Along an axis it sorts once (NaN sort last) and takes the middle of the finite values:
    numpy's own path for stacks with a few NaN goes through masked arrays and was a third of
    a meter's scoring time."""
    a = np.asarray(a, dtype=float)
    if axis is None or a.ndim == 0 or a.size == 0:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.nanmedian(a, axis=axis, keepdims=keepdims)
    ordered = np.sort(a, axis=axis)
    n = np.isfinite(ordered).sum(axis=axis, keepdims=True)
    lo = np.clip((n - 1) // 2, 0, None)
    hi = np.clip(n // 2, 0, None)
    low = np.take_along_axis(ordered, lo, axis=axis)
    high = np.take_along_axis(ordered, hi, axis=axis)
    out = np.where(n > 0, (low + high) / 2, np.nan)
    return out if keepdims else np.squeeze(out, axis=axis)


def _temperature_term(v, expected, dt):
    """Add a + b·max(ΔT, 0) + c·min(ΔT, 0) fitted robustly (Huber) to the residual."""
    ok = np.isfinite(v) & np.isfinite(expected) & np.isfinite(dt)
    if ok.sum() < 24 * 14 or np.ptp(dt[ok]) < 4.0:
        return expected, None
    x = np.column_stack([np.maximum(dt, 0), np.minimum(dt, 0)])
    coef = _huber_fit(x[ok], (v - expected)[ok])
    term = np.where(np.isfinite(dt), x @ coef, 0.0)
    return expected + term, (float(coef[0]), float(coef[1]))


def _huber_fit(x: np.ndarray, y: np.ndarray, iterations: int = 20) -> np.ndarray:
    """Least squares through the origin, reweighted so outliers count like |r|, not r²."""
    w = np.ones(len(y))
    coef = np.zeros(x.shape[1])
    for _ in range(iterations):
        sw = np.sqrt(w)
        coef = np.linalg.lstsq(x * sw[:, None], y * sw, rcond=None)[0]
        r = y - x @ coef
        s = MAD_TO_SIGMA * np.median(np.abs(r - np.median(r))) or 1.0
        k = 1.345 * s
        w = np.where(np.abs(r) <= k, 1.0, k / np.maximum(np.abs(r), 1e-12))
    return coef
