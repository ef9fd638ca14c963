"""Moving column arrays between numpy, Arrow and DuckDB without per-row Python work."""

from __future__ import annotations

import itertools
from contextlib import contextmanager
from typing import TYPE_CHECKING, cast

import numpy as np
import pyarrow as pa

from energize_desktop.core.incremental import Batch
from energize_desktop.core.rollup import COLUMNS, Buckets, Level, with_quarter_peak
from energize_desktop.storage.schema import ROLLUP_TABLES

if TYPE_CHECKING:
    import polars as pl

_names = itertools.count()
BUCKET_FIELDS = ("amount", "peak", "covered_s", "estimated_s", "vmin", "vmax", "vsum", "n")


def key_sql(level: Level, column: str = "bucket") -> str:
    """SQL giving a rollup key as our int64: µs since epoch, or days since epoch."""
    if level.keyed_by_date:
        return f"datediff('day', DATE '1970-01-01', {column})"
    return f"epoch_us({column})"


def as_timestamp(us):
    """int64 µs since the epoch as numpy datetime64 (what DuckDB compares with TIMESTAMP)."""
    if isinstance(us, np.ndarray):
        return us.astype("datetime64[us]")
    return np.datetime64(int(us), "us").astype(object)


def arrow_array(values: np.ndarray, dtype=None, nan_as_null: bool = False) -> pa.Array:
    """A numpy column as Arrow without `pa.array`, whose first call imports pandas (0.4 s of
    every CLI command that reads a rollup). `nan_as_null`: NaN becomes a null."""
    v = np.ascontiguousarray(values if dtype is None else values.astype(dtype, copy=False))
    if v.dtype.kind not in "iufM" or v.dtype.byteorder == ">":
        return pa.array(v, from_pandas=nan_as_null)  # bools are bit-packed, objects boxed
    arrow_type = pa.from_numpy_dtype(v.dtype)
    if v.dtype == np.dtype("datetime64[D]"):  # Arrow's date32 is 32-bit days
        v, arrow_type = v.astype(np.int64).astype(np.int32), pa.date32()
    validity, nulls = None, 0
    if nan_as_null and v.dtype.kind == "f":
        valid = ~np.isnan(v)
        nulls = len(v) - int(valid.sum())
        if nulls:
            validity = pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(arrow_type, len(v),
                                 [validity, pa.py_buffer(v)], null_count=nulls)


def key_array(level: Level, key: np.ndarray) -> pa.Array:
    return arrow_array(key, "datetime64[D]" if level.keyed_by_date else "datetime64[us]")


@contextmanager
def registered(cur, table: pa.Table, prefix: str = "frame"):
    """Expose an Arrow table to SQL under a unique name for the duration of a block."""
    name = f"_{prefix}_{next(_names)}"
    cur.register(name, table)
    try:
        yield name
    finally:
        cur.unregister(name)


def temp_table(cur, prefix: str, columns: dict[str, np.ndarray]):
    return registered(cur, pa.table({k: arrow_array(np.asarray(v)) for k, v in columns.items()}), prefix)


def readings_table(batch: Batch) -> pa.Table:
    return pa.table({
        "meter_id": arrow_array(batch.meter, np.int32),
        "ts": arrow_array(batch.ts, "datetime64[us]"),
        "value": arrow_array(batch.value, np.float64),
        "quality": arrow_array(batch.quality, np.uint8),
    })


# Rollups keep 1e-6 of the unit (a milliwatt-hour for kWh): sums of decimal readings then stay
# decimal and DuckDB's ALP codec stores them in a few bytes instead of eight.
DECIMALS = 6
ROUNDED = ("amount", "peak", "vsum")


