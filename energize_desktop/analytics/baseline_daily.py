"""Daily change-point baselines (CalTRACK 2.0 daily method, with optional day-of-week terms).

Candidates: intercept only; heating (HDD) only; cooling (CDD) only; heating and cooling — the
balance points searched on the CalTRACK grid (30-90 °F in 3 °F steps, worked in °C). A
degree-day candidate qualifies when it has at least 10 days with non-zero degree-days and 20
°F-degree-days a year, and its degree-day coefficients are positive with p < 0.1. Each is
tried with and without day-of-week terms (a building that closes at weekends needs them);
the highest adjusted R² wins.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

F_GRID = np.arange(30.0, 90.0 + 1e-9, 3.0)
C_GRID = (F_GRID - 32.0) / 1.8
MIN_DD_DAYS = 10
MIN_DD_PER_YEAR_F = 20.0
P_MAX = 0.1


@dataclass(frozen=True)
class DailyModel:
    intercept: float
    heating_bp: float | None  # °C
    heating_slope: float  # per °C-day
    cooling_bp: float | None
    cooling_slope: float
    weekday: tuple[float, ...] = ()  # Tue..Sun offsets against Monday (empty: no day terms)
    rmse: float = 0.0
    dof: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def parameters(self) -> int:
        return 1 + (self.heating_bp is not None) + (self.cooling_bp is not None) + \
            len(self.weekday)

    def describe(self) -> str:
        parts = [f"{self.intercept:,.1f} per day"]
        if self.heating_bp is not None:
            parts.append(f"+ {self.heating_slope:,.2f} per heating °C-day below "
                         f"{self.heating_bp:.1f} °C")
        if self.cooling_bp is not None:
            parts.append(f"+ {self.cooling_slope:,.2f} per cooling °C-day above "
                         f"{self.cooling_bp:.1f} °C")
        if self.weekday:
            parts.append("with day-of-week terms")
        return " ".join(parts)

    def predict(self, temp_c: np.ndarray, weekday: np.ndarray) -> np.ndarray:
        y = np.full(len(temp_c), self.intercept, float)
        if self.heating_bp is not None:
            y += self.heating_slope * np.maximum(self.heating_bp - temp_c, 0.0)
        if self.cooling_bp is not None:
            y += self.cooling_slope * np.maximum(temp_c - self.cooling_bp, 0.0)
        if self.weekday:
            offsets = np.r_[0.0, self.weekday]
            y += offsets[np.asarray(weekday, int)]
        return y

    def to_dict(self) -> dict:
        return {"intercept": self.intercept, "heating_bp": self.heating_bp,
                "heating_slope": self.heating_slope, "cooling_bp": self.cooling_bp,
                "cooling_slope": self.cooling_slope, "weekday": list(self.weekday),
                "rmse": self.rmse, "dof": self.dof}

    @classmethod
    def from_dict(cls, d: dict) -> "DailyModel":
        return cls(float(d["intercept"]), _opt(d["heating_bp"]), float(d["heating_slope"]),
                   _opt(d["cooling_bp"]), float(d["cooling_slope"]),
                   tuple(float(x) for x in d.get("weekday", ())), float(d.get("rmse", 0.0)),
                   int(d.get("dof", 0)))


def _opt(x):
    return None if x is None else float(x)


def fit_daily(usage: np.ndarray, temp_c: np.ndarray, weekday: np.ndarray) -> DailyModel:
    """usage per day, the day's mean outdoor temperature (°C) and weekday (0 = Monday)."""
    ok = np.isfinite(usage) & np.isfinite(temp_c)
    y, t, wd = usage[ok], temp_c[ok], np.asarray(weekday)[ok].astype(int)
    if len(y) < 14:
        raise ValueError(f"{len(y)} days with both usage and temperature; a daily model "
                         "needs at least 14")
    years = max(len(y) / 365.0, 1 / 12)
    dummies = np.eye(7)[wd][:, 1:] if len(np.unique(wd)) == 7 else None
    best = None
    for h_bp, c_bp in _candidates(t, years):
        cols = [np.ones(len(y))]
        if h_bp is not None:
            cols.append(np.maximum(h_bp - t, 0.0))
        if c_bp is not None:
            cols.append(np.maximum(t - c_bp, 0.0))
        for days in ([None, dummies] if dummies is not None else [None]):
            x = np.column_stack(cols + ([days] if days is not None else []))
            fit = _ols(x, y)
            if fit is None:
                continue
            beta, inv, adj_r2, rmse = fit
            dd = slice(1, len(cols))
            if (beta[dd] <= 0).any() or (best is not None and adj_r2 <= best[0] + 1e-12):
                continue
            if (_p_values(beta, inv, rmse, len(y) - x.shape[1])[dd] >= P_MAX).any():
                continue
            best = (adj_r2, h_bp, c_bp, beta, len(cols), days is not None, rmse,
                    len(y) - x.shape[1])
    _, h_bp, c_bp, beta, ncols, with_days, rmse, dof = best
    k = 1
    h_slope = c_slope = 0.0
    if h_bp is not None:
        h_slope, k = float(beta[k]), k + 1
    if c_bp is not None:
        c_slope, k = float(beta[k]), k + 1
    weekday_terms = tuple(float(b) for b in beta[ncols:]) if with_days else ()
    return DailyModel(float(beta[0]), h_bp, h_slope, c_bp, c_slope, weekday_terms, rmse, dof)


def _candidates(t: np.ndarray, years: float):
    """(heating bp, cooling bp) pairs with enough degree-days; (None, None) always."""
    yield None, None
    heat = [bp for bp in C_GRID if _enough(np.maximum(bp - t, 0.0), years)]
    cool = [bp for bp in C_GRID if _enough(np.maximum(t - bp, 0.0), years)]
    for h in heat:
        yield h, None
    for c in cool:
        yield None, c
    for h in heat:
        for c in cool:
            if h <= c:
                yield h, c


def _enough(dd: np.ndarray, years: float) -> bool:
    return (dd > 0).sum() >= MIN_DD_DAYS and dd.sum() * 1.8 / years >= MIN_DD_PER_YEAR_F


def _ols(x: np.ndarray, y: np.ndarray):
    """(coefficients, (X'X)^-1, adjusted R², RMSE) or None when singular."""
    n, k = x.shape
    if n <= k:
        return None
    try:
        inv = np.linalg.inv(x.T @ x)
    except np.linalg.LinAlgError:
        return None
    beta = inv @ (x.T @ y)
    resid = y - x @ beta
    sse = float(resid @ resid)
    dof = n - k
    ss_tot = float(((y - y.mean()) ** 2).sum())
    r2 = 1 - sse / ss_tot if ss_tot > 0 else 0.0
    adj = 1 - (1 - r2) * (n - 1) / dof if k > 1 else r2
    return beta, inv, adj, float(np.sqrt(sse / dof))


def _p_values(beta: np.ndarray, inv: np.ndarray, rmse: float, dof: int) -> np.ndarray:
    """Two-sided p-values of the coefficients (only asked for a candidate that would win)."""
    from scipy.stats import t as student

    se = np.sqrt(np.maximum(np.diag(inv) * rmse ** 2, 1e-300))
    return 2 * student.sf(np.abs(beta / se), dof)
