"""Retention: raw readings older than a meter's retention are moved to Parquet beside the
workspace; rollups stay. Restoring an archive puts the readings back (rollups already hold them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import polars as pl

from energize_desktop.core.errors import ValidationError
from energize_desktop.storage.frames import frame_of, registered
from energize_desktop.storage.transaction import transaction


@dataclass(frozen=True)
class Archived:
    meter_id: int
    path: Path
    rows: int
    ts_from: datetime
    ts_to: datetime


def archive_dir(ws) -> Path:
    return ws.path.with_name(ws.path.name + ".archive")


def archive_old(ws, meter, now: datetime | None = None) -> Archived | None:
    """Archive `meter`'s raw readings older than its retention; None when there are none."""
    if not meter.retention_days:
        return None
    now = now or datetime.now(timezone.utc)
    cutoff = (now - timedelta(days=meter.retention_days)).astimezone(timezone.utc)
    cutoff = cutoff.replace(tzinfo=None)
    with ws.state.lock:
        cur = ws.cursor()
        old = frame_of(cur.sql(
            "SELECT ts, value, quality FROM readings WHERE meter_id = ? AND ts < ? ORDER BY ts",
            params=[meter.id, cutoff]).to_arrow_table())
        if old.is_empty():
            return None
        folder = archive_dir(ws)
        folder.mkdir(exist_ok=True)
        first, last = old["ts"][0], old["ts"][-1]
        path = folder / f"meter-{meter.uid}-{first:%Y%m%d}-{last:%Y%m%d}.parquet"
        tmp = path.with_name(path.name + ".part")
        old.with_columns(meter_uid=pl.lit(meter.uid)).write_parquet(tmp)
        tmp.replace(path)  # the file is complete before any reading is deleted
        with transaction(cur):
            cur.execute("DELETE FROM readings WHERE meter_id = ? AND ts < ?", [meter.id, cutoff])
            cur.execute("UPDATE meters SET archived_before = greatest(coalesce(archived_before, "
                        "?::TIMESTAMP), ?::TIMESTAMP) WHERE id = ?", [cutoff, cutoff, meter.id])
            cur.execute("INSERT INTO archives VALUES (?, ?, ?, ?, ?, now()::TIMESTAMP)",
                        [meter.id, str(path), first, last, old.height])
    return Archived(meter.id, path, old.height, first, last)


def restore_archive(ws, path: Path) -> int:
    """Put an archive's readings back; returns how many were restored."""
    path = Path(path)
    cur = ws.cursor()
    rows = cur.execute("SELECT meter_id FROM archives WHERE path = ?", [str(path)]).fetchall()
    if not rows:
        raise ValidationError(f"{path}: not an archive of this workspace")
    meter_id = rows[0][0]
    data = pl.read_parquet(path).select(
        pl.lit(meter_id, pl.Int32).alias("meter_id"), "ts", "value",
        pl.col("quality").cast(pl.UInt8))
    with ws.state.lock, transaction(cur), registered(cur, data.to_arrow(), "restore") as name:
        cur.execute(f"DELETE FROM readings USING {name} f WHERE readings.meter_id = f.meter_id "
                    "AND readings.ts = f.ts")
        cur.execute(f"INSERT INTO readings SELECT * FROM {name}")
        cur.execute("DELETE FROM archives WHERE path = ?", [str(path)])
        cur.execute("UPDATE meters SET archived_before = (SELECT max(ts_to) + INTERVAL 1 "
                    "MICROSECOND FROM archives WHERE meter_id = ?) WHERE id = ?",
                    [meter_id, meter_id])
    return data.height