def buckets_table(level: Level, rows: Buckets) -> pa.Table:
    """Rows as stored: rounded, and a quarter's peak left out (it is its amount × 4)."""
    cols = {"meter_id": arrow_array(rows.meter, np.int32), "bucket": key_array(level, rows.key)}
    values = rows.values
    for f in BUCKET_FIELDS:
        v = values[:, COLUMNS.index(f)]
        if f in ROUNDED:
            v = np.round(v, DECIMALS)
        if f == "n":
            cols[f] = arrow_array(v, np.int32)
        elif f == "peak" and level is Level.QUARTER:
            cols[f] = pa.nulls(len(v), pa.float64())
        else:
            cols[f] = arrow_array(v, np.float64, nan_as_null=True)
    return pa.table(cols)


def insert_arrow(cur, table: str, frame: pa.Table) -> None:
    """INSERT an Arrow table through a relation: the workspace's connection has no replacement
    scans (external access is off), and this costs less than register/unregister."""
    cur.from_arrow(frame).insert_into(table)


def insert_buckets(cur, level: Level, rows: Buckets) -> None:
    if len(rows):
        insert_arrow(cur, ROLLUP_TABLES[level], buckets_table(level, rows))


def batch_from_sql(cur, sql: str, params=None) -> Batch:
    res = cur.execute(sql, params or []).fetchnumpy()
    return Batch(np.asarray(res["meter_id"], np.int32), np.asarray(res["ts"], np.int64),
                 np.asarray(res["value"], np.float64), np.asarray(res["quality"], np.uint8))


def batch_from_arrow(table) -> Batch:
    def col(name, dtype):
        return np.asarray(table.column(name).to_numpy(zero_copy_only=False), dtype)

    return Batch(col("meter_id", np.int32), col("ts", np.int64), col("value", np.float64),
                 col("quality", np.uint8))


def buckets_from_sql(cur, level: Level, ids, lo, hi) -> Buckets:
    """Stored rows of `level` for each meter id with lo <= key < hi."""
    table = ROLLUP_TABLES[level]
    key = key_sql(level, "r.bucket")
    if not len(ids):
        return Buckets.empty()
    # the bounds of all ranges on the bare column too, so DuckDB's zone maps skip the blocks
    # outside them (the join's own test is on an expression and would scan the whole table)
    unit = "datetime64[D]" if level.keyed_by_date else "datetime64[us]"
    floor, ceiling = (np.array([int(v)], np.int64).astype(unit)[0].astype(object)
                      for v in (np.min(lo), np.max(hi)))
    with temp_table(cur, "ranges", {"meter_id": np.asarray(ids, np.int32),
                                    "lo": np.asarray(lo, np.int64),
                                    "hi": np.asarray(hi, np.int64)}) as ranges:
        res = cur.execute(f"""
            SELECT r.meter_id, {key} AS key, {', '.join('r.' + f for f in BUCKET_FIELDS)}
            FROM {table} r JOIN {ranges} q ON r.meter_id = q.meter_id
            WHERE {key} >= q.lo AND {key} < q.hi AND r.bucket >= ? AND r.bucket < ?
            ORDER BY r.meter_id, r.bucket""", [floor, ceiling]).fetchnumpy()
    return with_stored_peak(level, buckets_from_numpy(res))


def buckets_from_numpy(res) -> Buckets:
    def col(name, dtype):
        v = res[name]
        if isinstance(v, np.ma.MaskedArray):
            v = v.filled(np.nan) if dtype == np.float64 else v.filled(0)
        return np.asarray(v, dtype)

    rows = Buckets.of(col("meter_id", np.int32), col("key", np.int64),
                      **{f: col(f, np.float64) for f in BUCKET_FIELDS})
    return rows


def with_stored_peak(level: Level, rows: Buckets) -> Buckets:
    """Restore what buckets_table leaves out: a quarter's peak is its own rate."""
    return with_quarter_peak(rows) if level is Level.QUARTER else rows


def frame_of(arrow_table) -> pl.DataFrame:
    """A DuckDB result (as an Arrow table) as a polars frame, without copying."""
    import polars as pl  # not at import: a command that builds no frame never loads it

    return cast(pl.DataFrame, pl.from_arrow(arrow_table))
