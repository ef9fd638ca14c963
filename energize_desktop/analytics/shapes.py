"""The shape of a load: a carpet plot (day × hour), the load-duration curve and average day
profiles by weekday / weekend and season — from an hourly series on the local calendar, with
gaps left as NaN (a missing hour is a hole in the carpet, not a cold cell)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from energize_desktop.analytics.series import Series

SEASONS = {"winter": (12, 1, 2), "spring": (3, 4, 5), "summer": (6, 7, 8), "autumn": (9, 10, 11)}


@dataclass(frozen=True)
class Shapes:
    carpet: np.ndarray  # days × 24, NaN = no data
    first_day: int  # local day number (days since 1970-01-01) of row 0
    duration_kw: np.ndarray  # demand sorted high to low (NaN dropped)
    profiles: dict  # "weekday"/"weekend" + season -> 24 means
    unit: str


def shapes(series: Series, months: np.ndarray) -> Shapes:
    """`series` hourly; `months` the local month (1..12) of each step."""
    if series.step_s != 3600:
        raise ValueError("shapes need an hourly series")
    day = series.local_day()
    hour = series.slot % 24
    first = int(day.min()) if len(day) else 0
    carpet = np.full((int(day.max()) - first + 1 if len(day) else 0, 24), np.nan)
    carpet[day - first, hour] = series.values  # the repeated autumn hour keeps the later value
    v = series.values[np.isfinite(series.values)]
    weekend = series.slot // 24 >= 5
    profiles = {}
    for kind, mask in (("weekday", ~weekend), ("weekend", weekend)):
        for season, ms in (("all year", tuple(range(1, 13))), *SEASONS.items()):
            sel = mask & np.isin(months, ms) & np.isfinite(series.values)
            if sel.sum() >= 24:
                sums = np.bincount(hour[sel], series.values[sel], minlength=24)
                counts = np.bincount(hour[sel], minlength=24)
                profiles[f"{kind}, {season}"] = np.where(counts > 0, sums / np.maximum(counts, 1),
                                                         np.nan)
    return Shapes(carpet, first, np.sort(v)[::-1], profiles, series.unit)
