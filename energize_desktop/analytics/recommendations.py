"""Rule-based findings with an estimated annual saving in kWh, money and CO2e, the evidence
behind each, and the chart that shows it.

Every estimate states its assumption (e.g. "half of the energy above the baseload on weekday
nights"): these are the first numbers an auditor writes down before a site visit, not a
guarantee. Savings are annualised from the period analysed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from energize_desktop.analytics.local_time import local_times
from energize_desktop.analytics.series import Series

BASELOAD_SHARE_HIGH = 0.40  # baseload above this share of mean demand is worth a night walk-round
BASELOAD_CUT = 0.10  # a first target: a tenth off the baseload
AFTER_HOURS_EXCESS = 0.25  # weekday-night energy above baseload, as a share of night energy
SCHEDULE_RECOVERY = 0.5  # half of the excess comes back by tightening schedules
WEEKEND_RATIO_LOW = 1.6  # weekday/weekend daily energy below this: the weekend looks like a week
PEAK_QUANTILE = 99.0
TARIFF_MARGIN = 0.02
SENSITIVITY_CHANGE = 0.20
COVERAGE_POOR = 0.95


@dataclass
class Finding:
    key: str
    title: str
    kwh_per_year: float
    money_per_year: float
    kg_co2e_per_year: float
    evidence: list[str]
    chart: dict  # {"meter": name, "view": profile|heatmap|scatter|line, "from_us", "to_us"}
    assumption: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Evidence:
    """What the rules look at, gathered by the caller for one meter (or a site's total)."""

    energy: Series  # hourly kWh, NaN = gap
    price_per_kwh: float | None = None  # average of the current tariff
    kg_per_kwh: float | None = None
    currency: str = ""
    demand_rate_per_kw_month: float = 0.0
    occupied_hours: tuple[int, int] = (8, 18)
    tariff_costs: dict[str, float] = field(default_factory=dict)  # name -> cost of the period
    current_tariff: str | None = None
    sensitivity: tuple[float, float] | None = None  # heating slope (earlier, later), per °C-day
    annual_hdd: float | None = None
    simultaneous_kwh: float | None = None  # cooling on days the building also heats
    quality: dict = field(default_factory=dict)  # coverage, counter resets, flat-lines…


def recommend(ev: Evidence) -> list[Finding]:
    rules = (_baseload, _after_hours, _weekend, _peak, _tariff, _sensitivity, _simultaneous,
             _quality)
    found = [f for rule in rules if (f := rule(ev)) is not None]
    return sorted(found, key=lambda f: -f.money_per_year if f.money_per_year else -f.kwh_per_year)


def _finding(ev: Evidence, key, title, kwh_period, evidence, view, assumption,
             money=None) -> Finding:
    scale = _annualise(ev.energy)
    kwh = kwh_period * scale
    if money is None:
        money = kwh * ev.price_per_kwh if ev.price_per_kwh else 0.0
    else:
        money *= scale
    return Finding(key, title, kwh, money, kwh * (ev.kg_per_kwh or 0.0), evidence,
                   {"meter": ev.energy.name, "view": view, "from_us": int(ev.energy.ts_us[0]),
                    "to_us": int(ev.energy.ts_us[-1])}, assumption)


def _annualise(s: Series) -> float:
    days = np.isfinite(s.values).sum() / 24
    return 365.0 / days if days else 0.0


def _masks(ev: Evidence):
    s = ev.energy
    hour = s.slot % 24
    weekend = s.slot // 24 >= 5
    night = ~weekend & ((hour < ev.occupied_hours[0]) | (hour >= ev.occupied_hours[1]))
    return night, weekend


def _baseload_kw(s: Series) -> float:
    return float(np.nanpercentile(s.values, 5))


def _baseload(ev: Evidence) -> Finding | None:
    s = ev.energy
    if np.isfinite(s.values).sum() < 24 * 7:  # under a week of data: no baseload to judge
        return None
    base, mean = _baseload_kw(s), float(np.nanmean(s.values))
    if not mean or not np.isfinite(base) or base / mean < BASELOAD_SHARE_HIGH:
        return None
    hours = np.isfinite(s.values).sum()
    return _finding(ev, "baseload", "High baseload", BASELOAD_CUT * base * hours,
                    [f"baseload (5th percentile) {base:,.1f} kW is {base / mean:.0%} of the "
                     f"mean demand {mean:,.1f} kW (above {BASELOAD_SHARE_HIGH:.0%})"],
                    "profile", f"a {BASELOAD_CUT:.0%} cut in the baseload, every hour")


def _excess(ev: Evidence, mask: np.ndarray) -> tuple[float, float]:
    v = ev.energy.values
    base = _baseload_kw(ev.energy)
    sel = mask & np.isfinite(v)
    return float(np.maximum(v[sel] - base, 0).sum()), float(v[sel].sum())


def _after_hours(ev: Evidence) -> Finding | None:
    night, _ = _masks(ev)
    excess, total = _excess(ev, night)
    if not total or excess / total < AFTER_HOURS_EXCESS:
        return None
    a, b = ev.occupied_hours
    return _finding(ev, "after-hours", "After-hours use on weekday nights",
                    SCHEDULE_RECOVERY * excess,
                    [f"{excess:,.0f} kWh of {total:,.0f} kWh used on weekday nights (before "
                     f"{a:02d}:00, from {b:02d}:00) is above the baseload ({excess / total:.0%})"],
                    "heatmap", f"{SCHEDULE_RECOVERY:.0%} of the energy above the baseload "
                    "recovered by tighter plant schedules")


def _weekend(ev: Evidence) -> Finding | None:
    s = ev.energy
    _, weekend = _masks(ev)
    day = s.local_day()
    v = np.nan_to_num(s.values)
    ids, inv = np.unique(day, return_inverse=True)
    per_day = np.bincount(inv, v)
    is_we = np.bincount(inv, weekend.astype(float)) > 0
    if not is_we.any() or is_we.all() or not per_day[is_we].mean():
        return None
    ratio = per_day[~is_we].mean() / per_day[is_we].mean()
    if ratio >= WEEKEND_RATIO_LOW:
        return None
    excess, total = _excess(ev, weekend)
    return _finding(ev, "weekend", "Weekend use close to weekdays", SCHEDULE_RECOVERY * excess,
                    [f"weekday days use {ratio:.2f}× a weekend day (below {WEEKEND_RATIO_LOW}); "
                     f"{excess:,.0f} kWh at weekends is above the baseload"],
                    "heatmap", f"{SCHEDULE_RECOVERY:.0%} of weekend energy above the baseload")


def _peak(ev: Evidence) -> Finding | None:
    if not ev.demand_rate_per_kw_month:
        return None
    s = ev.energy
    v = s.values
    months = local_times(s.ts_us, s.tz).month_key
    shave, energy = 0.0, 0.0
    for m in np.unique(months):
        x = v[(months == m) & np.isfinite(v)]
        if len(x) < 24 * 7:
            continue
        q = np.percentile(x, PEAK_QUANTILE)
        shave += x.max() - q
        energy += np.maximum(x - q, 0).sum()
    if shave <= 0:
        return None
    money = shave * ev.demand_rate_per_kw_month
    return _finding(ev, "peak", "Peak-demand shaving", 0.0,
                    [f"capping each month's demand at its {PEAK_QUANTILE:g}th percentile "
                     f"takes {shave:,.1f} kW-months off the demand charge by moving "
                     f"{energy:,.0f} kWh"], "line",
                    "the hours above the 99th percentile moved, not avoided", money=money)


def _tariff(ev: Evidence) -> Finding | None:
    if not ev.current_tariff or len(ev.tariff_costs) < 2:
        return None
    now = ev.tariff_costs[ev.current_tariff]
    name, best = min(ev.tariff_costs.items(), key=lambda kv: kv[1])
    if name == ev.current_tariff or best > now * (1 - TARIFF_MARGIN):
        return None
    return _finding(ev, "tariff", f"Cheaper tariff: {name}", 0.0,
                    [f"the period costs {ev.currency} {now:,.0f} on {ev.current_tariff} and "
                     f"{ev.currency} {best:,.0f} on {name}"], "line",
                    "the same consumption, priced on the other tariff's latest terms",
                    money=now - best)


def _sensitivity(ev: Evidence) -> Finding | None:
    if not ev.sensitivity or not ev.annual_hdd:
        return None
    before, after = ev.sensitivity
    if not before or (after - before) / before < SENSITIVITY_CHANGE:
        return None
    kwh = (after - before) * ev.annual_hdd / _annualise(ev.energy)
    return _finding(ev, "heating-sensitivity", "Heating sensitivity has risen", kwh,
                    [f"heating slope {before:,.1f} → {after:,.1f} kWh per °C-day "
                     f"(+{(after - before) / before:.0%})"], "scatter",
                    "back to the earlier slope, at this year's degree-days")


def _simultaneous(ev: Evidence) -> Finding | None:
    if not ev.simultaneous_kwh or ev.simultaneous_kwh <= 0:
        return None
    return _finding(ev, "simultaneous", "Signs of simultaneous heating and cooling",
                    ev.simultaneous_kwh,
                    [f"{ev.simultaneous_kwh:,.0f} kWh of temperature-driven cooling on days "
                     "the heating model also predicts heating"], "scatter",
                    "the cooling on those days avoided by a dead band between set points")


def _quality(ev: Evidence) -> Finding | None:
    q = ev.quality
    problems = [f"{q['coverage']:.1%} of hours have data"] if q.get("coverage", 1) < \
        COVERAGE_POOR else []
    problems += [f"{n} {what}" for what, n in q.get("events", {}).items() if n]
    if not problems:
        return None
    return _finding(ev, "data-quality", "Poor data quality", 0.0, problems, "line",
                    "no saving of its own: every other figure here depends on it")
