"""Weather files become outdoor-temperature channels: NREL TMY3 files shipped with pvlib (real
stations) checked against pvlib's own reader, and an EPW file from the corpus."""

from pathlib import Path

import numpy as np
import pytest

from energize_desktop.jobs.importer import ImportOptions, import_file

pvlib = pytest.importorskip("pvlib")
DATA = Path(pvlib.__file__).parent / "data"


@pytest.mark.parametrize("name", ["703165TY.csv", "723170TYA.CSV"])
def test_tmy3_matches_pvlib(ws, name):
    from pvlib.iotools import read_tmy3

    frame, meta = read_tmy3(DATA / name, map_variables=True)
    report = import_file(ws, DATA / name, ImportOptions(site="Station"))
    (channel,) = report.channels.values()
    assert channel.unit == "°C" and channel.kind == "temperature"
    assert channel.rows == 8760 and channel.interval_s == 3600
    meter = ws.meter(channel.name)
    rows = ws.cursor().execute("SELECT epoch_us(ts), value FROM readings WHERE meter_id = ? "
                               "ORDER BY ts", [meter.id]).fetchall()
    values = np.array([v for _, v in rows])
    assert values.mean() == pytest.approx(frame["temp_air"].mean(), abs=1e-9)
    # pvlib stamps the first hour-ending value at 01:00 local standard time
    first_utc = frame.index.tz_convert("UTC").sort_values()[0]
    assert min(t for t, _ in rows) == int(first_utc.value // 1000)
