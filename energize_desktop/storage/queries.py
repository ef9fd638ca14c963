"""Range queries returning polars frames (or numpy columns, for readers that need no frame);
rollups combine stored (closed) and open buckets.

polars is imported where a frame is built, not here: a CLI command that only sums energy (kpis,
cost) then never pays its 0.3 s import."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, cast

import numpy as np

from energize_desktop.core.rollup import Buckets, Level, bucket_length_s
from energize_desktop.core.timezones import US
from energize_desktop.storage.frames import (
    BUCKET_FIELDS,
    buckets_from_numpy,
    frame_of,
    key_sql,
    with_stored_peak,
)
from energize_desktop.storage.schema import ROLLUP_TABLES

if TYPE_CHECKING:
    import polars as pl


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
        import polars as pl

        """Raw readings (UTC) in [start, end): meter_id, ts, value, quality."""
        where, params = _range("ts", start, end, _ids(meter_ids))
        sql = f"SELECT meter_id, ts, value, quality FROM readings WHERE {where} ORDER BY meter_id, ts"
        res = self.ws.cursor().execute(sql, params).fetchnumpy()
        return pl.DataFrame({"meter_id": np.asarray(res["meter_id"], np.int32),
                             "ts": np.asarray(res["ts"], "datetime64[us]"),
                             "value": np.asarray(res["value"], np.float64),
                             "quality": np.asarray(res["quality"], np.uint8)})

    def quality_counts(self, meter_ids, start=None, end=None) -> dict[int, dict[int, int]]:
        """Readings per quality code per meter in [start, end) (the data-quality appendix)."""
        where, params = _range("ts", start, end, _ids(meter_ids))
        rows = self.ws.cursor().execute(
            f"SELECT meter_id, quality, count(*) FROM readings WHERE {where} "
            "GROUP BY meter_id, quality", params).fetchall()
        out: dict[int, dict[int, int]] = {}
        for meter_id, quality, n in rows:
            out.setdefault(int(meter_id), {})[int(quality)] = int(n)
        return out

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
        return len(rows), [Gap(meter_id, cast(datetime, _utc(a)), cast(datetime, _utc(b))) for a, b in rows[:limit]]

    # -- rollups --------------------------------------------------------------------------------
    def rollup(self, level: Level | str, meter_ids, start=None, end=None) -> pl.DataFrame:
        """Buckets of `level` for the meters in [start, end).

        Columns: meter_id, bucket (UTC datetime for 15min/hour, local date for day/month),
        amount, peak, mean, vmin, vmax, n, covered_s, estimated_s, coverage (0..1).
        """
        level = Level.parse(level) if isinstance(level, str) else level
        ids = _ids(meter_ids)
        wanted = set(ids)
        formulas = {m.id: m.formula for m in self.ws.meters() if m.formula and m.id in wanted}
        if formulas:
            rest = [i for i in ids if i not in formulas]
            measured = self.rollup(level, rest, start, end) if rest else None
            computed = [virtual_rollup(self.rollup(level, [t for t, _ in terms], start, end),
                                       meter_id, terms, whole=level is not Level.QUARTER)
                        for meter_id, terms in ((i, formula_terms(self.ws, f))
                                                for i, f in formulas.items())]
            frames = [f for f in (measured, *computed) if f is not None]
            import polars as pl

            return pl.concat(frames, how="vertical_relaxed").sort("meter_id", "bucket") \
                if len(frames) > 1 else frames[0]
        return self._frame(level, self.measured_buckets(level, ids, start, end))

    def measured_buckets(self, level: Level, meter_ids, start=None, end=None) -> Buckets:
        """Rows of measured (not virtual) meters in [start, end), sorted by meter and key."""
        ids = _ids(meter_ids)
        lo, hi = _key_bound(level, start), _key_bound(level, end)
        where, params = _range("bucket", _as_param(level, lo), _as_param(level, hi), ids)
        state = self.ws.state
        fields = ", ".join(BUCKET_FIELDS)
        # no ORDER BY: rows are merged with the held ones and sorted below (when they are not
        # already, which a check finds in one pass) — a sort in SQL cost 40 % of the read
        sql = (f"SELECT meter_id, {key_sql(level)} AS key, {fields} FROM {ROLLUP_TABLES[level]} "
               f"WHERE {where}")
        with state.lock:  # closed rows are stored and open rows held: read both at one moment
            held = state.rows(level, ids)
            stored = buckets_from_numpy(self.ws.cursor().execute(sql, params).fetchnumpy())
        held = held.take(_in_range(held.key, lo, hi))
        return Buckets.concat([with_stored_peak(level, stored), held]).sorted()

    def summed(self, level: Level, meter_ids, start=None, end=None,
               min_coverage: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
        """(keys, totals): per quarter or hour, the sum of the measured meters' amounts where
        every meter has one covered at least `min_coverage` of the bucket — a site total as one
        aggregate in SQL, the open (held) buckets added to the stored ones."""
        if level.keyed_by_date:
            raise ValueError(f"summed: {level.name.lower()} buckets are local days, not steps")
        ids = sorted(set(_ids(meter_ids)))
        lo, hi = _key_bound(level, start), _key_bound(level, end)
        where, params = _range("bucket", _as_param(level, lo), _as_param(level, hi), ids)
        least = min_coverage * (900 if level is Level.QUARTER else 3600)
        # summed in whole millionths (what is stored: frames.DECIMALS), so the total is exact
        # and the same whatever order DuckDB's threads add in
        sql = (f"SELECT {key_sql(level)} AS key, sum(round(amount * 1e6)::BIGINT) / 1e6 "
               "AS total, count(*) AS n "
               f"FROM {ROLLUP_TABLES[level]} WHERE {where} AND amount IS NOT NULL "
               "AND NOT isnan(amount) AND covered_s >= ? GROUP BY bucket")
        state = self.ws.state
        with state.lock:
            held = state.rows(level, ids)
            res = self.ws.cursor().execute(sql, [*params, least]).fetchnumpy()
        held = held.take(_in_range(held.key, lo, hi) & np.isfinite(held.amount)
                         & (held.covered_s >= least))
        keys = np.concatenate([np.asarray(res["key"], np.int64), held.key])
        uniq, where_in = np.unique(keys, return_inverse=True)
        totals = np.bincount(where_in, np.concatenate([np.asarray(res["total"], float),
                                                       held.amount]), len(uniq))
        counts = np.bincount(where_in, np.concatenate([np.asarray(res["n"], float),
                                                       np.ones(len(held))]), len(uniq))
        every = counts == len(ids)
        return uniq[every], totals[every]

    def coverage(self, level: Level, rows: Buckets) -> np.ndarray:
        """Each row's covered share of its bucket (0..1; a local day can be 23 or 25 h)."""
        length = np.empty(len(rows))
        for cal, sel in self.ws.state.calendars.groups(rows.meter):
            length[sel] = bucket_length_s(level, rows.key[sel], cal)
        return np.clip(rows.covered_s / np.maximum(length, 1), 0.0, 1.0)

    def _frame(self, level: Level, rows: Buckets) -> pl.DataFrame:
        import polars as pl

        n = rows.n
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(n > 0, rows.vsum / n, np.nan)
        unit = "datetime64[D]" if level.keyed_by_date else "datetime64[us]"
        return pl.DataFrame({
            "meter_id": rows.meter, "bucket": rows.key.astype(unit), "amount": rows.amount,
            "peak": rows.peak, "mean": mean, "vmin": rows.vmin, "vmax": rows.vmax,
            "n": n.astype(np.int64), "covered_s": rows.covered_s,
            "estimated_s": rows.estimated_s,
            "coverage": self.coverage(level, rows),
        }, nan_to_null=True)


