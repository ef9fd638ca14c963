"""Hourly and daily rollups on the server, from the workspace's own (so counter resets, gaps
and estimated readings are handled once, the same way the window and reports see them): a
dashboard sums `amount` per hour or day instead of differencing raw counters itself.

Per meter and level the last bucket sent is remembered; the next sync sends from that bucket
on (it may have grown since) through a staging COPY merged with ON CONFLICT DO UPDATE.
"""

from __future__ import annotations

import io
from datetime import date, datetime

import polars as pl

LEVELS = {"hour": "rollups_hour", "day": "rollups_day"}
COLUMNS = ("amount", "peak", "mean", "vmin", "vmax", "n", "coverage")
TABLE = """(meter_uid uuid NOT NULL, bucket {kind} NOT NULL, amount double precision,
    peak double precision, mean double precision, vmin double precision,
    vmax double precision, n integer NOT NULL, coverage double precision, org text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (meter_uid, bucket))"""
MIGRATION = [
    "CREATE TABLE energize.rollups_hour " + TABLE.format(kind="timestamptz"),
    "CREATE TABLE energize.rollups_day " + TABLE.format(kind="date"),
    "COMMENT ON TABLE energize.rollups_hour IS 'amount: energy or volume in the hour "
    "(meter unit, counter resets and gaps handled; NULL for sampled levels); coverage 0..1 "
    "of the hour with readings'",
    "COMMENT ON TABLE energize.rollups_day IS 'as rollups_hour, per local day of the site'",
]


def push(ws, conn, org: str, meters, marks: dict) -> int:
    """Rollups of `meters` from each one's last sent bucket; returns the rows sent. `marks`
    is updated only after the server committed each level."""
    sent = 0
    for level, table in LEVELS.items():
        frames, last = [], {}
        for meter in meters:
            key = f"{level}:{meter.uid}"
            frame = ws.queries.rollup(level, [meter.id], start=_bound(marks.get(key)))
            if frame.height:
                frames.append(frame.with_columns(pl.lit(meter.uid).alias("meter_uid")))
                last[key] = str(frame["bucket"][-1])
        if not frames:
            continue
        rows = pl.concat(frames)
        _merge(conn, table, rows, org)
        marks.update(last)
        sent += rows.height
    return sent


def _bound(mark: str | None):
    if mark is None:
        return None
    return date.fromisoformat(mark) if len(mark) == 10 else datetime.fromisoformat(mark)


def _merge(conn, table: str, rows: pl.DataFrame, org: str) -> None:
    buffer = io.BytesIO()
    rows.select(["meter_uid", "bucket", *COLUMNS]).write_csv(
        buffer, include_header=False, null_value="", datetime_format="%Y-%m-%dT%H:%M:%S%.fZ")
    kind = "date" if table == "rollups_day" else "timestamptz"
    updates = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS)
    with conn.transaction():
        conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS staging_{table} (meter_uid uuid, "
                     f"bucket {kind}, amount float8, peak float8, mean float8, vmin float8, "
                     "vmax float8, n integer, coverage float8) ON COMMIT DELETE ROWS")
        with conn.cursor().copy(f"COPY staging_{table} FROM STDIN (FORMAT csv)") as copy:
            copy.write(buffer.getvalue())
        conn.execute(f"INSERT INTO energize.{table} (meter_uid, bucket, {', '.join(COLUMNS)}, "
                     f"org) SELECT meter_uid, bucket, {', '.join(COLUMNS)}, %s FROM "
                     f"staging_{table} ON CONFLICT (meter_uid, bucket) DO UPDATE SET {updates}, "
                     "updated_at = now()", [org])
