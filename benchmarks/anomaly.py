"""Anomaly detection: event F1 on the labelled LEAD buildings, and scoring speed.

Side by side in the same run, with the same event counting: a 7-day rolling z-score, an
hour-of-week median + MAD z-score, IsolationForest alone, and the ensemble (its warning and
critical events; info-level findings such as level shifts are not alarms). The ensemble's
constants are the same for every building (analytics.settings.Tuning).
"""

from __future__ import annotations

import os
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from benchmarks.common import Figure, Result
from energize_desktop.analytics import isoforest
from energize_desktop.analytics.ensemble import detect
from energize_desktop.analytics.evaluation import Score, score, score_flags
from energize_desktop.analytics.expectation import MAD_TO_SIGMA
from energize_desktop.analytics.series import Series, on_grid
from energize_desktop.core.timezones import US

LEAD = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "lead1_subset"
HOUR_US = 3600 * US


def load_lead(path: Path = LEAD):
    import polars as pl

    df = pl.read_csv(path / "lead_dev.csv", try_parse_dates=True)
    for (building,), g in df.group_by("building_id", maintain_order=True):
        ts = g["timestamp"].cast(pl.Datetime("us")).to_numpy().astype(np.int64)
        series = on_grid(str(building), "kWh", ts, g["meter_reading"].to_numpy(), 3600)
        yield building, series, g["anomaly"].to_numpy().astype(bool)


# -- the methods compared ------------------------------------------------------------------------
def rolling_z(s: Series, threshold: float = 3.0) -> np.ndarray:
    v = s.values
    flags = np.zeros(len(v), bool)
    for i in range(168, len(v)):
        w = v[i - 168:i]
        w = w[np.isfinite(w)]
        if len(w) > 24 and np.isfinite(v[i]) and w.std() > 0:
            flags[i] = abs(v[i] - w.mean()) / w.std() > threshold
    return flags


def how_mad_z(s: Series, threshold: float = 3.5) -> np.ndarray:
    flags = np.zeros(len(s), bool)
    for slot in range(s.slots_per_week):
        sel = s.slot == slot
        v = s.values[sel]
        med = np.nanmedian(v)
        mad = MAD_TO_SIGMA * np.nanmedian(np.abs(v - med)) or 1e-9
        flags[sel] = np.nan_to_num(np.abs(v - med) / mad) > threshold
    return flags


def isolation_forest(s: Series) -> np.ndarray:
    return isoforest.scores(s, contamination=0.02) > 0


def ensemble(s: Series) -> tuple[list[tuple[int, int]], np.ndarray]:
    return ensemble_with(s, None)


def ensemble_with(s: Series, tuning) -> tuple[list[tuple[int, int]], np.ndarray]:
    d = detect(s, tuning=tuning)
    alarms, flagged = [], np.zeros(len(s), bool)
    for e in d.alarms():
        a = int(np.searchsorted(s.ts_us, e.start_us))
        b = int(np.searchsorted(s.ts_us, e.end_us))
        alarms.append((a, b))
    if d.score is not None:
        flagged = d.score >= 1.0
    for e in d.alarms():
        if e.detector == "quality":
            flagged[(s.ts_us >= e.start_us) & (s.ts_us < e.end_us)] = True
    return alarms, flagged


METHODS = {"7-day rolling z-score": lambda s, y: score_flags(rolling_z(s), y),
           "hour-of-week median + MAD z": lambda s, y: score_flags(how_mad_z(s), y),
           "IsolationForest alone": lambda s, y: score_flags(isolation_forest(s), y),
           "ensemble": lambda s, y: score(*ensemble(s), y)}


