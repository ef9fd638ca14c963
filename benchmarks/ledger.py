"""The ledger at scale (issue 20): a year of 15-minute data for 20 meters priced on a dynamic
(30-minute) tariff and on a TOU tariff, beside the same sums done as one polars join (what a
script or spreadsheet would do); `energize kpis` for a site of 50 meters over a year, the whole
process, beside a bare DuckDB sum of the same readings in its own process; a virtual meter of
10 terms over a year at day and hour resolution, beside one measured meter's rollup.

    python -m benchmarks --only ledger
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from benchmarks.common import Figure, Result, median_time

STEP_US = 900 * 1_000_000
YEAR_STEPS = 365 * 96
T0 = int(np.datetime64("2025-01-01T00:00", "us").astype(np.int64))
TOU = {"name": "TOU", "fuel": "electricity", "currency": "GBP", "versions": [{
    "fixed_per_day": 1.0, "rates": [
        {"name": "peak", "per_kwh": 0.32, "windows": [{"days": "weekdays", "from": "16:00",
                                                       "to": "19:00"}]},
        {"name": "night", "per_kwh": 0.14, "windows": [{"from": "00:00", "to": "07:00"}]},
        {"name": "day", "per_kwh": 0.24}]}]}
DYNAMIC = {"name": "Agile", "fuel": "electricity", "currency": "GBP",
           "versions": [{"rates": [{"name": "fallback", "per_kwh": 0.25}]}]}


def _workspace(path: Path, meters: int):
    from energize_desktop.core.model import Meter, Site
    from energize_desktop.storage import Workspace

    rng = np.random.default_rng(3)
    ws = Workspace.create(path)
    site = ws.add_site(Site("Campus", "Europe/London", floor_area_m2=20_000.0, country="GB",
                            building_type="office"))
    made = ws.add_meters([Meter(f"M{i:02d}", "electricity", "kWh", "interval", site_id=site.id)
                          for i in range(meters)])
    ts = T0 + np.arange(YEAR_STEPS, dtype=np.int64) * STEP_US
    hour = (np.arange(YEAR_STEPS) // 4) % 24
    shape = 1 + 0.8 * ((hour >= 8) & (hour < 18))
    values = np.concatenate([np.round(rng.uniform(1, 6) * shape / 4 + rng.normal(0, .01,
                                                                                   YEAR_STEPS)
                                      .clip(0), 3) for _ in made])
    ws.writer().append({"meter_id": np.repeat([m.id for m in made], YEAR_STEPS).astype(np.int32),
                        "ts": np.tile(ts, len(made)), "value": values})
    ws.writer().flush()
    return ws, made


def _prices():
    from energize_desktop.analytics.tariffs import PriceSeries

    n = 365 * 48
    i = np.arange(n)
    price = 0.15 + 0.2 * (((i % 48) >= 32) & ((i % 48) < 38)) + 0.04 * np.sin(i / 11)
    return PriceSeries(T0 + i.astype(np.int64) * 1_800_000_000, price, 1800)


def pricing_figures(folder: Path) -> list[Figure]:
    import polars as pl

    from energize_desktop.analytics.tariffs import parse_tariff
    from energize_desktop.jobs import ledger
    from energize_desktop.jobs.energy import meter_energy

    ws, meters = _workspace(folder / "price.energize", 20)
    start, end = T0, T0 + YEAR_STEPS * STEP_US
    tou, prices = parse_tariff(TOU), _prices()
    dynamic = replace(parse_tariff(DYNAMIC), prices=prices)
    energies = [meter_energy(ws, m, start, end) for m in meters]

    def ours(t):
        return sum(ledger.cost_on(e, t).total for e in energies)

    frames = [pl.DataFrame({"ts": e.ts_us, "kwh": e.kwh}) for e in energies]
    price_frame = pl.DataFrame({"ts": prices.ts_us, "price": prices.per_kwh})

    def peer():  # the same dynamic sum as a script would do it: an as-of join per meter
        return sum(f.sort("ts").join_asof(price_frame, on="ts").select(
            (pl.col("kwh") * pl.col("price")).sum()).item() for f in frames)

    check = ours(dynamic) - 0.0  # dynamic has no fixed charge: the two sums must agree
    assert abs(check - peer()) < 1e-6 * abs(check), (check, peer())
    t_dyn, t_tou, t_peer = median_time(lambda: ours(dynamic), 5, 1), \
        median_time(lambda: ours(tou), 5, 1), median_time(peer, 5, 1)
    ws.close()
    return [Figure("price 20 meters × a year of 15 min, dynamic 30-min tariff", "s", t_dyn,
                   t_peer, False, "", note="peer: polars join_asof of energy and prices, "
                                           "summed (same total to 1e-6)"),
            Figure("price 20 meters × a year of 15 min, TOU tariff (3 bands, fixed)", "s",
                   t_tou, t_peer, False, "", note="peer as above (the dynamic sum)")]


def kpis_figure(folder: Path) -> Figure:
    ws, _ = _workspace(folder / "kpis.energize", 50)
    ws.close()
    path = folder / "kpis.energize"
    # as installed: with bytecode (pip and the frozen app compile it; a shell that sets
    # PYTHONDONTWRITEBYTECODE would have every run compile the package again) and with the
    # data folder's caches (public holidays, the schema) made by the warm-up run
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["ENERGIZE_DATA_DIR"] = str(folder / "data")

    def ours():
        subprocess.run([str(Path(sys.executable).with_name("energize")), "kpis", "-w", str(path),
                        "--period", "2025", "--json"], check=True, capture_output=True, env=env)

    peer_code = ("import duckdb; c = duckdb.connect(%r, read_only=True); "
                 "print(c.execute('SELECT sum(value) FROM readings').fetchall())" % str(path))

    def peer():
        subprocess.run([sys.executable, "-c", peer_code], check=True, capture_output=True,
                       env=env)

    return Figure("kpis, a site of 50 meters over a year, whole process", "s",
                  median_time(ours, 7, 2), median_time(peer, 7, 2), False, "< 1 s",
                  note="peer: a bare DuckDB sum of the readings, its own process; both with "
                       "bytecode compiled, as installed")


def virtual_figures(folder: Path) -> list[Figure]:
    from energize_desktop.jobs.virtual import add_virtual

    ws, meters = _workspace(folder / "virtual.energize", 10)
    formula = " + ".join(m.name for m in meters[:5]) + " - " + " - ".join(
        m.name for m in meters[5:])
    v = add_virtual(ws, "V", formula)
    figures = []
    for level in ("day", "hour"):
        ours = median_time(lambda: ws.queries.rollup(level, [v.id]), 15, 2)
        peer = median_time(lambda: ws.queries.rollup(level, [meters[0].id]), 15, 2)
        figures.append(Figure(f"virtual meter of 10 terms, a year at {level} resolution", "ms",
                              ours * 1000, peer * 1000, False, "< 50 ms",
                              note="peer: one measured meter's rollup, same year"))
    ws.close()
    return figures


def run() -> Result:
    result = Result("ledger", "a polars join (pricing), a bare DuckDB sum (kpis process), one "
                              "measured meter's rollup (virtual meter)",
                    setup={"meters priced": 20, "kpis site meters": 50, "virtual terms": 10,
                           "steps per meter": YEAR_STEPS})
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        result.figures += pricing_figures(Path(folder))
        result.figures.append(kpis_figure(Path(folder)))
        result.figures += virtual_figures(Path(folder))
        result.setup["seconds"] = round(time.perf_counter() - started, 1)
    return result
