"""Statistical detectors on the seasonal expectation: deviations, sustained shifts, level steps."""

from __future__ import annotations

import numpy as np

from energize_desktop.analytics.expectation import MAD_TO_SIGMA, Expectation, nanmedian
from energize_desktop.analytics.series import Series


def deviation_score(exp: Expectation, z_threshold: float, iqr_k: float = 3.0) -> np.ndarray:
    """|robust z| / threshold, kept only where the residual is also beyond the IQR fences."""
    z = np.nan_to_num(exp.z)
    r = exp.residual[np.isfinite(exp.residual)]
    if r.size < 8:
        return np.zeros_like(z)
    q1, q3 = np.percentile(r, [25, 75])
    fence = iqr_k * (q3 - q1)
    outside = (np.nan_to_num(exp.residual) > q3 + fence) | (np.nan_to_num(exp.residual) < q1 - fence)
    return np.where(outside, np.abs(z) / z_threshold, 0.0)


def sustained_score(exp: Expectation, window: int, mean_z_threshold: float) -> np.ndarray:
    """A moderate deviation held for hours: the mean z over a centred window / threshold.

    Steps count only when they deviate in the window's direction by at least 70 % of the
    threshold themselves, so one extreme hour cannot make a sustained shift of its neighbours.
    """
    z = np.nan_to_num(exp.z)
    if len(z) < window:
        return np.zeros_like(z)
    mean = np.convolve(z, np.ones(window) / window, mode="same")
    held = np.abs(mean) >= mean_z_threshold
    around = np.convolve(held.astype(float), np.ones(window), mode="same") > 0
    strong = (np.abs(z) >= 0.7 * mean_z_threshold) & around
    return np.where(strong, np.maximum(np.abs(mean), np.abs(z) * 0.7) / mean_z_threshold, 0.0)


def level_shifts(daily: np.ndarray, min_days: int = 14, threshold: float = 6.0) -> list[tuple]:
    """Steps in a daily series (baseload, or totals of one day type): binary segmentation.

    Returns (day index, mean before, mean after, t-like score) for each change point whose
    robust two-sample score exceeds `threshold` with at least `min_days` either side.
    """
    found: list[tuple] = []
    _split(np.asarray(daily, float), 0, min_days, threshold, found)
    return sorted(found)


def _split(x: np.ndarray, offset: int, min_days: int, threshold: float, found: list) -> None:
    """Best single split by a two-sample score on winsorised values, then recurse each side."""
    ok = np.isfinite(x)
    if ok.sum() < 2 * min_days:
        return
    noise = MAD_TO_SIGMA * nanmedian(np.abs(np.diff(x[ok]))) / np.sqrt(2)
    if not noise > 0:
        return
    med = nanmedian(x)
    clipped = np.clip(np.where(ok, x, 0.0), med - 4 * noise * 3, med + 4 * noise * 3)
    n_left = np.cumsum(ok)[:-1]
    s_left = np.cumsum(np.where(ok, clipped, 0.0))[:-1]
    n_all, s_all = ok.sum(), np.where(ok, clipped, 0.0).sum()
    n_right, s_right = n_all - n_left, s_all - s_left
    valid = (n_left >= min_days) & (n_right >= min_days)
    valid[:min_days - 1] = False
    if not valid.any():
        return
    with np.errstate(all="ignore"):
        diff = s_right / n_right - s_left / n_left
        scores = np.abs(diff) / (noise * np.sqrt(1 / n_left + 1 / n_right))
    scores[~valid] = 0.0
    k = int(np.argmax(scores)) + 1  # split before element k
    if scores[k - 1] < threshold:
        return
    found.append((offset + k, float(nanmedian(x[:k])), float(nanmedian(x[k:])),
                  float(scores[k - 1])))
    _split(x[:k], offset, min_days, threshold, found)
    _split(x[k:], offset + k, min_days, threshold, found)


_REDUCERS = {"sum": np.add, "min": np.minimum, "max": np.maximum}


def daily_values(series: Series, how: str) -> tuple[np.ndarray, np.ndarray]:
    """One value per local day (sum, min or max; days with under 80 % of their steps are NaN)
    and the day ids."""
    day = series.local_day()
    ok = np.isfinite(series.values)
    ids, inverse = np.unique(day, return_inverse=True)
    out = np.full(len(ids), np.nan)
    if not ok.any():
        return out, ids
    inv, vals = inverse[ok], series.values[ok]
    order = np.argsort(inv, kind="stable")
    inv, vals = inv[order], vals[order]
    starts = np.flatnonzero(np.r_[True, np.diff(inv) > 0])
    present = inv[starts]
    out[present] = _REDUCERS[how].reduceat(vals, starts)
    counts = np.bincount(inv, minlength=len(ids))
    out[counts < 0.8 * series.slots_per_day] = np.nan
    return out, ids
