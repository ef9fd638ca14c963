"""The one writer: each call appends a batch of readings in one transaction.

A reading counts as saved when `append` returns: its batch is committed (DuckDB's WAL is synced
at commit), and the rollups it touched are current. In-order readings take the fast path (merge
into open buckets, store the buckets that closed); readings at or before a meter's latest one
replace any reading with the same timestamp and rebuild that meter's rollups from the start of
the local month they fall in.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone

import duckdb
import numpy as np
import polars as pl

from energize_desktop.core.errors import ValidationError
from energize_desktop.core.incremental import LEVELS, Batch, advance
from energize_desktop.core.instants import EARLIEST_US, LATEST_US, to_us
from energize_desktop.core.ordering import sort_order
from energize_desktop.core.quality import Quality
from energize_desktop.core.rollup import Level
from energize_desktop.core.timezones import US, month_of_days
from energize_desktop.storage.errors import LateDataError
from energize_desktop.storage.frames import (
    as_timestamp,
    batch_from_sql,
    insert_arrow,
    key_sql,
    readings_table,
    registered,
    temp_table,
)
from energize_desktop.storage.schema import ROLLUP_TABLES
from energize_desktop.storage.state import context_before
from energize_desktop.storage.transaction import storage_error, transaction

_QUALITY_CODES = np.array(sorted(int(q) for q in Quality), np.uint8)


@dataclass(frozen=True)
class WriteResult:
    rows: int
    meters: int
    replaced: int
    rebuilt_meters: tuple[int, ...]
    first: datetime | None
    last: datetime | None


class Writer:
    """Appends batches; flushes closed rollup rows every FLUSH_SECONDS or FLUSH_ROWS."""

    FLUSH_SECONDS = 2.0
    FLUSH_ROWS = 50_000
    OVERLAP_ROWS = 200_000
    CHUNK_ROWS = 1 << 18

    def __init__(self, ws, clock=time.monotonic):
        self.ws = ws
        self.state = ws.state
        self._clock = clock
        self._last_flush = clock()
        self._known, self._known_version = np.zeros(0, bool), -1

    def close(self) -> None:
        """Store pending closed rollups so the next open replays nothing."""
        with self.state.lock:
            if self.state.current.pending_rows:
                self.flush()

    def flush(self) -> None:
        with self.state.lock:
            cur = self.ws.cursor()
            with transaction(cur):
                state = self.state.flush(cur, self.state.current)
            self.state.current = state
            self._last_flush = self._clock()

    def append(self, data) -> WriteResult:
        """Commit one batch; a full disk or an unwritable file is a WorkspaceError, with the
        batch rolled back and the rollups as they were."""
        try:
            return self._append(data)
        except duckdb.Error as error:
            raise storage_error(error, "nothing of this batch was stored") from error

    def _append(self, data) -> WriteResult:
        with self.state.lock:
            params = self.state.params()
            known = self._known_ids()
            if len(known) > len(params.semantics):  # a meter was added between the two reads
                params = self.state.params(refresh=True)
            batch = to_batch(data, known)
            if not len(batch):
                return WriteResult(0, 0, 0, (), None, None)
            current = self.state.current
            firsts = _run_starts(batch.meter)
            present = batch.meter[firsts]
            late = present[batch.ts[firsts] <= current.last_ts[present]]  # batch is sorted
            if len(late):
                is_late = np.isin(batch.meter, late)
                fast, slow = batch.take(~is_late), batch.take(is_late)
            else:
                fast, slow = batch, batch.take(slice(0, 0))
            cur = self.ws.cursor()
            replaced = 0
            with transaction(cur):
                state, prepared = self._insert_and_advance(cur, current, fast, params)
                if len(slow):
                    state = self.state.flush(cur, state, prepared)  # then rebuild
                    state, replaced = self._rebuild(cur, state, slow, late)
                    prepared = None
                flushed = bool(len(slow) or prepared or self._flush_due(state))
                if flushed:
                    state = self.state.flush(cur, state, prepared)
            self.state.current = state
            if flushed:
                self._last_flush = self._clock()
        return WriteResult(len(batch), len(present), replaced, tuple(int(m) for m in late),
                           _dt(batch.ts[firsts].min()), _dt(batch.ts[_run_ends(batch.meter)].max()))

    def _insert_and_advance(self, cur, state, batch: Batch, params):
        """Store raw readings and merge them into the rollups; return (state, prepared flush).

        A large batch is inserted on a helper thread while this one computes its rollups:
        DuckDB and numpy both release the GIL, so the two overlap on separate cores. The
        connection is only ever used by one thread at a time.
        """
        if len(batch) < self.OVERLAP_ROWS:
            _insert_readings(cur, batch)
            return advance(state, batch, params), None
        with ThreadPoolExecutor(1, thread_name_prefix="energize-insert") as pool:
            inserting = pool.submit(_insert_readings, cur, batch)
            try:
                # Chunks keep the working set in cache; each continues where the last stopped.
                for start in range(0, len(batch), self.CHUNK_ROWS):
                    chunk = batch.take(slice(start, start + self.CHUNK_ROWS))
                    state = advance(state, chunk, params)
                return self.state.prepare_flush(state)  # the flush's work, overlapped
            finally:
                inserting.result()

    def _flush_due(self, state) -> bool:
        return (state.pending_rows >= self.FLUSH_ROWS
                or self._clock() - self._last_flush >= self.FLUSH_SECONDS)

    def _known_ids(self) -> np.ndarray:
        if self._known_version != self.ws.catalog_version:
            ids = [m.id for m in self.ws.meters() if not m.formula]  # a virtual one is computed
            self._known = np.zeros(max((m.id for m in self.ws.meters()), default=0) + 1, bool)
            self._known[ids] = True
            self._known_version = self.ws.catalog_version
        return self._known

    def rebuild(self, meter_ids) -> None:
        """Recompute these meters' rollups from all their readings: after their site's time
        zone changed (local days and months move) or a meter's calorific value or rollover
        did (its amounts change). Readings are stored in UTC and are never touched."""
        meters = np.asarray(sorted({int(m) for m in meter_ids}), np.int64)
        if not len(meters):
            return
        try:
            self._rebuild_all(meters)
        except duckdb.Error as error:
            raise storage_error(error, "the rollups are as they were") from error

    def _rebuild_all(self, meters: np.ndarray) -> None:
        with self.state.lock:
            params = self.state.params(refresh=True)
            cur = self.ws.cursor()
            with transaction(cur), temp_table(cur, "rebuilt",
                                              {"meter_id": meters.astype(np.int32)}) as ids:
                state = self.state.flush(cur, self.state.current)
                for table in ROLLUP_TABLES.values():
                    cur.execute(f"DELETE FROM {table} WHERE meter_id IN "
                                f"(SELECT meter_id FROM {ids})")
                tail = batch_from_sql(cur, f"""SELECT meter_id, epoch_us(ts) AS ts, value,
                    quality FROM readings WHERE meter_id IN (SELECT meter_id FROM {ids})
                    ORDER BY meter_id, ts""")
                state = advance(state.without(meters), tail, params)
                state = self.state.flush(cur, state)
            self.state.current = state
            self._last_flush = self._clock()

    def _rebuild(self, cur, state, slow: Batch, meters: np.ndarray):
        """Replace same-timestamp readings, then recompute these meters from month starts."""
        first = slow.ts[np.searchsorted(slow.meter, meters)]
        start = np.empty(len(meters), np.int64)
        for i, m in enumerate(meters):
            cal = self.state.calendar_of(int(m))
            month = month_of_days(cal.local_days(first[i:i + 1]))
            start[i] = cal.day_start_utc(month)[0]
        self._check_not_archived(cur, meters, start)
        replaced = _replace_readings(cur, slow)
        _delete_rollups_from(cur, meters, start, self.state.calendar_of)
        with temp_table(cur, "rebuild", {"meter_id": meters.astype(np.int32),
                                         "lo": as_timestamp(start)}) as bounds:
            tail = batch_from_sql(cur, f"""
                SELECT r.meter_id, epoch_us(r.ts) AS ts, r.value, r.quality FROM readings r
                JOIN {bounds} b ON r.meter_id = b.meter_id WHERE r.ts >= b.lo AND r.ts >= ?
                ORDER BY r.meter_id, r.ts""", [as_timestamp(start.min())])
            ctx = context_before(cur, bounds)
        base = state.without(meters).with_last(*ctx)
        return advance(base, tail, self.state.params()), replaced

    def _check_not_archived(self, cur, meters, start) -> None:
        for m, s in zip(meters, start):
            rows = cur.execute("SELECT name, epoch_us(archived_before) FROM meters WHERE id = ?",
                               [int(m)]).fetchall()
            row = rows[0] if rows else None
            if row and row[1] is not None and s < row[1]:
                raise LateDataError(
                    f"meter {row[0]!r}: readings before {_dt(row[1]):%Y-%m-%d} were archived; "
                    "restore the archive before adding readings to that period")


def to_batch(data, known: np.ndarray) -> Batch:
    """Validate and normalise readings: sorted, one per (meter, ts), finite values only.

    `data` is a polars frame or a mapping of arrays with meter_id, ts (datetimes, naive = UTC,
    or int µs since the epoch), value and optionally quality (Green Button codes).
    `known` is a boolean mask over meter ids.
    """
    cols = _columns(data)
    meter = np.asarray(cols["meter_id"])
    if not np.issubdtype(meter.dtype, np.integer):
        raise ValidationError(f"readings: meter_id must be integers, got {meter.dtype}")
    if len(meter) and (meter.min() < 0 or meter.max() >= len(known) or not known[meter].all()):
        bad = meter[(meter < 0) | (meter >= len(known))]
        bad = np.unique(bad if len(bad) else meter[~known[meter]])
        raise ValidationError(f"readings: unknown meter id(s) {bad[:10].tolist()} (a virtual "
                              "meter is computed from its terms, never written)")
    ts = _utc_micros(cols["ts"])
    outside = (ts < EARLIEST_US) | (ts > LATEST_US)
    if outside.any():
        raise ValidationError(f"readings: {int(outside.sum()):,} time(s) outside 1900-2200 "
                              f"(the first: {int(ts[outside][0])} µs since 1970)")
    value = np.asarray(cols["value"], np.float64)
    quality = cols.get("quality")
    if quality is None:
        quality = np.zeros(len(meter), np.uint8)
    else:
        quality = np.asarray(quality, np.int64)
        bad = np.setdiff1d(np.unique(quality), _QUALITY_CODES)
        if len(bad):
            raise ValidationError(f"readings: unknown quality code(s) {bad.tolist()}; expected "
                                  f"{_QUALITY_CODES.tolist()} (Green Button ReadingQuality)")
        quality = quality.astype(np.uint8)
    if not (len(meter) == len(ts) == len(value) == len(quality)):
        raise ValidationError("readings: columns have different lengths")
    batch = Batch(meter.astype(np.int32, copy=False), ts, value, quality)
    finite = np.isfinite(value)
    if not finite.all():
        batch = batch.take(finite)  # a missing value is a gap: it is not stored at all
    return _sorted_unique(batch)


def _columns(data) -> dict:
    cols: dict
    if isinstance(data, pl.DataFrame):
        cols = {c: data[c] for c in data.columns}
    else:
        cols = dict(data)
    missing = {"meter_id", "ts", "value"} - set(cols)
    if missing:
        raise ValidationError(f"readings: missing column(s) {', '.join(sorted(missing))}; "
                              "expected meter_id, ts, value and optionally quality")
    for name in ("meter_id", "value", "quality"):
        if isinstance(cols.get(name), pl.Series):
            cols[name] = cols[name].to_numpy()
    return cols


def _utc_micros(ts) -> np.ndarray:
    if isinstance(ts, pl.Series):
        if isinstance(ts.dtype, pl.Datetime):
            if ts.dtype.time_zone is not None:
                ts = ts.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
            return ts.dt.cast_time_unit("us").cast(pl.Int64).to_numpy()
        ts = ts.to_numpy()
    arr = np.asarray(ts)
    if np.issubdtype(arr.dtype, np.datetime64):
        return arr.astype("datetime64[us]").astype(np.int64)
    if np.issubdtype(arr.dtype, np.integer):
        return arr.astype(np.int64)
    if arr.dtype == object and len(arr) and isinstance(arr[0], datetime):
        return np.array([to_us(t) for t in arr], np.int64)
    raise ValidationError(f"readings: column ts must hold datetimes, got {arr.dtype}")


def _sorted_unique(batch: Batch) -> Batch:
    if _strictly_sorted(batch.meter, batch.ts):
        return batch
    order = sort_order(batch.meter, batch.ts)  # stable: of equal (meter, ts), the last wins
    if order is not None:
        batch = batch.take(order)
    m, t = batch.meter, batch.ts
    keep = np.ones(len(m), bool)
    keep[:-1] = (m[1:] != m[:-1]) | (t[1:] != t[:-1])
    return batch if keep.all() else batch.take(keep)


def _strictly_sorted(m: np.ndarray, t: np.ndarray, chunk: int = 1 << 18) -> bool:
    """(meter, ts) strictly increasing; checked in cache-sized chunks of a large batch."""
    for lo in range(0, max(len(m) - 1, 0), chunk):
        hi = min(lo + chunk + 1, len(m))
        dm, dt = np.diff(m[lo:hi]), np.diff(t[lo:hi])
        if (dm < 0).any() or ((dm == 0) & (dt <= 0)).any():
            return False
    return True


def _insert_readings(cur, batch: Batch) -> None:
    if len(batch):
        insert_arrow(cur, "readings", readings_table(batch))


def _replace_readings(cur, batch: Batch) -> int:
    with registered(cur, readings_table(batch), "late") as name:
        replaced = cur.execute(
            f"SELECT count(*) FROM readings r JOIN {name} l "
            f"ON r.meter_id = l.meter_id AND r.ts = l.ts").fetchall()[0][0]
        if replaced:
            cur.execute(f"DELETE FROM readings USING {name} l "
                        f"WHERE readings.meter_id = l.meter_id AND readings.ts = l.ts")
        cur.execute(f"INSERT INTO readings SELECT * FROM {name}")
    return int(replaced)


def _delete_rollups_from(cur, meters, start_us, calendar_of) -> None:
    for level in LEVELS:
        keys = np.empty(len(meters), np.int64)
        for i, m in enumerate(meters):
            cal = calendar_of(int(m))
            keys[i] = start_us[i] if level <= Level.HOUR else (
                cal.local_days(start_us[i:i + 1])[0])
        with temp_table(cur, "drop", {"meter_id": meters.astype(np.int32), "lo": keys}) as t:
            cur.execute(f"DELETE FROM {ROLLUP_TABLES[level]} AS r USING {t} d "
                        f"WHERE r.meter_id = d.meter_id AND {key_sql(level, 'r.bucket')} >= d.lo")


def _run_starts(meter: np.ndarray) -> np.ndarray:
    change = np.ones(len(meter), bool)
    change[1:] = meter[1:] != meter[:-1]
    return np.flatnonzero(change)


def _run_ends(meter: np.ndarray) -> np.ndarray:
    change = np.ones(len(meter), bool)
    change[:-1] = meter[1:] != meter[:-1]
    return np.flatnonzero(change)


def _dt(us) -> datetime:
    return datetime.fromtimestamp(int(us) / US, tz=timezone.utc)