def evaluate() -> tuple[dict[str, dict], list[str]]:
    per: dict[str, dict] = {m: {} for m in METHODS}
    for building, series, labels in load_lead():
        for name, run in METHODS.items():
            per[name][building] = run(series, labels)
    lines = [f"{'method':<30} " + " ".join(f"{b:>6}" for b in per["ensemble"]) +
             "  macro  pooled  point"]
    for name, scores in per.items():
        pooled = sum(scores.values(), Score(0, 0, 0, 0, 0, 0, 0))
        macro = statistics.mean(s.event_f1 for s in scores.values())
        point = statistics.mean(s.point_f1 for s in scores.values())
        lines.append(f"{name:<30} " + " ".join(f"{s.event_f1:6.2f}" for s in scores.values()) +
                     f"  {macro:5.2f}  {pooled.event_f1:6.2f}  {point:5.2f}")
    return per, lines


# -- speed ---------------------------------------------------------------------------------------
def synthetic_meter(seed: int, days: int = 365, step_s: int = 3600) -> Series:
    rng = np.random.default_rng(seed)
    n = days * 86400 // step_s
    ts = np.datetime64("2025-01-06T00:00", "us").astype(np.int64) + \
        np.arange(n, dtype=np.int64) * step_s * US
    hour = (np.arange(n) * step_s // 3600) % 24
    day = np.arange(n) * step_s // 86400
    busy = (hour >= 7) & (hour < 19) & (day % 7 < 5)
    base = rng.uniform(5, 50)
    v = base * (1 + 1.5 * busy) * (1 + 0.2 * np.sin(2 * np.pi * day / 365))
    v = v * step_s / 3600 + rng.normal(0, 0.05 * base * step_s / 3600, n)
    v[rng.integers(0, n, 5)] *= 3  # a few spikes to report
    return on_grid(f"m{seed}", "kWh", ts, np.abs(v), step_s)


def _detect_many(seeds: list[int]) -> int:
    return sum(len(detect(synthetic_meter(s)).events) for s in seeds)


def _one_thread_each() -> None:
    """Parallel by process, so one BLAS/OpenMP thread per process (else they oversubscribe
    the cores and spin against each other)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)


def speed(meters: int, workers: int = 2) -> float:
    chunks = [list(range(i, meters, workers * 4)) for i in range(workers * 4)]
    t = time.perf_counter()
    with ProcessPoolExecutor(workers, initializer=_one_thread_each) as pool:
        list(pool.map(_detect_many, chunks))
    return time.perf_counter() - t


def run(meters: int = 1000) -> Result:
    result = Result("anomaly", "7-day rolling z, hour-of-week MAD z, IsolationForest alone",
                    setup={"lead_buildings": [], "speed_meters": meters,
                           "workers": min(2, os.cpu_count() or 1)})
    if (LEAD / "lead_dev.csv").exists():
        per, lines = evaluate()
        print("\n".join(lines))
        result.setup["lead_buildings"] = list(per["ensemble"])
        result.setup["table"] = lines
        ens, peer = per["ensemble"], per["hour-of-week median + MAD z"]
        for label, fn in (("event F1, macro", lambda d: statistics.mean(s.event_f1 for s in d.values())),
                          ("event F1, pooled", lambda d: sum(d.values(), Score(0, 0, 0, 0, 0, 0, 0)).event_f1),
                          ("point F1, macro", lambda d: statistics.mean(s.point_f1 for s in d.values()))):
            target = {"event F1, macro": ">= 0.60", "event F1, pooled": ">= 0.45"}.get(label, "")
            result.figures.append(Figure(f"LEAD {label}", "F1", fn(ens), fn(peer), True, target,
                                         "peer: hour-of-week median + MAD z"))
    else:
        print(f"{LEAD} not found: F1 figures skipped")
    secs = speed(meters, result.setup["workers"])
    result.figures.append(Figure(f"{meters} meters x 1 year hourly, scored", "s", secs, None,
                                 False, "< 30 s on 2 cores"))
    demo = synthetic_meter(1, step_s=900)
    t = statistics.median(_timed(lambda: detect(demo)) for _ in range(5))
    result.figures.append(Figure("1 meter x 1 year of 15-min data", "s", t, None, False, "< 2 s"))
    return result


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t
