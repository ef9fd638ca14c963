"""What energy cost on a tariff: energy by time-of-use band, monthly demand charges, fixed daily
charges and export credit — per period and per local calendar month.

Gaps are not priced as zero: their steps are counted and the breakdown says how much of the
period had no data. Steps outside every tariff version's validity are "unpriced" (with their
kWh), unless `as_if` asks what the period would have cost on the tariff's latest terms.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from energize_desktop.analytics.local_time import local_times, month_label
from energize_desktop.analytics.tariffs import Tariff


@dataclass
class CostResult:
    tariff: str
    currency: str
    total: float = 0.0
    bands: dict[str, dict] = field(default_factory=dict)  # rate name -> {kwh, cost}
    fixed: float = 0.0
    demand: list[dict] = field(default_factory=list)  # per month and charge
    export_kwh: float = 0.0
    export_credit: float = 0.0
    unpriced_kwh: float = 0.0
    missing_steps: int = 0
    steps: int = 0
    months: dict[str, dict] = field(default_factory=dict)  # "YYYY-MM" -> {kwh, cost}
    notes: list[str] = field(default_factory=list)

    @property
    def kwh(self) -> float:
        return sum(b["kwh"] for b in self.bands.values())

    @property
    def average_per_kwh(self) -> float:
        return self.total / self.kwh if self.kwh else float("nan")

    def to_dict(self) -> dict:
        return {**self.__dict__, "kwh": self.kwh,
                "average_per_kwh": self.average_per_kwh}


@dataclass(frozen=True)
class Prices:
    """The energy rate of each step and the band it falls in (-1: no version in force)."""

    per_kwh: np.ndarray
    band: np.ndarray  # index into names
    names: list[str]
    version: np.ndarray
    unmatched: int  # steps in force but matching no rate


DYNAMIC = "dynamic price"  # the band of steps priced on a tariff's price series


def step_prices(ts_us: np.ndarray, tz: str, tariff: Tariff, as_if: bool = False,
                step_s: int | None = None) -> Prices:
    t = local_times(ts_us, tz)
    version = tariff.version_index(t.day, as_if)
    day_type = tariff.day_type(t)
    names: list[str] = []
    price, band = np.zeros(len(ts_us)), np.full(len(ts_us), -1)
    unmatched_total = 0
    for vi, v in enumerate(tariff.versions):
        unmatched = version == vi
        for rate in v.rates:
            hit = unmatched & (any_window(rate.windows, t, day_type) if rate.windows else True)
            unmatched &= ~hit
            if rate.name not in names:
                names.append(rate.name)
            price[hit], band[hit] = rate.per_kwh, names.index(rate.name)
        unmatched_total += int(unmatched.sum())
    if tariff.prices is not None and len(ts_us):
        step = step_s or (int(np.median(np.diff(ts_us))) // 1_000_000 if len(ts_us) > 1
                          else tariff.prices.step_s)
        dynamic = tariff.prices.at(ts_us, step)
        hit = np.isfinite(dynamic) & (version >= 0)
        names.append(DYNAMIC)
        price[hit], band[hit] = dynamic[hit], len(names) - 1
    return Prices(price, band, names, version, unmatched_total)


def cost(ts_us: np.ndarray, kwh: np.ndarray, step_s: int, tz: str, tariff: Tariff,
         export_kwh: np.ndarray | None = None, as_if: bool = False) -> CostResult:
    """Price energy per step (kWh, NaN = gap) on a regular grid starting at `ts_us`."""
    t = local_times(ts_us, tz)
    prices = step_prices(ts_us, tz, tariff, as_if, step_s)
    version, day_type = prices.version, tariff.day_type(t)
    out = CostResult(tariff.name, tariff.currency, steps=len(kwh),
                     missing_steps=int(np.isnan(kwh).sum()))
    used = np.nan_to_num(kwh)
    step_cost = used * prices.per_kwh
    for i, name in enumerate(prices.names):
        hit = prices.band == i
        out.bands[name] = {"kwh": float(used[hit].sum()), "cost": float(step_cost[hit].sum())}
    if tariff.prices is not None:
        fallback = int(((prices.band != prices.names.index(DYNAMIC)) & (version >= 0)).sum())
        if fallback:
            out.notes.append(f"{fallback} steps outside the price series "
                             f"({_day(tariff.prices.first_us)} to {_day(tariff.prices.end_us)})"
                             " priced on the tariff's own rates")
    if prices.unmatched:
        out.notes.append(f"{prices.unmatched} steps matched no rate; add a default rate with no "
                         "windows")
    for vi, v in enumerate(tariff.versions):
        here = version == vi
        if not here.any():
            continue
        out.fixed += _fixed(v.fixed_per_day, step_cost, t.day, here)
        if export_kwh is not None:
            credit = np.nan_to_num(export_kwh[here]) * v.export_per_kwh
            out.export_kwh += float(np.nansum(export_kwh[here]))
            out.export_credit += float(credit.sum())
            step_cost[np.flatnonzero(here)] -= credit
        out.demand += _demand(v, kwh, step_s, t, day_type, here)
    out.unpriced_kwh = float(used[version < 0].sum())
    if out.unpriced_kwh:
        days = t.dates(version < 0)
        out.notes.append(f"{out.unpriced_kwh:,.1f} kWh from {min(days)} to {max(days)} fall "
                         f"outside every version of {tariff.name!r}: not priced")
    _prorate(out, t)
    _months(out, t, used, step_cost, kwh)
    out.total = float(step_cost.sum()) + sum(d["cost"] for d in out.demand)
    return out


def any_window(windows, t, day_type) -> np.ndarray:
    hit = np.zeros(len(t.day), bool)
    for w in windows:
        hit |= w.covers(t, day_type)
    return hit


def _fixed(per_day, step_cost, all_days, here) -> float:
    """A fixed charge per local day in force; booked on the first step of each day."""
    if not per_day:
        return 0.0
    unique_days, first = np.unique(all_days[here], return_index=True)
    step_cost[np.flatnonzero(here)[first]] += per_day
    return float(per_day * len(unique_days))


def _demand(v, kwh, step_s, t, day_type, here) -> list[dict]:
    out = []
    kw = kwh / (step_s / 3600)
    for charge in v.demand:
        k = max(1, charge.window_min * 60 // step_s)
        rolling = np.convolve(kw, np.ones(k) / k, mode="full")[:len(kw)] if k > 1 else kw
        rolling[: k - 1] = np.nan  # the first windows are not full
        eligible = here & (np.ones(len(kw), bool) if not charge.windows
                           else any_window(charge.windows, t, day_type))
        for month in np.unique(t.month_key[eligible]):
            values = rolling[eligible & (t.month_key == month)]
            if not np.isfinite(values).any():
                continue
            peak = float(np.nanmax(values))
            out.append({"month": month_label(int(month)), "charge": charge.name, "kw": peak,
                        "cost": peak * charge.per_kw_month})
    return out


def _prorate(out: CostResult, t) -> None:
    """A demand charge belongs to its billing month: a period that covers part of a month
    carries that month's charge in proportion to its days there, and says so."""
    import calendar

    for d in out.demand:
        year, month = (int(x) for x in d["month"].split("-"))
        days_in_month = calendar.monthrange(year, month)[1]
        covered = min(len(np.unique(t.day[t.month_key == year * 12 + month - 1])),
                      days_in_month)
        d["days"], d["days_in_month"] = covered, days_in_month
        if covered < days_in_month:
            d["cost"] *= covered / days_in_month
            d["prorated"] = True
            out.notes.append(f"{d['charge']} of {d['month']}: {covered} of {days_in_month} "
                             "days in the period, charged in proportion")


def _months(out: CostResult, t, used, step_cost, kwh) -> None:
    """Per month: energy and cost, or "no data" (None) for a month with no reading at all."""
    for month in np.unique(t.month_key):
        m = t.month_key == month
        label = month_label(int(month))
        demand = sum(d["cost"] for d in out.demand if d["month"] == label)
        if not np.isfinite(kwh[m]).any():
            out.months[label] = {"kwh": None, "cost": None, "no_data": True}
            continue
        out.months[label] = {"kwh": float(used[m].sum()),
                             "cost": float(step_cost[m].sum()) + demand}


def _day(us: int) -> str:
    return str(np.datetime64(us, "us").astype("datetime64[D]"))
