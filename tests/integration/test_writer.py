"""The writer: one transaction per batch, rollups current, late data, recovery, crashes."""

import os
import signal
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone

import numpy as np
import polars as pl
import pytest

from energize_desktop.core.errors import ValidationError
from energize_desktop.core.model import Meter, Site
from energize_desktop.storage import Workspace

T0 = datetime(2025, 3, 28)  # naive = UTC; London changes clocks on the 30th


def setup_meters(ws):
    site = ws.add_site(Site("HQ", timezone="Europe/London"))
    add = lambda *a, **k: ws.add_meter(Meter(*a, site_id=site.id, interval_s=60, **k))  # noqa
    return (add("main", "electricity", "kWh", "cumulative"),
            add("hvac", "electricity", "kW", "instantaneous"),
            add("temp", "temperature", "°C", "instantaneous"))


def series(meters, minutes=3 * 24 * 60, seed=1):
    rng = np.random.default_rng(seed)
    ts = np.datetime64(T0, "us") + np.arange(minutes).astype("timedelta64[m]")
    kw = rng.uniform(1, 3, minutes)
    values = {meters[0].id: np.round(np.cumsum(kw / 60), 4), meters[1].id: kw,
              meters[2].id: np.round(10 + rng.normal(0, 1, minutes), 1)}
    return pl.concat([pl.DataFrame({"meter_id": np.full(minutes, m), "ts": ts, "value": v})
                      for m, v in values.items()]).sort("ts")


def rollups(ws, level, ids):
    return ws.queries.rollup(level, ids).sort("meter_id", "bucket")


def assert_same(a: pl.DataFrame, b: pl.DataFrame):
    assert a.select("meter_id", "bucket").equals(b.select("meter_id", "bucket"))
    for col in ("amount", "peak", "mean", "vmin", "vmax", "covered_s", "coverage"):
        np.testing.assert_allclose(a[col].to_numpy().astype(float),
                                   b[col].to_numpy().astype(float), atol=2e-5, equal_nan=True)


def test_many_small_batches_equal_one_bulk_load(tmp_path):
    data = None
    results = []
    for name, step in (("bulk", None), ("live", 37)):
        with Workspace.create(tmp_path / f"{name}.energize") as ws:
            meters = setup_meters(ws)
            data = series(meters)
            writer = ws.writer()
            if step is None:
                writer.append(data)
            else:
                for i in range(0, data.height, step):
                    writer.append(data.slice(i, step))
            ids = [m.id for m in meters]
            results.append([rollups(ws, lvl, ids) for lvl in ("15min", "hour", "day", "month")])
    for bulk, live in zip(*results):
        assert_same(bulk, live)
    day = results[0][2].filter(pl.col("meter_id") == 1)
    counter = data.filter(pl.col("meter_id") == 1)["value"]
    assert day["amount"].sum() == pytest.approx(counter[-1] - counter[0], abs=1e-3)
    # 30 March 2025 has 23 hours in London; fully covered all the same
    dst_day = day.filter(pl.col("bucket") == datetime(2025, 3, 30).date())
    assert dst_day["covered_s"][0] == 23 * 3600 and dst_day["coverage"][0] == 1.0


def test_reopening_rebuilds_open_buckets_exactly(tmp_path):
    path = tmp_path / "w.energize"
    with Workspace.create(path) as ws:
        meters = setup_meters(ws)
        data = series(meters)
        writer = ws.writer()
        writer.FLUSH_ROWS = 10**9
        for i in range(0, data.height, 500):
            writer.append(data.slice(i, 500))
            if i == 6000:
                writer.flush()  # a watermark mid-way; what follows is replayed on open
        ids = [m.id for m in meters]
        before = [rollups(ws, lvl, ids) for lvl in ("15min", "hour", "day", "month")]
        # no orderly close: pending rollup rows are lost as with a crashed process
        ws._writer, ws._con = None, ws._con.close()
    with Workspace.open(path) as ws:
        after = [rollups(ws, lvl, ids) for lvl in ("15min", "hour", "day", "month")]
    for a, b in zip(before, after):
        assert_same(a, b)


