"""Avoided energy use over a reporting period (IPMVP option C), its uncertainty, the CUSUM of
residuals and model drift.

Avoided energy = adjusted baseline − actual, where the adjusted baseline is the model's
prediction under the reporting period's weather plus any non-routine adjustments (each an
amount per step over a window, with a note, e.g. "+12 kWh/h: new server room from 1 March").
Only steps where the actual is known count; steps with no prediction (no temperature) count
as missing, never as zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from energize_desktop.analytics import mv_stats
from energize_desktop.analytics.baseline import Baseline, Frame

DRIFT_WEEKS = 2  # consecutive weeks outside the band, on the same side


@dataclass(frozen=True)
class Adjustment:
    start_us: int
    end_us: int
    per_step: float  # in the meter's unit per model step (per hour or per day)
    note: str


@dataclass
class SavingsResult:
    ts_us: np.ndarray
    actual: np.ndarray
    predicted: np.ndarray  # adjusted baseline
    lower: np.ndarray
    upper: np.ndarray
    avoided: float  # sum(adjusted baseline − actual) over counted steps
    baseline_total: float
    actual_total: float
    counted: int
    uncertainty: dict
    cusum: np.ndarray
    drift: list[str]
    estimated: int = 0  # steps with drivers but no reading: predicted only (an estimate)
    estimated_total: float = 0.0

    @property
    def fraction(self) -> float:
        return self.avoided / self.baseline_total if self.baseline_total else float("nan")

    def summary(self, unit: str) -> str:
        u = self.uncertainty
        return (f"avoided energy {self.avoided:,.0f} {unit} ({100 * self.fraction:+.1f} % of the "
                f"adjusted baseline {self.baseline_total:,.0f} {unit}); ± {u['absolute']:,.0f} "
                f"{unit} at {100 * u['confidence']:.0f} % confidence (fractional savings "
                f"uncertainty {100 * u['fractional']:.0f} %)")


def avoided_energy(baseline: Baseline, frame: Frame, adjustments=(),
                   confidence: float = 0.90) -> SavingsResult:
    predicted = baseline.predict(frame)
    for adj in adjustments:
        predicted = predicted + np.where((frame.ts_us >= adj.start_us) &
                                         (frame.ts_us < adj.end_us), adj.per_step, 0.0)
    lower, upper = baseline.interval(predicted, confidence, frame.temp_c)
    ok = np.isfinite(frame.usage) & np.isfinite(predicted)
    estimated = ~np.isfinite(frame.usage) & np.isfinite(predicted)
    resid = np.where(ok, frame.usage - predicted, 0.0)
    base_total = float(predicted[ok].sum())
    avoided = float(-resid.sum())
    unc = mv_stats.savings_uncertainty(baseline.stats, int(ok.sum()), avoided, base_total,
                                       confidence)
    return SavingsResult(frame.ts_us, frame.usage, predicted, lower, upper, avoided, base_total,
                         float(frame.usage[ok].sum()), int(ok.sum()), unc, np.cumsum(resid),
                         drift(baseline, frame.ts_us, np.where(ok, resid, np.nan)),
                         int(estimated.sum()), float(predicted[estimated].sum()))


def drift(baseline: Baseline, ts_us: np.ndarray, resid: np.ndarray) -> list[str]:
    """Weeks whose mean residual leaves the model's own error band (± 2 RMSE/√n for the
    week's steps, widened for autocorrelation); drift when the last weeks all do, one way."""
    steps_per_week = 168 if baseline.granularity == "hourly" else 7
    rho = min(max(baseline.stats.autocorr, 0.0), 0.99)
    out, sides = [], []
    for a in range(0, len(resid) - steps_per_week + 1, steps_per_week):
        week = resid[a:a + steps_per_week]
        n = np.isfinite(week).sum()
        if n < steps_per_week / 2:
            continue
        n_eff = max(n * (1 - rho) / (1 + rho), 1.0)
        band = 2 * baseline.stats.rmse / np.sqrt(n_eff)
        mean = float(np.nanmean(week))
        sides.append(0 if abs(mean) <= band else int(np.sign(mean)))
    recent = sides[-DRIFT_WEEKS:]
    if len(recent) == DRIFT_WEEKS and recent[0] != 0 and len(set(recent)) == 1:
        way = "above" if recent[0] > 0 else "below"
        out.append(f"model drift: the last {DRIFT_WEEKS} weeks' use is {way} the baseline by "
                   f"more than its own error band — refit, or record a non-routine adjustment")
    return out


def mv_report_lines(baseline: Baseline, result: SavingsResult | None = None) -> list[str]:
    lines = [f"model: {baseline.granularity}, {_describe(baseline)}",
             f"fit: {baseline.stats.verdict()} over {baseline.stats.n} points, "
             f"{baseline.stats.p} parameters (NMBE is measured minus predicted)"]
    lines += [f"data sufficiency: {w}" for w in baseline.warnings]
    if result is not None:
        lines.append(result.summary(baseline.unit))
        if result.estimated:
            lines.append(f"estimated: {result.estimated:,} {_step(baseline)} with temperature "
                         f"but no reading, {result.estimated_total:,.0f} {baseline.unit} "
                         "predicted (not in the savings)")
        lines += result.drift
    return lines


def _step(baseline: Baseline) -> str:
    return "hours" if baseline.granularity == "hourly" else "days"


def _describe(baseline: Baseline) -> str:
    m = baseline.model
    if hasattr(m, "describe"):
        return m.describe()
    occupied = sum(m.occupied)
    return (f"time-of-week and temperature, {occupied} of 168 hours of the week occupied, "
            f"{len(m.knots) + 1} temperature bins, {len(m.segments) - 1} monthly segments")
