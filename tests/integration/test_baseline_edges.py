"""`baseline --predict` predicts every interval the temperature covers, before the meter's first
reading as after its last: the missing edge is estimated (by the known law that made the data)
and its prediction interval is wider where the temperature lies beyond the training range."""

import numpy as np
import pytest

from energize_desktop.core.model import Meter, Site
from energize_desktop.jobs.mv import MvRequest, run
from energize_desktop.storage import Workspace

HOUR = 3_600_000_000
DAYS = 300


def _workspace(path):
    ws = Workspace.create(path)
    site = ws.add_site(Site("S", "UTC"))
    energy = ws.add_meter(Meter("Heat", "electricity", "kWh", "interval", site_id=site.id,
                                interval_s=3600))
    air = ws.add_meter(Meter("Air", "temperature", "°C", "instantaneous", site_id=site.id,
                             interval_s=3600))
    t0 = int(np.datetime64("2025-01-01T00:00", "us").astype(np.int64))
    ts = t0 + np.arange(DAYS * 24, dtype=np.int64) * HOUR
    day = np.arange(DAYS * 24) / 24
    temp = 2 + day * 0.06 + 3 * np.sin(2 * np.pi * day)  # colder at the start
    kwh = 5 + 1.5 * np.maximum(15 - temp, 0)  # the law the test knows
    known = day >= 100  # the meter's first reading is on day 100
    ws.writer().append({"meter_id": np.r_[np.full(known.sum(), energy.id, np.int32),
                                          np.full(len(ts), air.id, np.int32)],
                        "ts": np.r_[ts[known], ts], "value": np.r_[kwh[known], temp]})
    ws.writer().flush()
    return ws, t0, kwh


def test_predictions_before_the_first_reading_and_wider_where_it_extrapolates(tmp_path):
    ws, t0, kwh = _workspace(tmp_path / "w.energize")
    try:
        out = run(ws, MvRequest("Heat", "2025-04-11..2025-10-01", "2025-01-01..2025-04-11",
                                "Air", "hourly"))
    finally:
        ws.close()
    ts, actual, predicted, lower, upper = out["rows"]
    assert np.isnan(actual).all()  # no reading at all in that period
    assert out["json"]["reporting"]["estimated_points"] == 100 * 24
    assert np.isfinite(predicted).all()
    truth = kwh[:100 * 24]
    assert predicted.sum() == pytest.approx(truth.sum(), rel=0.03)
    width = upper - lower
    base = width.min()  # inside the training temperatures: ± t·RMSE
    assert width[:24].max() > 1.25 * base  # day 0 is colder than any training hour
    assert width[-24:] == pytest.approx(np.full(24, base), rel=1e-3)  # day 99: in the range
    assert any("estimated: 2,400 hours" in line for line in out["lines"])
