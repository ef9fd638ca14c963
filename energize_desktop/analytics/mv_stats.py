"""M&V statistics: ASHRAE Guideline 14 goodness of fit and savings uncertainty.

Conventions (stated in every report that uses them):
- CV(RMSE) = sqrt(sum((y - yhat)^2) / (n - p)) / mean(y)   (G14-2014 Annex B, p = parameters)
- NMBE     = sum(y - yhat) / ((n - p) * mean(y))            (measured minus predicted: a
  positive NMBE means the model under-predicts)
- R^2 the usual coefficient of determination; fractional savings uncertainty per G14 Annex B
  with the lag-1 autocorrelation of the residuals reducing the effective number of points.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

# Guideline 14 calibration limits: (CV(RMSE) %, |NMBE| %) by data granularity
G14_LIMITS = {"hourly": (30.0, 10.0), "daily": (30.0, 10.0), "monthly": (15.0, 5.0)}


@dataclass(frozen=True)
class FitStats:
    n: int  # points compared
    p: int  # model parameters
    cvrmse: float  # %
    nmbe: float  # %, measured minus predicted
    r2: float
    rmse: float  # in the meter's unit per step
    mean: float
    autocorr: float  # lag-1 autocorrelation of the residuals
    granularity: str

    @property
    def meets_g14(self) -> bool:
        cv, nmbe = G14_LIMITS[self.granularity]
        return bool(self.cvrmse <= cv and abs(self.nmbe) <= nmbe)

    def verdict(self) -> str:
        cv, nmbe = G14_LIMITS[self.granularity]
        ok = "meets" if self.meets_g14 else "does not meet"
        return (f"CV(RMSE) {self.cvrmse:.1f} % (limit {cv:g} %), NMBE {self.nmbe:+.2f} % "
                f"(limit ±{nmbe:g} %), R² {self.r2:.3f}: {ok} ASHRAE Guideline 14 "
                f"({self.granularity})")

    def to_dict(self) -> dict:
        return {**asdict(self), "meets_g14": self.meets_g14}


def fit_stats(actual, predicted, p: int, granularity: str) -> FitStats:
    """Goodness of fit over the points where both values are known."""
    y, yhat = np.asarray(actual, float), np.asarray(predicted, float)
    ok = np.isfinite(y) & np.isfinite(yhat)
    y, yhat = y[ok], yhat[ok]
    n = len(y)
    if n <= p or n == 0:
        nan = float("nan")
        return FitStats(n, p, nan, nan, nan, nan, nan, nan, granularity)
    resid = y - yhat
    mean = float(y.mean())
    dof = n - p
    rmse = float(np.sqrt((resid ** 2).sum() / dof))
    ss_tot = float(((y - mean) ** 2).sum())
    r2 = 1.0 - float((resid ** 2).sum()) / ss_tot if ss_tot > 0 else float("nan")
    with np.errstate(all="ignore"):
        cv = 100.0 * rmse / mean if mean else float("nan")
        nmbe = 100.0 * float(resid.sum()) / (dof * mean) if mean else float("nan")
    return FitStats(n, p, cv, nmbe, r2, rmse, mean, _lag1(resid), granularity)


def _lag1(r: np.ndarray) -> float:
    if len(r) < 3:
        return 0.0
    c = r - r.mean()
    den = float((c ** 2).sum())
    return float((c[1:] * c[:-1]).sum() / den) if den > 0 else 0.0


def t_value(confidence: float, dof: int) -> float:
    from scipy.stats import t

    return float(t.ppf(0.5 + confidence / 2, max(dof, 1)))


def savings_uncertainty(stats: FitStats, reporting_points: int, savings: float,
                        baseline_total: float, confidence: float = 0.90) -> dict:
    """Absolute and fractional savings uncertainty (ASHRAE G14-2014 Annex B, eq. B-14 form).

    U(savings) = t * 1.26 * CV * sqrt(n/n' * (1 + 2/n) * 1/m) * E_baseline_reporting, with
    n' = n (1 - rho) / (1 + rho) for lag-1 autocorrelation rho and m reporting points.
    """
    n, m = stats.n, max(reporting_points, 1)
    rho = min(max(stats.autocorr, 0.0), 0.99)
    n_eff = n * (1 - rho) / (1 + rho)
    cv = stats.cvrmse / 100.0
    t = t_value(confidence, int(n_eff) - stats.p)
    u = t * 1.26 * cv * np.sqrt(n / n_eff * (1 + 2 / n) / m) * baseline_total
    fraction = abs(u / savings) if savings else float("inf")
    return {"confidence": confidence, "absolute": float(u), "fractional": float(fraction),
            "t": t, "effective_points": float(n_eff), "autocorrelation": rho,
            "meets_g14_50pct_at_68pct": bool(_fsu_at(0.68, t, u, savings, n_eff, stats) < 0.5)}


def _fsu_at(confidence: float, t_used: float, u: float, savings: float, n_eff: float,
            stats: FitStats) -> float:
    """The same uncertainty restated at another confidence level (scales with t)."""
    if not savings:
        return float("inf")
    return abs(u * t_value(confidence, int(n_eff) - stats.p) / t_used / savings)
