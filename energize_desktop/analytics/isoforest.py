"""IsolationForest on engineered features, trained per meter.

Features: time of day and week (as circles), outdoor temperature when known, the previous step,
the change against the same step a day and a week earlier, and 24-hour rolling mean and
spread. The forest is refitted from the data on each run with a fixed seed, so nothing but
plain numbers is ever stored.
"""

from __future__ import annotations

import numpy as np

from energize_desktop.analytics.series import Series

SEED = 20161


def features(series: Series) -> np.ndarray:
    v = series.values
    spd = series.slots_per_day
    tod = 2 * np.pi * (series.slot % spd) / spd
    dow = 2 * np.pi * series.slot / series.slots_per_week
    lag1 = np.r_[np.nan, v[:-1]]
    lag_day, lag_week = _lag(v, spd), _lag(v, 7 * spd)
    mean, std = _rolling(v, spd)
    # differences to the same time a day and a week earlier: what makes a night at a
    # working-day level stand out, though the level itself is common
    cols = [np.sin(tod), np.cos(tod), np.sin(dow), np.cos(dow), v, lag1, v - lag_day,
            v - lag_week, mean, std]
    if series.temperature is not None:
        cols.append(series.temperature)
    return np.column_stack(cols)


def scores(series: Series, contamination: float = 0.01, n_estimators: int = 100) -> np.ndarray:
    """Per step: > 0 where the forest isolates the step more easily than `contamination` of
    the data (0 elsewhere and where features are missing); larger is more anomalous."""
    from sklearn.ensemble import IsolationForest

    x = features(series)
    ok = np.isfinite(x).all(axis=1)
    out = np.zeros(len(series))
    if ok.sum() < 200:
        return out
    forest = IsolationForest(n_estimators=n_estimators, max_samples=256,
                             contamination=contamination, random_state=SEED)
    forest.fit(x[ok])
    decision = forest.decision_function(x[ok])  # < 0: outlier
    out[ok] = np.maximum(-decision, 0.0) / max(np.std(decision), 1e-9)
    return out


def _lag(v: np.ndarray, steps: int) -> np.ndarray:
    if len(v) <= steps:
        return np.full(len(v), np.nan)
    return np.r_[np.full(steps, np.nan), v[:-steps]]


def _rolling(v: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Trailing mean and standard deviation over `window` steps, ignoring gaps."""
    filled = np.nan_to_num(v)
    n = np.isfinite(v).astype(float)
    c = lambda a: np.convolve(a, np.ones(window), mode="full")[:len(a)]
    count = np.maximum(c(n), 1)
    mean = c(filled) / count
    var = np.maximum(c(filled ** 2) / count - mean ** 2, 0.0)
    enough = c(n) >= window / 2
    return np.where(enough, mean, np.nan), np.where(enough, np.sqrt(var), np.nan)
