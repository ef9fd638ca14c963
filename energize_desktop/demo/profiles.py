"""A synthetic but physically plausible office building: weather, occupancy and end uses.

Everything is a function of a numpy Generator, so a seed reproduces the workspace exactly.
Times are arrays of local wall-clock datetime64[m] (the building lives by its local clock).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

STEP_MIN = 15


@dataclass(frozen=True)
class Calendar:
    """Local times of a 15-minute grid with the building's day types."""

    local: np.ndarray  # datetime64[m], local wall clock
    hour: np.ndarray  # float hour of day
    doy: np.ndarray  # day of year
    workday: np.ndarray  # bool: weekday and not a public holiday

    @staticmethod
    def build(local: np.ndarray, holidays: set) -> "Calendar":
        days = local.astype("datetime64[D]")
        minutes = (local - days).astype(np.int64)
        weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
        is_holiday = np.isin(days, np.array(sorted(holidays), dtype="datetime64[D]"))
        doy = (days - days.astype("datetime64[Y]")).astype(np.int64)
        return Calendar(local, minutes / 60.0, doy, (weekday < 5) & ~is_holiday)


def outdoor_temperature(cal: Calendar, rng: np.random.Generator) -> np.ndarray:
    """°C: a seasonal cycle (coldest mid-January), a daily cycle and persistent weather."""
    seasonal = 11.0 - 7.5 * np.cos(2 * np.pi * (cal.doy - 20) / 365.25)
    cycle = 3.5 * np.sin(2 * np.pi * (cal.hour - 9) / 24)
    steps_per_day = 24 * 60 // STEP_MIN
    n = len(cal.hour)
    weather = _ar1(n, 0.999, 0.12, rng)  # multi-day fronts
    daily = _ar1(n // steps_per_day + 2, 0.6, 1.2, rng)  # day-to-day swings, joined smoothly
    weather += np.interp(np.arange(n) / steps_per_day, np.arange(len(daily)), daily)
    return np.round(seasonal + cycle + weather, 1)


def occupancy(cal: Calendar) -> np.ndarray:
    """0..1: ramps at 07:00-09:00 and 17:00-19:00 on workdays; a cleaner crew at 06:00."""
    up = np.clip((cal.hour - 7) / 2, 0, 1)
    down = np.clip((19 - cal.hour) / 2, 0, 1)
    occ = np.where(cal.workday, np.minimum(up, down), 0.0)
    return np.maximum(occ, np.where(cal.workday & (cal.hour >= 6) & (cal.hour < 7), 0.2, 0.0))


def hvac_kw(cal, temp, occ, rng) -> np.ndarray:
    """Fans on schedule, cooling above 18 °C while occupied, a heat-pump share below 12 °C."""
    fans = 4.0 + 22.0 * occ
    cooling = np.where(occ > 0, 3.2 * np.clip(temp - 18.0, 0, None) * (0.5 + 0.5 * occ), 0.0)
    heat_pump = np.where(occ > 0, 1.6 * np.clip(12.0 - temp, 0, None), 0.3 * np.clip(5 - temp,
                                                                                  0, None))
    return np.clip(fans + cooling + heat_pump + rng.normal(0, 1.2, len(occ)), 0.5, None)


def lighting_kw(cal, occ, rng) -> np.ndarray:
    daylight = 1 - 0.35 * np.clip(np.cos(2 * np.pi * (cal.doy - 172) / 365.25), 0, None)
    return np.clip(2.5 + 30.0 * occ * daylight + rng.normal(0, 0.6, len(occ)), 1.0, None)


def plug_kw(cal, occ, rng) -> np.ndarray:
    return np.clip(9.0 + 26.0 * occ + rng.normal(0, 1.5, len(occ)), 4.0, None)


def server_kw(n: int, rng) -> np.ndarray:
    return np.round(np.clip(11.5 + _ar1(n, 0.98, 0.15, rng), 9.0, None), 2)


def pv_kw(cal, rng, peak_kw: float = 60.0, latitude: float = 51.5) -> np.ndarray:
    """Clear-sky output from solar elevation, thinned by day-to-day cloudiness."""
    decl = np.radians(23.44) * np.sin(2 * np.pi * (cal.doy - 81) / 365.25)
    hour_angle = np.radians(15 * (cal.hour + STEP_MIN / 120 - 12.5))  # solar noon ≈ 12:30
    lat = np.radians(latitude)
    sin_elev = np.sin(lat) * np.sin(decl) + np.cos(lat) * np.cos(decl) * np.cos(hour_angle)
    steps_per_day = 24 * 60 // STEP_MIN
    clouds = np.repeat(rng.beta(2.2, 1.6, len(cal.hour) // steps_per_day + 1),
                       steps_per_day)[: len(cal.hour)]
    out = peak_kw * np.clip(sin_elev, 0, None) ** 1.2 * (0.25 + 0.75 * clouds)
    return np.where(out < 0.05, 0.0, out)


def gas_m3_per_step(cal, temp, occ, rng) -> np.ndarray:
    """Boiler: space heating on degree-hours below 15.5 °C, pre-heat from 05:00, hot water."""
    preheat = cal.workday & (cal.hour >= 5) & (cal.hour < 19)
    heating = np.where(preheat, 0.9, 0.25) * np.clip(15.5 - temp, 0, None)
    hot_water = 0.35 * occ
    m3 = (heating + hot_water) * STEP_MIN / 60 * (1 + rng.normal(0, 0.05, len(occ)))
    return np.round(np.clip(m3, 0, None), 3)


def _ar1(n: int, phi: float, sigma: float, rng) -> np.ndarray:
    noise = rng.normal(0, sigma, n)
    out = np.empty(n)
    acc = 0.0
    # A python loop over ~40k steps is fast enough and clearer than a filter.
    for i in range(n):
        acc = phi * acc + noise[i]
        out[i] = acc
    return out
