"""Key figures of a meter over a period, from its energy per step (NaN = gap, never zero).

Peak demand is reported two ways: the highest fixed 15-minute (or step) window, and the highest
rolling window of the tariff's demand length. Baseload is the 5th percentile of demand (robust
to a single odd night). EUI uses the site's floor area; source EUI uses documented site-to-source
ratios (ENERGY STAR Portfolio Manager Technical Reference, Aug 2023).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from energize_desktop.analytics.series import Series

# site-to-source ratios (ENERGY STAR Portfolio Manager Technical Reference "Source Energy",
# Aug 2023): (US, Canada)
SOURCE_RATIOS = {"electricity": (2.80, 1.83), "pv": (1.00, 1.00), "gas": (1.05, 1.06)}
KWH_TO_KBTU = 3.412141633
M2_PER_FT2 = 0.09290304


@dataclass(frozen=True)
class Kpis:
    energy: float  # in the series' unit over the known steps
    coverage: float  # share of steps with data
    peak_fixed_kw: float
    peak_rolling_kw: float
    mean_kw: float
    load_factor: float  # mean demand / peak demand
    baseload_kw: float  # 5th percentile of demand
    after_hours_share: float  # energy outside the occupied hours, of all energy
    weekend_share: float
    weekday_weekend_ratio: float  # mean weekday daily energy / mean weekend daily energy
    unit: str

    def to_dict(self) -> dict:
        return asdict(self)


def kpis(series: Series, occupied_hours=(8, 18), demand_window_min: int = 15,
         non_working: frozenset[int] = frozenset()) -> Kpis:
    """Series of energy per step in kWh (or Wh/MWh: demand is reported in kW only for kWh).
    `non_working`: local day numbers (public holidays, closures) that count as weekend days."""
    v = series.values
    ok = np.isfinite(v)
    step_h = series.step_s / 3600
    kw = v / step_h
    window = max(1, int(round(demand_window_min * 60 / series.step_s)))
    rolling = np.convolve(np.where(ok, kw, np.nan), np.ones(window) / window, mode="valid") \
        if len(kw) >= window else np.array([np.nan])
    hour = (series.slot % series.slots_per_day) * series.step_s / 3600
    weekday = series.slot // series.slots_per_day
    weekend = (weekday >= 5) | np.isin(series.local_day() - 3, list(non_working))
    after = weekend | (hour < occupied_hours[0]) | (hour >= occupied_hours[1])
    total = float(np.nansum(v))
    mean_kw = float(np.nanmean(kw)) if ok.any() else float("nan")
    peak = float(np.nanmax(kw)) if ok.any() else float("nan")
    days = series.local_day()
    return Kpis(  # "weekend" below: Saturdays, Sundays and the non-working days
        energy=total, coverage=float(ok.mean()) if len(v) else 0.0,
        peak_fixed_kw=peak, peak_rolling_kw=float(np.nanmax(rolling)) if np.isfinite(
            rolling).any() else float("nan"),
        mean_kw=mean_kw, load_factor=mean_kw / peak if peak else float("nan"),
        baseload_kw=float(np.nanpercentile(kw, 5)) if ok.any() else float("nan"),
        after_hours_share=_share(v, after & ~weekend, total),
        weekend_share=_share(v, weekend, total),
        weekday_weekend_ratio=_day_ratio(v, days, weekend),
        unit=series.unit)


def _share(v: np.ndarray, mask: np.ndarray, total: float) -> float:
    return float(np.nansum(v[mask]) / total) if total else float("nan")


def _day_ratio(v: np.ndarray, days: np.ndarray, weekend: np.ndarray) -> float:
    ids, inverse = np.unique(days, return_inverse=True)
    per_day = np.bincount(inverse, np.nan_to_num(v), minlength=len(ids))
    is_weekend = np.bincount(inverse, weekend.astype(float), minlength=len(ids)) > 0
    wd, we = per_day[~is_weekend], per_day[is_weekend]
    if not len(wd) or not len(we) or we.mean() == 0:
        return float("nan")
    return float(wd.mean() / we.mean())


def eui(annual_kwh: float, floor_area_m2: float, fuel: str = "electricity",
        country: str = "US") -> dict:
    """Site and source EUI in kWh/m²·yr and kBtu/ft²·yr, with the ratio used and its source."""
    if not floor_area_m2 or floor_area_m2 <= 0:
        raise ValueError("EUI needs the site's floor area (m²)")
    ratio = SOURCE_RATIOS[fuel][0 if country == "US" else 1]
    site = annual_kwh / floor_area_m2
    kbtu_ft2 = annual_kwh * KWH_TO_KBTU / (floor_area_m2 / M2_PER_FT2)
    return {"site_kwh_m2": site, "site_kbtu_ft2": kbtu_ft2, "source_kwh_m2": site * ratio,
            "source_kbtu_ft2": kbtu_ft2 * ratio, "source_ratio": ratio,
            "ratio_source": "ENERGY STAR Portfolio Manager Technical Reference, Source Energy "
                            f"(Aug 2023), {country}"}
