"""Alarms per meter per month on real, unlabelled data (issue 21): the 15-minute commercial
building, the UK home, and every file in ../shared/data/utility_exports that the importer
reads and that holds at least 8 weeks — warning-or-worse alarms per meter per month, quoted per
file, beside the same series scored by the hour-of-week MAD z peer (its runs above 3.5).

    python -m benchmarks --only alarm-budget
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from benchmarks.anomaly import how_mad_z
from benchmarks.common import Figure, Result
from energize_desktop.analytics.ensemble import detect
from energize_desktop.analytics.events import runs
from energize_desktop.analytics.series import on_grid

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
MIN_WEEKS = 8
# the flag a new user would pass, as each file's README says (naive local stamps)
ZONES = {"Fluvius": "Europe/Brussels", "HomeWizard": "Europe/Amsterdam",
         "United_Power_hourly": "America/Denver"}


def _months(series) -> float:
    return np.isfinite(series.values).sum() * series.step_s / (30.44 * 86400)


def _rate(series) -> tuple[float, float]:
    d = detect(series)
    ours = len(d.alarms()) / _months(series)
    peer = len(runs(how_mad_z(series))) / _months(series)
    return ours, peer


def _csv_series():
    import polars as pl

    cmp = pl.read_csv(DATA / "cmp_building_15min" / "data.csv", try_parse_dates=True)
    ts = cmp["timestamp"].cast(pl.Datetime("us")).to_numpy().astype(np.int64)
    kw = cmp["Total_Power"].to_numpy().astype(float)
    yield "cmp_building_15min (Total_Power)", on_grid("cmp", "kWh", ts, kw / 4, 900)
    home = pl.read_csv(DATA / "opendsm_uk_residential" /
                       "uk-electricity-hdd-only-hourly-sample-1.csv.gz", try_parse_dates=True)
    ts = home["start"].cast(pl.Datetime("us")).to_numpy().astype(np.int64)
    yield "opendsm UK home (hourly)", on_grid("home", "kWh", ts,
                                               home["value"].to_numpy().astype(float), 3600,
                                               "Europe/London")


def _utility_series():
    """Each meter of each utility export the importer reads, on the detection grid."""
    from energize_desktop.jobs.detection import meter_series
    from energize_desktop.jobs.importer import ImportOptions, import_file
    from energize_desktop.storage import Workspace

    for path in sorted((DATA / "utility_exports").rglob("*")):
        if not path.is_file() or path.suffix.lower() not in (".csv", ".xml", ".gz", ".zip"):
            continue
        with tempfile.TemporaryDirectory() as folder:
            try:
                with Workspace.create(Path(folder) / "w.energize") as ws:
                    zone = next((z for k, z in ZONES.items() if path.name.startswith(k)), None)
                    import_file(ws, path, ImportOptions(tz=zone or "UTC"))
                    for m in ws.meters():
                        if m.amount_unit is None:
                            continue
                        s = meter_series(ws, m, 3600)
                        if np.isfinite(s.values).sum() >= MIN_WEEKS * 168:
                            yield f"{path.name}: {m.name}", s
            except Exception as exc:  # noqa: BLE001 - a file the importer refuses is skipped
                print(f"  {path.name}: not imported ({str(exc).splitlines()[0][:80]})")


def run() -> Result:
    result = Result("alarm-budget", "hour-of-week median + MAD z (runs above 3.5)",
                    setup={"min_weeks": MIN_WEEKS, "per_file": []})
    rates = []
    for name, series in [*_csv_series(), *_utility_series()]:
        ours, peer = _rate(series)
        rates.append(ours)
        line = f"{name}: {ours:.2f} alarms/meter/month (peer {peer:.1f})"
        result.setup["per_file"].append(line)
        print(line)
        result.figures.append(Figure(f"alarms per month: {name[:60]}", "per month", ours,
                                     peer, False, "<= 1.0"))
    if rates:
        result.figures.append(Figure("worst alarms per meter per month, real data", "per month",
                                     max(rates), None, False, "<= 1.0"))
    return result
