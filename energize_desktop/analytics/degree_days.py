"""Heating and cooling degree-days from hourly outdoor temperature (daily-mean method), at a
chosen base temperature or at the balance points a daily change-point model fits to the
building's own energy use (the temperature below which it starts heating, above which it
cools). A day with fewer than half its hours of temperature has no degree-days (NaN), not zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from energize_desktop.analytics.baseline import frame_for
from energize_desktop.analytics.baseline_daily import fit_daily
from energize_desktop.analytics.local_time import local_times, month_label
from energize_desktop.analytics.series import Series

DEFAULT_HEATING_BASE_C = 15.5  # the UK CIBSE TM41 base; US practice is 65 °F (18.3 °C)
DEFAULT_COOLING_BASE_C = 18.3


@dataclass
class DegreeDays:
    day_ts_us: np.ndarray  # start of each local day
    mean_temp_c: np.ndarray
    hdd: np.ndarray
    cdd: np.ndarray
    heating_base_c: float
    cooling_base_c: float
    how: str  # "chosen" or "fitted: <model>"

    def monthly(self, tz: str) -> dict[str, dict]:
        keys = local_times(self.day_ts_us, tz).month_key
        out = {}
        for m in np.unique(keys):
            sel = keys == m
            out[month_label(int(m))] = {
                "hdd": float(np.nansum(self.hdd[sel])), "cdd": float(np.nansum(self.cdd[sel])),
                "days": int(sel.sum()), "days_missing": int(np.isnan(self.hdd[sel]).sum())}
        return out

    @property
    def total_hdd(self) -> float:
        return float(np.nansum(self.hdd))

    @property
    def total_cdd(self) -> float:
        return float(np.nansum(self.cdd))


def degree_days(temperature: Series, heating_base_c: float = DEFAULT_HEATING_BASE_C,
                cooling_base_c: float = DEFAULT_COOLING_BASE_C, how: str = "chosen") \
        -> DegreeDays:
    """`temperature` is an hourly series of °C on the site's local calendar."""
    if not len(temperature):
        empty = np.zeros(0)
        return DegreeDays(np.zeros(0, np.int64), empty, empty, empty, heating_base_c,
                          cooling_base_c, how)
    frame = frame_for(temperature, temperature.values, "daily")
    t = frame.temp_c
    return DegreeDays(frame.ts_us, t, np.maximum(heating_base_c - t, 0.0),
                      np.maximum(t - cooling_base_c, 0.0), heating_base_c,
                      cooling_base_c, how)


def fitted_balance_points(energy: Series, temperature_on_grid: np.ndarray) \
        -> tuple[float | None, float | None, str]:
    """Balance points (°C) of the best CalTRACK daily model of this energy use, and its words."""
    frame = frame_for(energy, temperature_on_grid, "daily")
    ok = np.isfinite(frame.usage) & np.isfinite(frame.temp_c)
    if ok.sum() < 30:
        return None, None, "fewer than 30 days with energy and temperature: nothing fitted"
    model = fit_daily(frame.usage[ok], frame.temp_c[ok], frame.slot[ok])
    return model.heating_bp, model.cooling_bp, model.describe()
