"""Range queries returning polars frames; rollups combine stored (closed) and open buckets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np
import polars as pl

from energize_desktop.core.rollup import QUARTERS_PER_HOUR, Level, bucket_length_s
from energize_desktop.core.timezones import US
from energize_desktop.storage.frames import buckets_table, registered
from energize_desktop.storage.schema import ROLLUP_TABLES


@dataclass(frozen=True)
class MeterSummary:
    meter_id: int
    first: datetime | None
    last: datetime | None
    count: int


@dataclass(frozen=True)
class Gap:
    meter_id: int
    start: datetime  # last reading before the gap
    end: datetime  # first reading after it

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


class Queries:
    def __init__(self, ws):
        self.ws = ws

    # -- raw ------------------------------------------------------------------------------------
    def readings(self, meter_ids, start=None, end=None) -> pl.DataFrame:
        """Raw readings (UTC) in [start, end): meter_id, ts, value, quality."""
        where, params = _range("ts", start, end, _ids(meter_ids))
        sql = f"SELECT meter_id, ts, value, quality FROM readings WHERE {where} ORDER BY meter_id, ts"
        return _frame(self.ws.cursor(), sql, params)

    def summaries(self) -> dict[int, MeterSummary]:
        rows = self.ws.cursor().execute(
            "SELECT meter_id, min(ts), max(ts), count(*) FROM readings GROUP BY meter_id"
        ).fetchall()
        return {r[0]: MeterSummary(r[0], _utc(r[1]), _utc(r[2]), r[3]) for r in rows}

    def gaps(self, meter_id: int, limit: int = 1000) -> tuple[int, list[Gap]]:
        """Intervals longer than the meter's maximum gap between consecutive readings."""
        gap_us = self.ws.meter(meter_id).gap_s * US
        cur = self.ws.cursor()
        rows = cur.execute("""
            SELECT prev, ts FROM (
                SELECT lag(ts) OVER (ORDER BY ts) AS prev, ts FROM readings WHERE meter_id = ?)
            WHERE epoch_us(ts) - epoch_us(prev) > ? ORDER BY ts""",
                           [meter_id, gap_us]).fetchall()
        return len(rows), [Gap(meter_id, _utc(a), _utc(b)) for a, b in rows[:limit]]

    # -- rollups --------------------------------------------------------------------------------
    def rollup(self, level: Level | str, meter_ids, start=None, end=None) -> pl.DataFrame:
        """Buckets of `level` for the meters in [start, end).

        Columns: meter_id, bucket (UTC datetime for 15min/hour, local date for day/month),
        amount, peak, mean, vmin, vmax, n, covered_s, estimated_s, coverage (0..1).
        """
        level = Level.parse(level) if isinstance(level, str) else level
        ids = _ids(meter_ids)
        where, params = _range("bucket", _key_bound(level, start), _key_bound(level, end), ids)
        state = self.ws.state
        with state.lock:  # closed rows are stored and open rows held: read both at one moment
            open_rows = state.rows(level, ids)
            table = ROLLUP_TABLES[level]
            cur = self.ws.cursor()
            with registered(cur, buckets_table(level, open_rows), "open") as name:
                sql = (f"SELECT * FROM (SELECT * FROM {table} UNION ALL SELECT * FROM {name}) "
                       f"WHERE {where} ORDER BY meter_id, bucket")
                frame = _frame(cur, sql, params)
        return self._with_coverage(level, frame)

    def _with_coverage(self, level: Level, frame: pl.DataFrame) -> pl.DataFrame:
        length = np.empty(frame.height)
        ids = frame["meter_id"].to_numpy()
        keys = _keys_of(level, frame["bucket"])
        for m in np.unique(ids):
            sel = ids == m
            length[sel] = bucket_length_s(level, keys[sel], self.ws.state.calendar_of(int(m)))
        mean = pl.when(pl.col("n") > 0).then(pl.col("vsum") / pl.col("n"))
        if level is Level.QUARTER:
            frame = frame.with_columns(peak=pl.col("amount") * QUARTERS_PER_HOUR)
        return frame.with_columns(
            mean=mean,
            coverage=(pl.col("covered_s") / pl.Series(length)).clip(0.0, 1.0),
        ).select("meter_id", "bucket", "amount", "peak", "mean", "vmin", "vmax", "n",
                 "covered_s", "estimated_s", "coverage")


def _ids(meter_ids) -> list[int]:
    if isinstance(meter_ids, (int, np.integer)):
        return [int(meter_ids)]
    return [int(m) for m in meter_ids]


def _range(column: str, start, end, ids) -> tuple[str, list]:
    clauses = [f"meter_id IN ({', '.join('?' * len(ids))})" if ids else "FALSE"]
    params: list = list(ids)
    if start is not None:
        clauses.append(f"{column} >= ?")
        params.append(start)
    if end is not None:
        clauses.append(f"{column} < ?")
        params.append(end)
    return " AND ".join(clauses), params


def _key_bound(level: Level, value):
    """Accept datetimes (naive = UTC) or dates; day/month rollups compare local dates."""
    if value is None:
        return None
    if level.keyed_by_date:
        return value.date() if isinstance(value, datetime) else value
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).replace(tzinfo=None) if value.tzinfo else value
    return datetime(value.year, value.month, value.day)


def _keys_of(level: Level, column: pl.Series) -> np.ndarray:
    if level.keyed_by_date:
        return column.cast(pl.Int32).to_numpy().astype(np.int64)
    return column.dt.cast_time_unit("us").cast(pl.Int64).to_numpy()


def _frame(cur, sql: str, params) -> pl.DataFrame:
    return pl.from_arrow(cur.sql(sql, params=params).to_arrow_table())


def _utc(value) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, (int, np.integer)):
        return datetime.fromtimestamp(int(value) / US, tz=timezone.utc)
    return value.replace(tzinfo=timezone.utc)

