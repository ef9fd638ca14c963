"""Baselines out of sample, side by side with opendsm 1.2.7 and a day-of-week × hour mean.

Datasets: ../shared/data/cmp_building_15min (one commercial building, 2019, hourly means of
15-minute kW) and ../shared/data/opendsm_uk_residential (one UK home, half-hourly kWh summed to
hours, hourly outdoor temperature). Splits: 4-fold by whole weeks (week index mod 4; each fold's
predictions pooled) and a chronological 75/25 split. Out-of-sample CV(RMSE) and NMBE (measured
minus predicted, no degrees-of-freedom correction out of sample). opendsm runs in its own venv
(benchmarks/work/opendsm-venv, `make bench-peers` or see README) through opendsm_peer.py.
Then a gappy, partial-year baseline (5 months, a quarter of the hours missing) for both.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.common import Figure, Result
from energize_desktop.analytics import baseline as bl
from energize_desktop.analytics import mv_stats
from energize_desktop.analytics.baseline_daily import fit_daily
from energize_desktop.analytics.baseline_hourly import fit_hourly
from energize_desktop.analytics.series import on_grid

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
PEER_PY = Path(__file__).parent / "work" / "opendsm-venv" / "bin" / "python"
WEEK_US = 7 * 86400 * 1_000_000


def cmp_building():
    import polars as pl

    df = pl.read_csv(DATA / "cmp_building_15min" / "data.csv", try_parse_dates=True)
    df = (df.with_columns(pl.col("timestamp").dt.truncate("1h").alias("h")).group_by("h")
          .agg(pl.col("Total_Power").mean(), pl.col("temp").mean()).sort("h"))
    ts = df["h"].cast(pl.Datetime("us")).to_numpy().astype(np.int64)
    s = on_grid("cmp_building", "kWh", ts, df["Total_Power"].to_numpy(), 3600)
    return s, _on(s, ts, df["temp"].to_numpy())


def uk_home():
    import polars as pl

    folder = DATA / "opendsm_uk_residential"
    e = pl.read_csv(folder / "uk-electricity-hdd-only-hourly-sample-1.csv.gz",
                    try_parse_dates=True)
    e = (e.with_columns(pl.col("start").dt.replace_time_zone(None).dt.truncate("1h").alias("h"))
         .group_by("h").agg(pl.col("value").sum(), pl.len().alias("n")).sort("h")
         .filter(pl.col("n") == 2))  # both half-hours present, else the hour is a gap
    t = pl.read_csv(folder / "uk-tempC-sample-1_2.csv.gz", try_parse_dates=True)
    s = on_grid("uk_home", "kWh", e["h"].cast(pl.Datetime("us")).to_numpy().astype(np.int64),
                e["value"].to_numpy(), 3600)
    tts = t["dt"].dt.replace_time_zone(None).cast(pl.Datetime("us")).to_numpy()
    return s, _on(s, tts.astype(np.int64), t["tempC"].to_numpy())


def _on(series, ts, values) -> np.ndarray:
    out = np.full(len(series), np.nan)
    idx = np.searchsorted(series.ts_us, ts)
    ok = (idx < len(series)) & (series.ts_us[np.minimum(idx, len(series) - 1)] == ts)
    out[idx[ok]] = np.asarray(values, float)[ok]
    return out


# -- the methods ----------------------------------------------------------------------------
def ours(fr: bl.Frame, train: np.ndarray, test: np.ndarray, granularity: str) -> np.ndarray:
    if granularity == "hourly":
        m = fit_hourly(fr.usage[train], fr.temp_c[train], fr.slot[train], fr.month[train])
        return m.predict(fr.temp_c[test], fr.slot[test], fr.month[test])
    m = fit_daily(fr.usage[train], fr.temp_c[train], fr.slot[train])
    return m.predict(fr.temp_c[test], fr.slot[test])


def slot_mean(fr: bl.Frame, train: np.ndarray, test: np.ndarray, granularity: str):
    ok = train & np.isfinite(fr.usage)
    n = 168 if granularity == "hourly" else 7
    sums = np.bincount(fr.slot[ok], fr.usage[ok], minlength=n)
    counts = np.bincount(fr.slot[ok], minlength=n)
    return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)[fr.slot[test]]


def opendsm(fr: bl.Frame, train: np.ndarray, test: np.ndarray, granularity: str):
    """Predictions from opendsm in its venv, or (None, why) when it is missing or fails."""
    if not PEER_PY.exists():
        return None, "opendsm venv not installed"
    import polars as pl

    fold = np.where(train, "train", np.where(test, "test", "unused"))
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "data.csv"
        pl.DataFrame({"ts_utc": fr.ts_us.astype("datetime64[us]"), "observed": fr.usage,
                      "temp_c": fr.temp_c, "fold": fold}).write_csv(path)
        run = subprocess.run([str(PEER_PY), str(Path(__file__).parent / "opendsm_peer.py"),
                              str(path), granularity, "chrono"], capture_output=True,
                             text=True, timeout=1800)
    try:
        out = json.loads(run.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return None, (run.stderr or "no output")[-300:]
    if not out["ok"]:
        return None, out["error"][:300]
    return np.array([np.nan if v is None else v for v in out["predicted"]]), ""


METHODS = {"energize": ours, "day-of-week x hour mean": slot_mean}


# -- evaluation -----------------------------------------------------------------------------
def splits(fr: bl.Frame):
    week = (fr.ts_us - fr.ts_us[0]) // WEEK_US
    for k in range(4):
        yield "4-fold by week", week % 4 != k, week % 4 == k
    cut = fr.ts_us[int(0.75 * len(fr.ts_us))]
    yield "chronological 75/25", fr.ts_us < cut, fr.ts_us >= cut


def evaluate(fr: bl.Frame, granularity: str) -> dict:
    """{split: {method: (actual, predicted) pooled over folds, or an error}}"""
    pooled: dict = {}
    for split, train, test in splits(fr):
        for name, method in [*METHODS.items(), ("opendsm", None)]:
            slot = pooled.setdefault(split, {}).setdefault(name, [[], [], ""])
            if name == "opendsm":
                pred, why = opendsm(fr, train, test, granularity)
                if pred is None:
                    slot[2] = why
                    continue
            else:
                pred = method(fr, train, test, granularity)
            slot[0].append(fr.usage[test])
            slot[1].append(pred)
    return pooled


def stats_of(actual: list, predicted: list, granularity: str):
    if not actual:
        return None
    return mv_stats.fit_stats(np.concatenate(actual), np.concatenate(predicted), 0,
                              granularity)


def fit_time(series, temp) -> float:
    samples = []
    for _ in range(3):
        t = time.perf_counter()
        bl.fit(series, temp, "hourly")
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def gappy(series, temp):
    """Five months of baseline with a quarter of the hours missing."""
    rng = np.random.default_rng(11)
    v = series.values.copy()
    v[rng.random(len(v)) < 0.25] = np.nan
    v[24 * 150:] = np.nan
    return on_grid(series.name, series.unit, series.ts_us, v, 3600, series.tz), temp


def run() -> Result:
    result = Result("baselines", "opendsm 1.2.7 (CalTRACK), day-of-week × hour mean",
                    setup={"table": []})
    table = result.setup["table"]
    table.append(f"{'dataset':<14}{'gran.':<8}{'split':<22}{'method':<26}{'CV(RMSE) %':>11}"
                 f"{'NMBE %':>9}{'points':>8}")
    for name, load in (("cmp_building", cmp_building), ("uk_home", uk_home)):
        series, temp = load()
        for granularity in ("hourly", "daily"):
            fr = bl.frame_for(series, temp, granularity)
            for split, methods in evaluate(fr, granularity).items():
                ours_stats = peer_stats = None
                for method, (a, p, why) in methods.items():
                    s = stats_of(a, p, granularity)
                    if s is None:
                        table.append(f"{name:<14}{granularity:<8}{split:<22}{method:<26}"
                                     f"  failed: {why[:80]}")
                        continue
                    table.append(f"{name:<14}{granularity:<8}{split:<22}{method:<26}"
                                 f"{s.cvrmse:>11.1f}{s.nmbe:>9.2f}{s.n:>8}")
                    ours_stats = s if method == "energize" else ours_stats
                    peer_stats = s if method == "opendsm" else peer_stats
                result.figures.append(Figure(
                    f"{name} {granularity} {split} CV(RMSE)", "%", ours_stats.cvrmse,
                    peer_stats.cvrmse if peer_stats else None, False,
                    "<= opendsm", f"NMBE {ours_stats.nmbe:+.2f} % (target |NMBE| < 2 %)"))
        result.figures.append(Figure(f"{name}: fit 1 year hourly", "s", fit_time(series, temp),
                                     None, False, "< 1 s"))
        gs, gt = gappy(series, temp)
        fr = bl.frame_for(gs, gt, "hourly")
        train = np.isfinite(fr.usage) | (np.arange(len(fr.usage)) < 24 * 150)
        test = np.zeros(len(fr.usage), bool)
        test[24 * 150:24 * 180] = True
        train &= ~test
        try:
            ours(fr, train, test, "hourly")
            mine = "a model"
        except ValueError as exc:
            mine = f"failed: {exc}"
        _, why = opendsm(fr, train, test, "hourly")
        table.append(f"{name:<14}gappy 5-month baseline: energize {mine}; opendsm "
                     f"{'a model' if not why else 'failed: ' + why[:120]}")
    print("\n".join(table))
    return result