def test_gaps_stay_gaps_and_nan_values_are_not_stored(ws):
    meters = setup_meters(ws)
    ts = [T0 + timedelta(minutes=i) for i in (0, 1, 2, 300, 301)]
    result = ws.writer().append({"meter_id": [meters[2].id] * 5, "ts": ts,
                                 "value": [10.0, 11.0, float("nan"), 12.0, 13.0]})
    assert result.rows == 4
    hours = rollups(ws, "hour", [meters[2].id])
    assert hours["bucket"].to_list() == [T0, T0 + timedelta(hours=5)]  # no zero-filled hours
    assert ws.queries.gaps(meters[2].id)[0] == 1


def test_late_readings_replace_and_rebuild(ws):
    meters = setup_meters(ws)
    data = series(meters, minutes=600)
    writer = ws.writer()
    writer.append(data)
    hvac = meters[1].id
    late = writer.append({"meter_id": [hvac], "ts": [T0 + timedelta(minutes=90)],
                          "value": [500.0]})
    assert late.replaced == 1 and late.rebuilt_meters == (hvac,)
    raw = ws.queries.readings([hvac], T0 + timedelta(minutes=90), T0 + timedelta(minutes=91))
    assert raw["value"].to_list() == [500.0]
    hour = rollups(ws, "hour", [hvac]).filter(pl.col("bucket") == T0 + timedelta(hours=1))
    assert hour["vmax"][0] == 500.0
    # the spike is integrated by trapezoid into the quarters either side of 01:30: each
    # gains about (2 + 500) / 2 kW for one minute, 16.7 kW averaged over its 15 minutes
    assert 18 < hour["peak"][0] < 20


def test_duplicates_in_one_batch_keep_the_last(ws):
    meter = setup_meters(ws)[1]
    ws.writer().append({"meter_id": [meter.id] * 3, "ts": [T0, T0, T0 + timedelta(minutes=1)],
                        "value": [1.0, 2.0, 3.0]})
    assert ws.queries.readings([meter.id])["value"].to_list() == [2.0, 3.0]


@pytest.mark.parametrize("data, message", [
    ({"meter_id": [99], "ts": [T0], "value": [1.0]}, r"unknown meter id\(s\) \[99\]"),
    ({"meter_id": [1], "ts": [T0]}, r"missing column\(s\) value"),
    ({"meter_id": [1], "ts": [T0], "value": [1.0], "quality": [5]}, r"unknown quality code"),
    ({"meter_id": [1], "ts": ["yesterday"], "value": [1.0]}, r"ts must hold datetimes"),
])
def test_bad_batches_are_refused_whole(ws, data, message):
    setup_meters(ws)
    with pytest.raises(ValidationError, match=message):
        ws.writer().append(data)
    assert ws.queries.readings([1, 2, 3]).is_empty()


def test_timezone_aware_input_is_stored_in_utc(ws):
    meter = setup_meters(ws)[2]
    local = datetime(2025, 6, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    frame = pl.DataFrame({"meter_id": [meter.id], "ts": [local], "value": [20.0]})
    ws.writer().append(frame)
    assert ws.queries.readings([meter.id])["ts"].to_list() == [datetime(2025, 6, 1, 10, 0)]


CHILD = textwrap.dedent("""
    import sys
    from datetime import datetime, timedelta
    from energize_desktop.storage import Workspace
    ws = Workspace.open(sys.argv[1])
    writer = ws.writer()
    t0 = datetime(2025, 1, 1)
    for batch in range(100000):
        ts = [t0 + timedelta(minutes=batch * 10 + i) for i in range(10)]
        writer.append({"meter_id": [1] * 10, "ts": ts, "value": [float(batch)] * 10})
        print(batch, flush=True)  # reported as saved: the batch is committed
""")


def test_a_killed_writer_loses_no_committed_batch(tmp_path):
    path = tmp_path / "crash.energize"
    with Workspace.create(path) as ws:
        site = ws.add_site(Site("HQ"))
        ws.add_meter(Meter("m", "electricity", "kW", "instantaneous", site_id=site.id))
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path)], stdout=subprocess.PIPE,
                             text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    reported = -1
    for line in child.stdout:
        reported = int(line)
        if reported >= 150:
            child.send_signal(signal.SIGKILL)
            break
    child.wait()
    assert child.returncode == -signal.SIGKILL
    with Workspace.open(path) as ws:
        raw = ws.queries.readings([1])
        batches = set(raw["value"].cast(pl.Int64).to_list())
        assert set(range(reported + 1)) <= batches
        assert raw.height >= (reported + 1) * 10
        # rollups rebuilt after the crash agree with the raw readings
        quarters = ws.queries.rollup("15min", [1])
        assert quarters["n"].sum() == raw.height
