"""Hourly and daily rollups on the server, from the workspace's own (so counter resets, gaps
and estimated readings are handled once, the same way the window and reports see them): a
dashboard sums `amount` per hour or day instead of differencing raw counters itself.

Per meter and level the last bucket sent is remembered; the next sync sends from that bucket
on (it may have grown since) through a binary COPY into a staging table, merged with ON
CONFLICT DO UPDATE — or inserted without the conflict check when none of the meters had sent
this level before (their first push: most of the rows), falling back to the merge should the
server hold some after all.
"""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import polars as pl

from energize_desktop.storage.api import WorkspaceAPI
from energize_desktop.sync import pgcopy

LEVELS = {"hour": "rollups_hour", "day": "rollups_day"}
COLUMNS = ("amount", "peak", "mean", "vmin", "vmax", "n", "coverage")
TABLE = """(meter_uid uuid NOT NULL, bucket {kind} NOT NULL, amount double precision,
    peak double precision, mean double precision, vmin double precision,
    vmax double precision, n integer NOT NULL, coverage double precision, org text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (meter_uid, bucket))"""
# v6: the organisation is part of a rollup's key, and a row is accepted only for a meter of the
# organisation that sends it (server._security's policy): another organisation's laptop can
# neither take an hour of acme's meter nor write under its uid.
KEY_MIGRATION = [
    statement for table in ("rollups_hour", "rollups_day") for statement in (
        f"ALTER TABLE energize.{table} DROP CONSTRAINT {table}_pkey",
        f"ALTER TABLE energize.{table} ADD PRIMARY KEY (org, meter_uid, bucket)")]
MIGRATION = [
    "CREATE TABLE energize.rollups_hour " + TABLE.format(kind="timestamptz"),
    "CREATE TABLE energize.rollups_day " + TABLE.format(kind="date"),
    "COMMENT ON TABLE energize.rollups_hour IS 'amount: energy or volume in the hour "
    "(meter unit, counter resets and gaps handled; NULL for sampled levels); coverage 0..1 "
    "of the hour with readings'",
    "COMMENT ON TABLE energize.rollups_day IS 'as rollups_hour, per local day of the site'",
]


def due(ws: WorkspaceAPI, meters, marks: dict) -> list:
    """The meters with a reading newer than the one their rollups were last sent with — whether
    or not they sent readings in this run, so a run killed after its readings but before its
    rollups is caught up by the next (one query for all meters)."""
    summaries = ws.queries.summaries()
    out = []
    for meter in meters:
        summary = summaries.get(meter.id)
        if summary is None or summary.last is None:
            continue
        seen = marks.get(f"reading:{meter.uid}")
        if seen is None or summary.last.isoformat() > seen:
            out.append(meter)
    return out


def push(ws: WorkspaceAPI, conn, org: str, meters, marks: dict, keep=None) -> int:
    """Rollups of `meters` from each one's last sent bucket; returns the rows sent. `marks`
    is updated (and `keep()` called) only after the server committed each level."""
    sent = 0
    summaries = ws.queries.summaries()  # before reading the rollups: nothing is skipped
    for level, table in LEVELS.items():
        frames, last = [], {}
        first_time = not any(f"{level}:{m.uid}" in marks for m in meters)
        for meter in meters:
            key = f"{level}:{meter.uid}"
            frame = ws.queries.rollup(level, [meter.id], start=_bound(marks.get(key)))
            if frame.height:
                frames.append(frame.with_columns(pl.lit(meter.uid).alias("meter_uid")))
                last[key] = str(frame["bucket"][-1])
        if frames:
            rows = pl.concat(frames)
            _send(conn, table, rows, org, first_time)
            marks.update(last)
            sent += rows.height
        if level == list(LEVELS)[-1]:  # every level of these meters is on the server now
            marks.update({f"reading:{m.uid}": summaries[m.id].last.isoformat() for m in meters
                          if m.id in summaries and summaries[m.id].last is not None})
        if keep:
            keep()
    return sent


def _bound(mark: str | None):
    if mark is None:
        return None
    return date.fromisoformat(mark) if len(mark) == 10 else datetime.fromisoformat(mark)


def _send(conn, table: str, rows: pl.DataFrame, org: str, first_time: bool) -> None:
    import psycopg

    if first_time:
        try:
            return _stage_and_insert(conn, table, rows, org, "")
        except psycopg.errors.UniqueViolation:
            pass
    updates = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS)
    _stage_and_insert(conn, table, rows, org, f"ON CONFLICT (org, meter_uid, bucket) DO UPDATE "
                                              f"SET {updates}, updated_at = now()")


def _stage_and_insert(conn, table: str, rows: pl.DataFrame, org: str, on_conflict: str):
    daily = table == "rollups_day"
    data = _encoded(rows, daily)
    floats = [c for c in COLUMNS if c != "n"]
    values = ", ".join(f"NULLIF({c}, 'NaN')" if c in floats else c for c in COLUMNS)
    with conn.transaction():
        conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS staging_{table} (meter_uid uuid, "
                     f"bucket {'date' if daily else 'timestamptz'}, amount float8, "
                     "peak float8, mean float8, vmin float8, vmax float8, n integer, "
                     "coverage float8) ON COMMIT DELETE ROWS")
        with conn.cursor().copy(f"COPY staging_{table} FROM STDIN (FORMAT binary)") as copy:
            copy.write(data)
        conn.execute(f"INSERT INTO energize.{table} (meter_uid, bucket, {', '.join(COLUMNS)}, "
                     f"org) SELECT meter_uid, bucket, {values}, %s FROM staging_{table} "
                     f"{on_conflict}", [org])


def _encoded(rows: pl.DataFrame, daily: bool) -> bytes:
    """Binary COPY rows; a missing float goes as NaN (NULLIF turns it back into NULL)."""
    bucket = rows["bucket"].to_numpy()
    names, index = np.unique(rows["meter_uid"].to_numpy().astype(str), return_inverse=True)
    uids = np.array([pgcopy.uuid_bytes(u) for u in names], dtype="S16")[index]
    fields = [("meter_uid", "uuid", uids),
              ("bucket", "date" if daily else "timestamptz",
               pgcopy.dates(bucket.astype("datetime64[D]").astype(np.int64)) if daily else
               pgcopy.timestamps(bucket.astype("datetime64[us]").astype(np.int64)))]
    for c in COLUMNS:
        column = rows[c].cast(pl.Float64).fill_null(float("nan")).to_numpy()
        fields.append((c, "int4" if c == "n" else "float8",
                       column.astype(np.int32) if c == "n" else column))
    return pgcopy.encode(rows.height, fields)
