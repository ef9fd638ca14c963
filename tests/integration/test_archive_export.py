"""Retention archives and exports: files another tool can read, nothing lost on the way."""

from datetime import datetime, timezone

import polars as pl
import pytest

from energize_desktop.storage import Workspace
from energize_desktop.storage.archive import archive_old, restore_archive
from energize_desktop.storage.errors import LateDataError
from energize_desktop.storage.export import export


def test_archive_moves_old_raw_readings_and_keeps_rollups(demo_copy):
    with Workspace.open(demo_copy) as ws:
        meter = ws.update_meter(ws.meter("HVAC").with_(retention_days=90))
        months_before = ws.queries.rollup("month", [meter.id])
        raw_before = ws.queries.readings([meter.id]).height
        done = archive_old(ws, meter, now=datetime(2025, 11, 1, tzinfo=timezone.utc))
        assert done.path.exists() and done.rows > 0
        assert ws.queries.readings([meter.id]).height == raw_before - done.rows
        assert ws.queries.rollup("month", [meter.id]).equals(months_before)
        with pytest.raises(LateDataError, match="archived; restore the archive"):
            ws.writer().append({"meter_id": [meter.id], "ts": [datetime(2024, 12, 1)],
                                "value": [1.0]})
        assert restore_archive(ws, done.path) == done.rows
        assert ws.queries.readings([meter.id]).height == raw_before
        ws.writer().append({"meter_id": [meter.id], "ts": [datetime(2024, 12, 1)],
                            "value": [1.0]})


def test_export_columns_are_stable(demo_file, tmp_path):
    with Workspace.open(demo_file, read_only=True) as ws:
        meters = [ws.meter("HVAC"), ws.meter("Outdoor temperature")]
        out = tmp_path / "raw.csv"
        rows = export(ws, meters, "raw", "csv", out, end=datetime(2024, 10, 2))
        frame = pl.read_csv(out)
        assert frame.columns == ["timestamp", "meter", "value", "unit", "quality"]
        assert rows == frame.height > 0
        assert frame["timestamp"][0] == "2024-09-30T23:00:00Z"
        assert set(frame["unit"]) == {"kWh", "°C"} and set(frame["quality"]) == {"valid"}
        out = tmp_path / "daily.parquet"
        export(ws, meters, "day", "parquet", out)
        daily = pl.read_parquet(out)
        assert daily.columns == ["timestamp", "meter", "value", "unit", "quality", "coverage"]
        hvac = daily.filter(pl.col("meter") == "HVAC")
        assert hvac["unit"][0] == "kWh" and hvac.height == 396
        temps = daily.filter(pl.col("meter") == "Outdoor temperature")
        assert temps["unit"][0] == "°C" and (temps["quality"] == "incomplete").sum() >= 2
