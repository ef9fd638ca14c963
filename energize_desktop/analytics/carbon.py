"""Carbon: location-based emission factors kept as dated, sourced tables (GHG Protocol scope 2),
or an hourly factor series where one was imported. Factors change every year, so each step is
weighed with the factor in force on its local date; an hourly series wins where it has a value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from energize_desktop.analytics.local_time import day_number, local_times, month_label
from energize_desktop.core.errors import ValidationError
from energize_desktop.core.timezones import US


@dataclass(frozen=True)
class Factor:
    valid_from: date
    valid_to: date | None  # exclusive
    kg_per_kwh: float
    source: str


@dataclass(frozen=True)
class HourlyFactors:
    ts_us: np.ndarray  # hour starts, UTC
    kg_per_kwh: np.ndarray
    source: str

    def at(self, ts_us: np.ndarray) -> np.ndarray:
        """The factor of the hour each step falls in (NaN where the series has none)."""
        if not len(self.ts_us):
            return np.full(len(ts_us), np.nan)
        hour = ts_us // (3600 * US) * 3600 * US
        i = np.clip(np.searchsorted(self.ts_us, hour), 0, len(self.ts_us) - 1)
        return np.where(self.ts_us[i] == hour, self.kg_per_kwh[i], np.nan)


@dataclass
class Emissions:
    kg: float
    kwh: float
    months: dict[str, dict] = field(default_factory=dict)  # "YYYY-MM" -> {kg, kwh}
    sources: list[str] = field(default_factory=list)
    unfactored_kwh: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def kg_per_kwh(self) -> float:
        return self.kg / self.kwh if self.kwh else float("nan")

    def to_dict(self) -> dict:
        return {**self.__dict__, "kg_per_kwh": self.kg_per_kwh}


def parse_factors(rows: list[dict], where: str = "carbon factors") -> list[Factor]:
    out = []
    for i, r in enumerate(rows):
        at = f"{where}[{i}]"
        try:
            f = Factor(date.fromisoformat(r["valid_from"]),
                       date.fromisoformat(r["valid_to"]) if r.get("valid_to") else None,
                       float(r["kg_per_kwh"]), str(r["source"]))
        except KeyError as exc:
            raise ValidationError(f"{at}: missing {exc.args[0]} (expected valid_from, "
                                  "kg_per_kwh, source and optionally valid_to)") from None
        except (TypeError, ValueError) as exc:
            raise ValidationError(f"{at}: {exc}") from None
        if not 0 <= f.kg_per_kwh < 5:
            raise ValidationError(f"{at}: kg_per_kwh {f.kg_per_kwh} is outside 0..5 kg CO2e/kWh")
        if not f.source.strip():
            raise ValidationError(f"{at}: a factor needs its source (publisher, table, year)")
        out.append(f)
    return sorted(out, key=lambda f: f.valid_from)


def factors_per_step(ts_us: np.ndarray, tz: str, factors: list[Factor],
                     hourly: HourlyFactors | None = None) -> tuple[np.ndarray, list[str]]:
    """The factor of each step and the sources of the factors that were used."""
    days = local_times(ts_us, tz).day
    out = np.full(len(ts_us), np.nan)
    sources = []
    for f in factors:
        hi = day_number(f.valid_to) if f.valid_to else np.iinfo(np.int64).max
        sel = (days >= day_number(f.valid_from)) & (days < hi)
        out[sel] = f.kg_per_kwh
        if sel.any():
            sources.append(f"{f.source} ({f.kg_per_kwh:g} kg/kWh from {f.valid_from})")
    if hourly is not None:
        per_hour = hourly.at(ts_us)
        if np.isfinite(per_hour).any():
            sources.append(f"{hourly.source} (hourly)")
        out = np.where(np.isfinite(per_hour), per_hour, out)
    return out, sources


def emissions(ts_us: np.ndarray, kwh: np.ndarray, tz: str, factors: list[Factor],
              hourly: HourlyFactors | None = None) -> Emissions:
    factor, sources = factors_per_step(ts_us, tz, factors, hourly)
    used = np.nan_to_num(kwh)
    kg = used * np.nan_to_num(factor)
    t = local_times(ts_us, tz)
    result = Emissions(float(kg.sum()), float(used.sum()),
                       {month_label(int(m)): {"kg": float(kg[t.month_key == m].sum()),
                                              "kwh": float(used[t.month_key == m].sum())}
                        for m in np.unique(t.month_key)}, sources)
    missing = ~np.isfinite(factor) & (used != 0)
    if missing.any():
        result.unfactored_kwh = float(used[missing].sum())
        days = t.dates(missing)
        result.notes.append(f"{result.unfactored_kwh:,.1f} kWh from {min(days)} to {max(days)} "
                            "have no emission factor in force: not counted")
    return result
