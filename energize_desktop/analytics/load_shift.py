"""Cost-optimal shifting of a flexible load (EV charger, heat pump with storage, pumps) within
the windows its owner allows, under a time-of-use tariff — solved as a linear program.

Each window occurrence (e.g. 18:00–07:00 on one night) keeps its energy: the load may move
inside it, not out of it, and never above the load's own power limit. Where the tariff has a
demand charge, the month's peak of the whole site (the rest of the site + the shifted load) is
a variable of the program, so the solver will not trade cheap energy for a new peak:

    minimise  Σ price_t · x_t  +  Σ_months rate · P_m
    such that Σ_{t in window k} x_t = E_k,   0 ≤ x_t ≤ max_kw · step_h,
              rest_t + x_t ≤ P_m  for every step t of month m that the demand charge covers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from energize_desktop.analytics.costs import any_window, step_prices
from energize_desktop.analytics.local_time import local_times
from energize_desktop.analytics.tariffs import Tariff
from energize_desktop.core.errors import ValidationError


@dataclass
class ShiftResult:
    ts_us: np.ndarray
    before: np.ndarray  # kWh per step of the flexible load as metered
    after: np.ndarray  # the optimal schedule
    cost_before: float
    cost_after: float
    kwh_moved: float  # energy that changed step
    windows: int
    currency: str
    notes: list[str] = field(default_factory=list)

    @property
    def saving(self) -> float:
        return self.cost_before - self.cost_after


def window_mask(ts_us: np.ndarray, tz: str, windows: list[tuple[int, int]]) -> np.ndarray:
    """Steps inside any daily window (start, end minutes; an end before the start wraps)."""
    minute = local_times(ts_us, tz).minute
    inside = np.zeros(len(ts_us), bool)
    for start, end in windows:
        inside |= ((minute >= start) & (minute < end)) if start < end else \
            ((minute >= start) | (minute < end))
    return inside


def optimise(ts_us: np.ndarray, flexible_kwh: np.ndarray, rest_kwh: np.ndarray | None,
             step_s: int, tz: str, tariff: Tariff, windows: list[tuple[int, int]],
             max_kw: float) -> ShiftResult:
    if max_kw <= 0:
        raise ValidationError("load shifting: the load's power limit must be positive kW")
    flex = np.nan_to_num(flexible_kwh)
    rest = np.zeros(len(flex)) if rest_kwh is None else np.nan_to_num(rest_kwh)
    prices = step_prices(ts_us, tz, tariff, as_if=True).per_kwh
    blocks = _blocks(window_mask(ts_us, tz, windows))
    cap = max_kw * step_s / 3600
    notes = []
    if flex.max(initial=0) > cap * 1.001:
        notes.append(f"the metered load reaches {flex.max() / (step_s / 3600):.1f} kW, above the "
                     f"{max_kw:g} kW limit given; the limit was raised to it")
        cap = float(flex.max())
    after = flex.copy()
    charges = _demand_terms(tariff, ts_us, tz)
    for month_steps in _months(ts_us, tz, blocks):
        after[month_steps] = _solve_month(month_steps, blocks, flex, rest, prices, cap, charges,
                                          step_s / 3600)
    before_cost = _total(flex, rest, prices, charges, ts_us, tz, step_s)
    after_cost = _total(after, rest, prices, charges, ts_us, tz, step_s)
    return ShiftResult(ts_us, flex, after, before_cost, after_cost,
                       float(np.abs(after - flex).sum() / 2), len(blocks), tariff.currency, notes)


def _blocks(inside: np.ndarray) -> list[np.ndarray]:
    edges = np.flatnonzero(np.diff(np.r_[0, inside.astype(int), 0]))
    return [np.arange(a, b) for a, b in zip(edges[::2], edges[1::2])]


def _months(ts_us, tz, blocks):
    """Steps of each local month; a window that runs past the month's end is solved whole in
    the month it starts."""
    key = local_times(ts_us, tz).month_key
    for block in blocks:
        key[block] = key[block[0]]
    for m in np.unique(key):
        yield np.flatnonzero(key == m)


def _demand_terms(tariff: Tariff, ts_us, tz) -> tuple[float, np.ndarray]:
    """(rate per kW-month, which steps it covers) of the latest version's demand charges."""
    version = tariff.versions[-1]
    if not version.demand:
        return 0.0, np.zeros(len(ts_us), bool)
    t = local_times(ts_us, tz)
    day_type = tariff.day_type(t)
    rate = sum(c.per_kw_month for c in version.demand)
    covered = np.zeros(len(ts_us), bool)
    for c in version.demand:
        covered |= any_window(c.windows, t, day_type) if c.windows else True
    return rate, covered


def _solve_month(steps, blocks, flex, rest, prices, cap, charges, step_h) -> np.ndarray:
    mine = [b for b in blocks if steps[0] <= b[0] <= steps[-1]]
    free = np.concatenate(mine) if mine else np.zeros(0, np.int64)
    if not len(free):
        return flex[steps]
    rate, covered = charges
    n = len(free)
    c = np.r_[prices[free], 0.0]
    bounds = [(0.0, cap)] * n + [(0.0, None)]
    # each window keeps its energy
    rows = np.concatenate([np.full(len(b), i) for i, b in enumerate(mine)])
    a_eq = coo_matrix((np.ones(n), (rows, np.arange(n))), shape=(len(mine), n + 1))
    b_eq = np.array([flex[b].sum() for b in mine])
    a_ub = b_ub = None
    if rate:
        fixed = np.setdiff1d(steps, free)
        floor = (rest[fixed] + flex[fixed])[covered[fixed]]
        bounds[-1] = (float(floor.max()) if len(floor) else 0.0, None)
        cov = np.flatnonzero(covered[free])
        a_ub = coo_matrix((np.r_[np.ones(len(cov)), -np.ones(len(cov))],
                           (np.r_[np.arange(len(cov)), np.arange(len(cov))],
                            np.r_[cov, np.full(len(cov), n)])), shape=(len(cov), n + 1))
        b_ub = -rest[free][cov]
        c[-1] = rate / step_h  # P is in kWh per step: kW = kWh / step hours
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    if res.status != 0:
        raise ValidationError(f"load shifting: the program has no solution ({res.message})")
    out = flex[steps].copy()
    pos = np.searchsorted(steps, free)
    out[pos] = res.x[:n]
    return out


def _total(x, rest, prices, charges, ts_us, tz, step_s) -> float:
    """Energy cost of the flexible load plus the demand charge it shares with the site."""
    rate, covered = charges
    total = float((x * prices).sum())
    if not rate:
        return total
    key = local_times(ts_us, tz).month_key
    step_h = step_s / 3600
    for m in np.unique(key):
        sel = (key == m) & covered
        if sel.any():  # the demand charge the load adds on top of the rest of the site's peak
            total += rate * float((rest + x)[sel].max() - rest[sel].max()) / step_h
    return total
