"""Forecasts out of sample on the real cmp building (2019, hourly), side by side with the
persistence forecast every forecaster must beat ("the same hour last week").

Rolling origins every 7 days after the first 12 weeks; at each origin the next 24 h and 168 h
are forecast from the data before it. Energize with temperature uses the temperature that was
then observed as a perfect temperature forecast (an upper bound on what a real forecast gives —
stated in the figure); without temperature it uses its seasonal profile. Figures: median
CV(RMSE) over origins, and how often the actual hour fell inside the 90 % interval.
Also timed: pricing a year of 15-minute data on a four-band TOU tariff with demand charges, and
the load-shift linear program for one month of 15-minute steps.
"""

from __future__ import annotations

import statistics

import numpy as np

from benchmarks.baselines import cmp_building
from benchmarks.common import Figure, Result, median_time
from energize_desktop.analytics.costs import cost
from energize_desktop.analytics.forecast import backtest_cv_rmse, forecast
from energize_desktop.analytics.load_shift import optimise
from energize_desktop.analytics.series import Series
from energize_desktop.analytics.tariffs import parse_tariff

TARIFF = {"name": "bench TOU", "currency": "GBP", "holidays": {"country": "GB"},
          "valid_from": "2000-01-01", "fixed_per_day": 1.0,
          "rates": [{"name": "peak", "per_kwh": 0.35, "windows": [
              {"days": "weekdays", "from": "16:00", "to": "19:00", "months": [11, 12, 1, 2]}]},
              {"name": "night", "per_kwh": 0.12, "windows": [{"from": "00:00", "to": "07:00"}]},
              {"name": "weekend", "per_kwh": 0.18, "windows": [{"days": "weekends"}]},
              {"name": "day", "per_kwh": 0.24}],
          "demand": [{"name": "capacity", "per_kw_month": 6.0}]}


def _head(s: Series, n: int, temp: np.ndarray) -> Series:
    return Series(s.name, s.unit, s.ts_us[:n], s.values[:n], 3600, s.week[:n], s.slot[:n],
                  temp[:n], s.tz)


def _persistence(series: Series, origin: int, hours: int) -> np.ndarray:
    idx = origin + np.arange(hours)
    return series.values[idx - 168 * (1 + np.arange(hours) // 168)]


def backtest(series: Series, temp: np.ndarray, hours: int) -> dict[str, list]:
    out = {"model": [], "profile": [], "persistence": [], "cover_model": [],
           "cover_profile": []}
    for origin in range(24 * 7 * 12, len(series) - hours, 24 * 7):
        actual = series.values[origin:origin + hours]
        if np.isnan(actual).mean() > 0.1:
            continue
        history = _head(series, origin, temp)
        with_temp = forecast(history, hours, 0.9, temp[origin:origin + hours])
        profile = forecast(Series(history.name, "kWh", history.ts_us, history.values, 3600,
                                  history.week, history.slot, None, history.tz), hours, 0.9)
        out["model"].append(backtest_cv_rmse(actual, with_temp.predicted))
        out["profile"].append(backtest_cv_rmse(actual, profile.predicted))
        out["persistence"].append(backtest_cv_rmse(actual, _persistence(series, origin, hours)))
        ok = np.isfinite(actual)
        out["cover_model"].append(np.mean((actual[ok] >= with_temp.lower[ok])
                                          & (actual[ok] <= with_temp.upper[ok])))
        out["cover_profile"].append(np.mean((actual[ok] >= profile.lower[ok])
                                            & (actual[ok] <= profile.upper[ok])))
    return out


def run() -> Result:
    series, temp = cmp_building()
    result = Result("forecasts", "same hour last week (persistence)", setup={
        "dataset": "cmp_building_15min, 2019, hourly", "origins": "every 7 days after 12 weeks"})
    for hours in (24, 168):
        b = backtest(series, temp, hours)
        med = {k: statistics.median(v) for k, v in b.items()}
        n = len(b["model"])
        result.figures += [
            Figure(f"{hours} h ahead, TOWT + observed temperature: median CV(RMSE)", "%",
                   med["model"], med["persistence"], False, "below persistence",
                   f"{n} origins; observed temperature stands in for a perfect forecast"),
            Figure(f"{hours} h ahead, seasonal profile (no temperature): median CV(RMSE)", "%",
                   med["profile"], med["persistence"], False, "below persistence",
                   f"{n} origins"),
            Figure(f"{hours} h ahead: share of hours inside the 90 % interval (TOWT)", "%",
                   100 * med["cover_model"], None, True, "about 90 %"),
            Figure(f"{hours} h ahead: share inside the 90 % interval (profile)", "%",
                   100 * med["cover_profile"], None, True, "about 90 %")]
    tariff = parse_tariff(TARIFF)
    n = 96 * 365
    ts = series.ts_us[0] + np.arange(n, dtype=np.int64) * 900 * 10**6
    kwh = np.repeat(series.values[: n // 4], 4)[:n] / 4
    result.figures.append(Figure("price 1 year of 15-min steps (4 bands, demand, holidays)",
                                 "ms", 1000 * median_time(lambda: cost(ts, kwh, 900, "UTC",
                                                                       tariff), 5, 1),
                                 None, False))
    month = slice(0, 96 * 30)
    flex = np.where((np.arange(96 * 30) % 96 >= 68) & (np.arange(96 * 30) % 96 < 80), 1.8, 0.0)
    result.figures.append(Figure(
        "load-shift LP, 1 month of 15-min steps with a demand charge", "ms",
        1000 * median_time(lambda: optimise(ts[month], flex, np.nan_to_num(kwh[month]), 900,
                                            "UTC", tariff, [(17 * 60, 7 * 60)], 7.4), 5, 1),
        None, False))
    return result