def formula_terms(ws, formula: str) -> list[tuple[int, float]]:
    """(meter id, scale) of each term of a stored formula (terms are kept by uid)."""
    by_uid = {m.uid: m.id for m in ws.meters()}
    return [(by_uid[t["uid"]], float(t["scale"])) for t in json.loads(formula)
            if t["uid"] in by_uid]


def virtual_rollup(terms_frame: pl.DataFrame, meter_id: int,
                   terms: list[tuple[int, float]], whole: bool = False) -> pl.DataFrame:
    """A virtual meter's buckets from its terms' buckets: a bucket exists only where every
    term has one (a term missing is the result missing, never a zero); amount and mean are the
    scaled sums (a null in a term is a null sum), coverage the least of the terms'; a peak, min
    or max is not a sum: unknown. `whole`: an hour, day or month where a term is only partly
    covered has no amount (PV missing half a day is not half the day's consumption)."""
    import polars as pl

    if not terms or not len(terms_frame):
        return terms_frame.clear()
    ids = terms_frame["meter_id"].to_numpy()
    keys = terms_frame["bucket"].to_physical().to_numpy()
    cols = {c: terms_frame[c].to_numpy().astype(float) for c in
            ("amount", "mean", "n", "covered_s", "estimated_s", "coverage")}
    parts = [np.flatnonzero(ids == term_id) for term_id, _ in terms]
    common = keys[parts[0]]
    for rows in parts[1:]:
        common = np.intersect1d(common, keys[rows], assume_unique=True)
    picked = [rows[np.searchsorted(keys[rows], common)] for rows in parts]
    amount = sum(cols["amount"][r] * scale for r, (_, scale) in zip(picked, terms))
    mean = sum(cols["mean"][r] * scale for r, (_, scale) in zip(picked, terms))

    def least(name):
        return np.min([cols[name][r] for r in picked], axis=0)

    if whole:
        partial = ~(np.nan_to_num(least("coverage")) >= 0.999)
        amount, mean = np.where(partial, np.nan, amount), np.where(partial, np.nan, mean)

    none = np.full(len(common), np.nan)
    out = pl.DataFrame({
        "meter_id": np.full(len(common), meter_id, np.int32),
        "bucket": pl.Series(common).cast(terms_frame["bucket"].dtype), "amount": amount,
        "peak": none, "mean": mean, "vmin": none, "vmax": none,
        "n": least("n").astype(np.int64), "covered_s": least("covered_s"),
        "estimated_s": np.max([cols["estimated_s"][r] for r in picked], axis=0),
        "coverage": least("coverage")}, nan_to_null=True)
    return out.select(terms_frame.columns)


def _in_range(key: np.ndarray, lo, hi) -> np.ndarray:
    keep = np.ones(len(key), bool)
    if lo is not None:
        keep &= key >= lo
    if hi is not None:
        keep &= key < hi
    return keep


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


def _key_bound(level: Level, value) -> int | None:
    """A bound as a rollup key: µs UTC (naive datetimes are UTC) or a local day number."""
    if value is None:
        return None
    if level.keyed_by_date:
        day = value.date() if isinstance(value, datetime) else value
        return (day - date(1970, 1, 1)).days
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return int(value.timestamp() * US)


def _as_param(level: Level, key: int | None):
    """A key as the value DuckDB compares with the bucket column (so zone maps prune)."""
    if key is None:
        return None
    if level.keyed_by_date:
        return date(1970, 1, 1) + timedelta(days=key)
    return datetime(1970, 1, 1) + timedelta(microseconds=key)


def _frame(cur, sql: str, params) -> pl.DataFrame:
    return frame_of(cur.sql(sql, params=params).to_arrow_table())


def _utc(value) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, (int, np.integer)):
        return datetime.fromtimestamp(int(value) / US, tz=timezone.utc)
    return value.replace(tzinfo=timezone.utc)
