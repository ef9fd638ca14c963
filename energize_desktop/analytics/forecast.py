"""Forecasts of the next 24 hours or 7 days, hourly, with prediction intervals.

- Consumption with a temperature forecast: the hourly TOWT baseline fitted to the last year (or
  what there is) predicts from the forecast temperatures; the interval is the model's own
  ±t·RMSE, and its CV(RMSE) is reported with the forecast.
- Consumption without one: a seasonal profile — the median of the last four weeks at each hour
  of the week; the interval comes from each of those weeks' error against the median of the
  other three (leave-one-out), pooled over the hours.
- Production (PV): the median of the last 14 days at each hour of the day, interval from their
  spread (sunshine does not follow the weekday).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from energize_desktop.analytics import baseline as bl
from energize_desktop.analytics.local_time import local_times
from energize_desktop.analytics.series import Series, local_slots
from energize_desktop.core.timezones import US

HOUR_US = 3600 * US
PROFILE_WEEKS = 4
PV_DAYS = 14
FIT_DAYS = 365


@dataclass
class Forecast:
    ts_us: np.ndarray
    predicted: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    method: str
    unit: str
    confidence: float
    metrics: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def forecast(history: Series, hours: int = 24, confidence: float = 0.90,
             temperature_forecast: np.ndarray | None = None, production: bool = False) \
        -> Forecast:
    """`history` is hourly energy with its temperature attached (Series.temperature) when a
    temperature forecast is given; the forecast starts at the hour after its last step."""
    start = int(history.ts_us[-1]) + HOUR_US if len(history) else 0
    ts = start + np.arange(hours, dtype=np.int64) * HOUR_US
    if production:
        return _profile(history, ts, confidence, by_week=False)
    if temperature_forecast is not None and history.temperature is not None:
        temps = np.asarray(temperature_forecast, float)
        if len(temps) >= hours and np.isfinite(temps[:hours]).all():
            result = _with_model(history, ts, temps[:hours], confidence)
            if result is not None:
                return result
            note = "too little history with temperature for a model"
        else:
            note = "the temperature forecast does not cover every hour"
        out = _profile(history, ts, confidence, by_week=True)
        out.notes.append(f"{note}: seasonal profile used instead")
        return out
    return _profile(history, ts, confidence, by_week=True)


def _with_model(history: Series, ts, temps, confidence) -> Forecast | None:
    recent = history.ts_us >= history.ts_us[-1] - FIT_DAYS * 24 * HOUR_US
    frame = bl.frame_for(_tail(history, recent), history.temperature[recent], "hourly")
    if (np.isfinite(frame.usage) & np.isfinite(frame.temp_c)).sum() < 24 * 28:
        return None
    model = bl.fit(_tail(history, recent), history.temperature[recent], "hourly")
    _, slot = local_slots(ts, 3600, history.tz)
    future = bl.Frame(ts, np.full(len(ts), np.nan), temps, slot, local_times(ts, history.tz).month)
    predicted = np.maximum(model.predict(future), 0.0)
    lower, upper = model.interval(predicted, confidence)
    s = model.stats
    return Forecast(ts, predicted, np.maximum(lower, 0.0), upper,
                    "hourly TOWT model with the temperature forecast", history.unit, confidence,
                    {"cv_rmse_pct": s.cvrmse, "nmbe_pct": s.nmbe, "r2": s.r2, "n": s.n},
                    list(model.warnings))


def _tail(series: Series, keep: np.ndarray) -> Series:
    return Series(series.name, series.unit, series.ts_us[keep], series.values[keep],
                  series.step_s, series.week[keep], series.slot[keep], None, series.tz)


def _profile(history: Series, ts, confidence, by_week: bool) -> Forecast:
    period = 168 if by_week else 24
    depth = PROFILE_WEEKS if by_week else PV_DAYS
    _, slot = local_slots(ts, 3600, history.tz)
    key_future = slot if by_week else slot % 24
    key_past = history.slot if by_week else history.slot % 24
    recent = slice(max(0, len(history) - period * depth), len(history))
    values, keys = history.values[recent], key_past[recent]
    table = np.full((period, depth), np.nan)
    for k in range(period):
        v = values[keys == k][-depth:]
        table[k, : len(v)] = v
    with warnings.catch_warnings():  # an hour with no history is NaN, said in the notes
        warnings.simplefilter("ignore", RuntimeWarning)
        median = np.nanmedian(table, axis=1)
        resid = _leave_one_out(table)
        tail = (1 - confidence) / 2 * 100
        # 14 days give each hour of the day its own spread (sun at noon, none at night);
        # 4 weeks are too few per hour of the week, so their errors are pooled
        axis = 1 if not by_week else None
        lo = np.maximum(median + np.nanpercentile(resid, tail, axis=axis), 0.0)
        hi = median + np.nanpercentile(resid, 100 - tail, axis=axis)
    missing = int(np.isnan(median[key_future]).sum())
    name = (f"median of the last {depth} weeks at each hour of the week" if by_week else
            f"median of the last {depth} days at each hour of the day")
    out = Forecast(ts, median[key_future], lo[key_future], hi[key_future], name, history.unit,
                   confidence)
    if missing:
        out.notes.append(f"{missing} hours have no history at that hour: no forecast there")
    return out


def _leave_one_out(table: np.ndarray) -> np.ndarray:
    """Each past value against the median of the *other* weeks (or days) at its hour: honest
    out-of-sample errors, pooled over all hours for the interval."""
    out = np.full(table.shape, np.nan)
    for j in range(table.shape[1]):
        others = np.delete(table, j, axis=1)
        out[:, j] = table[:, j] - np.nanmedian(others, axis=1)
    return out


def backtest_cv_rmse(actual: np.ndarray, predicted: np.ndarray) -> float:
    ok = np.isfinite(actual) & np.isfinite(predicted)
    if not ok.any() or not actual[ok].mean():
        return float("nan")
    return float(np.sqrt(np.mean((actual[ok] - predicted[ok]) ** 2)) / actual[ok].mean() * 100)
