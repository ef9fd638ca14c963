"""The fast paths behind a short CLI command (issue 20: `kpis` for 50 meters × a year < 1 s):
a site total summed in SQL equals the sum of each meter's own series, open (held) buckets and
gaps included; numpy columns reach Arrow without pandas; a `kpis` process never loads polars
or pandas; the data-folder cache is a cache (a changed stamp or a broken file recomputes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from energize_desktop.core.model import Meter, Site
from energize_desktop.core.rollup import Level

T0 = int(np.datetime64("2025-03-01T00:00", "us").astype(np.int64))
Q = 900 * 1_000_000


def _site(ws, meters=3, steps=96 * 3, flush=True, seed=1):
    rng = np.random.default_rng(seed)
    site = ws.add_site(Site("S", "Europe/London"))
    made = ws.add_meters([Meter(f"M{i}", "electricity", "kWh", "interval", site_id=site.id)
                          for i in range(meters)])
    ts = T0 + np.arange(steps, dtype=np.int64) * Q
    values = rng.uniform(0.5, 3.0, (meters, steps)).round(3)
    values[1, 40:48] = np.nan  # two hours missing on one meter: a gap in the total
    keep = np.isfinite(values)
    ids = np.repeat([m.id for m in made], steps).astype(np.int32)
    ws.writer().append({"meter_id": ids[keep.ravel()], "ts": np.tile(ts, meters)[keep.ravel()],
                        "value": values.ravel()[keep.ravel()]})
    if flush:
        ws.writer().flush()
    return site, made, values


@pytest.mark.parametrize("flush", [True, False])
def test_a_site_total_summed_in_sql_equals_the_sum_of_each_meters_series(ws, flush):
    from energize_desktop.jobs.detection import meters_series
    from energize_desktop.jobs.energy import site_energy

    site, made, values = _site(ws, flush=flush)
    start, end = T0, T0 + values.shape[1] * Q
    total = site_energy(ws, site, start, end)
    series = meters_series(ws, made, 900, start, end)
    oracle = np.sum([s.values for s in series.values()], axis=0)  # NaN anywhere is NaN
    assert len(total.kwh) == values.shape[1]
    np.testing.assert_allclose(total.kwh, oracle, rtol=0, atol=1e-9, equal_nan=True)
    assert np.isnan(total.kwh[40:48]).all() and np.isfinite(total.kwh[:40]).all()
    # and by hand from the readings written
    assert np.nansum(total.kwh) == pytest.approx(np.nansum(np.where(
        np.isfinite(values).all(axis=0), values.sum(axis=0), 0.0)), rel=1e-12)


def test_summed_adds_the_open_buckets_held_in_memory(ws):
    """The last quarter of each meter is open (not stored): it is in the total all the same."""
    site, made, values = _site(ws, flush=False, steps=8)
    keys, sums = ws.queries.summed(Level.QUARTER, [m.id for m in made])
    assert len(keys) == 8 and keys[-1] == T0 + 7 * Q
    np.testing.assert_allclose(sums, values.sum(axis=0), atol=1e-9)


def test_summed_refuses_a_local_day_level(ws):
    with pytest.raises(ValueError, match="local days"):
        ws.queries.summed(Level.DAY, [1])


@pytest.mark.parametrize("values", [
    np.arange(5, dtype=np.int32), np.array([1.5, np.nan, -2.0]), np.array([7, 8], np.uint8),
    (np.arange(3) + 20_000).astype("datetime64[D]"), np.arange(3).astype("datetime64[us]"),
    np.array([True, False, True]), np.arange(10)[::3], np.array([], np.float64)])
def test_numpy_columns_reach_arrow_as_pa_array_would_make_them(values):
    from energize_desktop.storage.frames import arrow_array

    ours = arrow_array(values, nan_as_null=True)
    assert ours.equals(pa.array(values, from_pandas=True)), (ours, values)


def test_a_kpis_process_loads_neither_polars_nor_pandas_nor_holidays_twice(tmp_path):
    from energize_desktop.storage import Workspace

    path = tmp_path / "k.energize"
    ws = Workspace.create(path)
    site, _, _ = _site(ws)
    ws.update_site(replace(site, country="GB"))  # a calendar: public holidays are looked up
    ws.close()
    env = {**os.environ, "ENERGIZE_DATA_DIR": str(tmp_path / "data")}
    probe = ("import sys; sys.argv = ['energize', 'kpis', '-w', %r, '--period', '2025-03', "
             "'--json'];\n"
             "from energize_desktop.cli import main\n"
             "code = main()\n"
             "print('LOADED', sorted(m for m in ('polars', 'pandas', 'holidays') "
             "if m in sys.modules))" % str(path))
    runs = [subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True,
                           text=True, check=True).stdout for _ in range(2)]
    loaded = [json.loads(r.rsplit("LOADED ", 1)[1].replace("'", '"')) for r in runs]
    assert loaded[0] == ["holidays"]  # the first run computes the holidays and keeps them
    assert loaded[1] == []  # the next reads them from the data folder's cache
    first = json.loads(runs[0].rsplit("LOADED", 1)[0])
    second = json.loads(runs[1].rsplit("LOADED", 1)[0])
    assert first == second


def test_the_cache_recomputes_on_a_new_stamp_or_a_broken_file(tmp_path, monkeypatch):
    from energize_desktop import computed

    monkeypatch.setenv("ENERGIZE_DATA_DIR", str(tmp_path))
    calls = []

    def compute(value):
        def f():
            calls.append(value)
            return value
        return f

    assert computed.cached("t", "v1", "k", compute([1, 2])) == [1, 2]
    assert computed.cached("t", "v1", "k", compute([9])) == [1, 2]  # kept
    assert computed.cached("t", "v2", "k", compute([3])) == [3]  # another package: afresh
    (tmp_path / "cache" / "t.json").write_text("{not json", encoding="utf-8")
    assert computed.cached("t", "v2", "k", compute([4])) == [4]  # broken: a miss
    assert computed.cached("t", None, "k", compute([5])) == [5]  # nothing to key on
    assert calls == [[1, 2], [3], [4], [5]]


def test_a_cumulative_meter_silent_for_weeks_recovers_its_previous_reading(tmp_path):
    """The previous reading is looked for in the week before first; a register read a month
    earlier is found all the same (else the first quarter after the gap would be lost)."""
    from energize_desktop.storage import Workspace

    path = tmp_path / "c.energize"
    ws = Workspace.create(path)
    site = ws.add_site(Site("S", "UTC"))
    m = ws.add_meters([Meter("Reg", "electricity", "kWh", "cumulative", site_id=site.id,
                             max_gap_s=90 * 86_400)])[0]
    month = 30 * 86_400 * 1_000_000
    ts = np.array([T0, T0 + month, T0 + month + Q // 3], np.int64)
    ws.writer().append({"meter_id": np.full(3, m.id, np.int32), "ts": ts,
                        "value": np.array([100.0, 400.0, 401.0])})
    expected = ws.queries.rollup("hour", [m.id])["amount"].sum()
    ws.close()
    again = Workspace.open(path, read_only=True)
    assert again.queries.rollup("hour", [m.id])["amount"].sum() == pytest.approx(expected)
    assert expected == pytest.approx(301.0)
    again.close()


def test_a_read_only_open_checks_the_file_on_the_connection_it_reads_through(tmp_path):
    from energize_desktop.storage import Workspace
    from energize_desktop.storage.errors import WorkspaceError

    bad = tmp_path / "bad.energize"
    bad.write_bytes(b"\0" * 5000)
    with pytest.raises(WorkspaceError, match="not an Energize workspace"):
        Workspace.open(bad, read_only=True)
    with pytest.raises(WorkspaceError, match="no such file"):
        Workspace.open(tmp_path / "none.energize", read_only=True)
    good = Workspace.create(tmp_path / "g.energize")
    good.close()
    with Workspace.open(Path(good.path), read_only=True) as ro:
        assert ro.read_only and ro.sites() == []
