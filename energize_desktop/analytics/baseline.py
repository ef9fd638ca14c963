"""Baselines for IPMVP option C: fit on a baseline period, predict any other, and say how good.

A `Baseline` holds plain parameters (JSON; never pickle) with the training period, the model
version and its Guideline 14 statistics, so it can be stored, re-applied and audited. Hourly
series (energy per hour, NaN = gap) and an outdoor temperature series on the same grid come in;
daily models work on days with at least half their hours (the missing hours filled with the
day's mean, CalTRACK 2.2.2.1).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

from energize_desktop.analytics import mv_stats
from energize_desktop.analytics.baseline_daily import DailyModel, fit_daily
from energize_desktop.analytics.baseline_hourly import HourlyModel, fit_hourly
from energize_desktop.analytics.series import Series
from energize_desktop.core.errors import ValidationError
from energize_desktop.core.timezones import US, calendar

MODEL_VERSION = 1
MAX_TEMP_GAP_H = 6  # CalTRACK 2.2.4.1: temperature gaps up to 6 hours are interpolated
DAY_US = 86400 * US


@dataclass
class Frame:
    """What a model sees: one row per hour or per local day."""

    ts_us: np.ndarray  # start of the hour or local day (UTC µs)
    usage: np.ndarray
    temp_c: np.ndarray
    slot: np.ndarray  # hour of the week (hourly) or weekday (daily), local
    month: np.ndarray  # local calendar month 1..12


@dataclass
class Baseline:
    granularity: str  # hourly | daily
    model: HourlyModel | DailyModel
    stats: mv_stats.FitStats
    train_start_us: int
    train_end_us: int
    tz: str
    unit: str
    warnings: list[str] = field(default_factory=list)
    version: int = MODEL_VERSION
    temp_range: tuple[float, float, float] | None = None  # training °C: min, max, std

    def predict(self, frame: Frame) -> np.ndarray:
        if self.granularity == "hourly":
            return self.model.predict(frame.temp_c, frame.slot, frame.month)
        return self.model.predict(frame.temp_c, frame.slot)

    def interval(self, predicted: np.ndarray, confidence: float = 0.90, temp_c=None):
        """Prediction interval from the model's own error: predicted ± t·RMSE, widened where
        the temperature lies outside what the model was fitted on (an extrapolation knows
        less): by √(1 + (distance beyond the range / training std)²)."""
        half = mv_stats.t_value(confidence, self.stats.n - self.stats.p) * self.stats.rmse
        if temp_c is not None and self.temp_range is not None:
            lo, hi, std = self.temp_range
            t = np.asarray(temp_c, float)
            beyond = np.where(np.isfinite(t), np.maximum(lo - t, 0) + np.maximum(t - hi, 0), 0)
            half = half * np.sqrt(1 + (beyond / max(std, 0.5)) ** 2)
        return predicted - half, predicted + half

    def to_json(self) -> str:
        return json.dumps({"version": self.version, "granularity": self.granularity,
                           "model": self.model.to_dict(), "stats": self.stats.to_dict(),
                           "train_start_us": self.train_start_us,
                           "train_end_us": self.train_end_us, "tz": self.tz, "unit": self.unit,
                           "warnings": self.warnings, "temp_range": self.temp_range})

    @classmethod
    def from_json(cls, text: str, where: str = "baseline") -> "Baseline":
        try:
            d = json.loads(text)
            if d["version"] > MODEL_VERSION:
                raise ValidationError(f"{where}: model version {d['version']} is newer than "
                                      f"this Energize reads ({MODEL_VERSION})")
            model = (HourlyModel if d["granularity"] == "hourly" else DailyModel).from_dict(
                d["model"])
            stats = {k: v for k, v in d["stats"].items() if k != "meets_g14"}
            return cls(d["granularity"], model, mv_stats.FitStats(**stats), d["train_start_us"],
                       d["train_end_us"], d["tz"], d["unit"], list(d.get("warnings", [])),
                       d["version"], _temp_range(d.get("temp_range")))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationError(f"{where}: not a valid baseline ({exc})") from None


def frame_for(series: Series, temperature: np.ndarray, granularity: str) -> Frame:
    """Hourly or daily rows from an hourly energy series and temperatures on its grid."""
    if series.step_s != 3600:
        raise ValidationError(f"{series.name}: baselines work on hourly series, got "
                              f"{series.step_s} s steps")
    temp = fill_short_gaps(np.asarray(temperature, float), MAX_TEMP_GAP_H)
    local = series.ts_us + calendar(series.tz).offsets(series.ts_us)
    month = local.astype("datetime64[us]").astype("datetime64[M]").astype(int) % 12 + 1
    if granularity == "hourly":
        return Frame(series.ts_us, series.values, temp, series.slot, month)
    if granularity != "daily":
        raise ValidationError(f"granularity {granularity!r}: expected hourly or daily")
    return _daily(series, temp, month)


def _daily(series: Series, temp: np.ndarray, month: np.ndarray) -> Frame:
    day = series.local_day()
    starts = np.flatnonzero(np.r_[True, np.diff(day) != 0])
    hours = np.diff(np.r_[starts, len(day)])
    v, ok = np.nan_to_num(series.values), np.isfinite(series.values)
    present = np.add.reduceat(ok.astype(float), starts)
    mean = np.add.reduceat(v, starts) / np.maximum(present, 1)
    usage = np.where(present >= 0.5 * hours, mean * hours, np.nan)  # gaps filled by the mean
    t_ok = np.isfinite(temp)
    t_sum = np.add.reduceat(np.where(t_ok, temp, 0.0), starts)
    t_n = np.add.reduceat(t_ok.astype(float), starts)
    temp_day = np.where(t_n >= 0.5 * hours, t_sum / np.maximum(t_n, 1), np.nan)
    weekday = series.slot[starts] // 24
    return Frame(series.ts_us[starts], usage, temp_day, weekday, month[starts])


def fill_short_gaps(x: np.ndarray, max_gap: int) -> np.ndarray:
    """Linear interpolation across runs of at most `max_gap` missing values."""
    out = x.copy()
    bad = ~np.isfinite(out)
    if not bad.any() or bad.all():
        return out
    idx = np.arange(len(out))
    interp = np.interp(idx, idx[~bad], out[~bad])
    starts = np.flatnonzero(bad & ~np.r_[False, bad[:-1]])
    ends = np.flatnonzero(bad & ~np.r_[bad[1:], False]) + 1
    for a, b in zip(starts, ends):
        if b - a <= max_gap and a > 0 and b < len(out):
            out[a:b] = interp[a:b]
    return out


def fit(series: Series, temperature: np.ndarray, granularity: str = "hourly",
        start_us: int | None = None, end_us: int | None = None) -> Baseline:
    """Fit on [start, end) of the series (default: all of it)."""
    frame = window(frame_for(series, temperature, granularity), start_us, end_us)
    warnings = sufficiency(frame, granularity)
    try:
        if granularity == "hourly":
            model = fit_hourly(frame.usage, frame.temp_c, frame.slot, frame.month)
        else:
            model = fit_daily(frame.usage, frame.temp_c, frame.slot)
    except ValueError as exc:
        raise ValidationError(f"{series.name}: cannot fit a {granularity} baseline: {exc}") \
            from None
    p = model.parameters
    step = 3600 * US if granularity == "hourly" else DAY_US
    placeholder = mv_stats.fit_stats([], [], p, granularity)  # replaced just below
    result = Baseline(granularity, model, placeholder, int(frame.ts_us[0]),
                      int(frame.ts_us[-1]) + step, series.tz, series.unit, warnings)
    result.stats = mv_stats.fit_stats(frame.usage, result.predict(frame), p, granularity)
    seen = frame.temp_c[np.isfinite(frame.temp_c) & np.isfinite(frame.usage)]
    if len(seen):
        result.temp_range = (float(seen.min()), float(seen.max()), float(seen.std()))
    return result


def _temp_range(value) -> tuple[float, float, float] | None:
    if value is None:
        return None  # a model kept before ranges were recorded: intervals as before
    lo, hi, std = (float(v) for v in value)
    return lo, hi, std


def window(frame: Frame, start_us, end_us) -> Frame:
    sel = np.ones(len(frame.ts_us), bool)
    if start_us is not None:
        sel &= frame.ts_us >= start_us
    if end_us is not None:
        sel &= frame.ts_us < end_us
    if not sel.any():
        raise ValidationError("no data in the period asked for")
    return Frame(*(getattr(frame, f)[sel] for f in ("ts_us", "usage", "temp_c", "slot",
                                                      "month")))


def sufficiency(frame: Frame, granularity: str) -> list[str]:
    """CalTRACK data-sufficiency checks, as reasons in words (the model is still fitted)."""
    out = []
    both = np.isfinite(frame.usage) & np.isfinite(frame.temp_c)
    step_days = 1 / 24 if granularity == "hourly" else 1.0
    span_days = len(frame.ts_us) * step_days
    if span_days < 365 - 1e-9:
        out.append(f"baseline covers {span_days:.0f} days; CalTRACK asks for 365")
    missing_days = (~both).sum() * step_days
    if missing_days > 37:
        out.append(f"{missing_days:.0f} days of usage or temperature missing; CalTRACK allows "
                   "37 (10 %)")
    if granularity == "hourly":
        for m in range(1, 13):
            sel = frame.month == m
            if sel.any() and both[sel].mean() < 0.9:
                out.append(f"month {m}: {100 * both[sel].mean():.0f} % of hours present; "
                           "CalTRACK asks for more than 90 %")
    return out
