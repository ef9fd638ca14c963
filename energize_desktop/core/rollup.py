"""Rollups: quarter-hour, hour, day and month aggregates, built by segmented reductions.

A quarter hour is built from intervals (split pro rata where an interval crosses a boundary) and
from samples (min, max, sum, count of raw values). Each higher level combines the level below.
Every column combines associatively, so partial buckets from successive batches merge into the
same result as one pass over all the data: this is what keeps rollups current incrementally.

Rows hold their numbers in one float matrix so that a merge is a handful of numpy calls whatever
the number of columns: live batches are small and per-call overhead is what costs.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from energize_desktop.core.ordering import sort_order
from energize_desktop.core.semantics import Intervals
from energize_desktop.core.timezones import (
    HOUR_US,
    QUARTER_US,
    US,
    LocalCalendar,
    month_of_days,
)

# Column order groups the merge rules: 0-1 sum (NaN when all NaN), 2-4 sum, 5-6 max, 7 min.
COLUMNS = ("amount", "vsum", "covered_s", "estimated_s", "n", "peak", "vmax", "vmin")
_COL = {name: i for i, name in enumerate(COLUMNS)}
AMOUNT, VSUM, COVERED, ESTIMATED, N, PEAK, VMAX, VMIN = range(8)
QUARTERS_PER_HOUR = HOUR_US // QUARTER_US


MIN_COVERAGE = 0.5  # a bucket less covered than this is a gap in a series, not a low value

class Level(IntEnum):
    QUARTER = 0
    HOUR = 1
    DAY = 2
    MONTH = 3

    @property
    def label(self) -> str:
        return ("15min", "hour", "day", "month")[self]

    @classmethod
    def parse(cls, text: str) -> "Level":
        names = {"15min": cls.QUARTER, "15m": cls.QUARTER, "quarter": cls.QUARTER,
                 "hour": cls.HOUR, "hourly": cls.HOUR, "1h": cls.HOUR, "day": cls.DAY,
                 "daily": cls.DAY, "month": cls.MONTH, "monthly": cls.MONTH}
        try:
            return names[text.lower()]
        except KeyError:
            raise ValueError(f"unknown resolution {text!r}; expected 15min, hour, day or month") \
                from None

    @property
    def keyed_by_date(self) -> bool:
        return self >= Level.DAY


@dataclass(frozen=True, slots=True)
class Buckets:
    """Rollup rows. `key` is µs UTC for quarters/hours and a local day number for days/months.

    amount: additive quantity in the meter's amount unit (NaN when none was measured);
    peak: highest quarter-hour rate (amount per hour); covered_s / estimated_s: seconds with a
    known / an estimated amount (or with samples, for non-additive channels); vmin, vmax, vsum,
    n: statistics of raw sample values in the meter's unit.
    """

    meter: np.ndarray  # int32
    key: np.ndarray  # int64
    values: np.ndarray  # float64, shape (rows, 8), columns as COLUMNS

    def __len__(self):
        return len(self.meter)

    def __getattr__(self, name):
        try:
            return self.values[:, _COL[name]]
        except KeyError:
            raise AttributeError(name) from None

    @staticmethod
    def of(meter, key, **cols) -> "Buckets":
        """Build rows from named columns; columns not given are NaN (statistics) or 0 (sums)."""
        n = len(meter)
        values = np.empty((n, len(COLUMNS)))
        for i, name in enumerate(COLUMNS):
            default = 0.0 if i in (COVERED, ESTIMATED, N) else np.nan
            values[:, i] = cols.get(name, default)
        return Buckets(np.asarray(meter, np.int32), np.asarray(key, np.int64), values)

    def take(self, index) -> "Buckets":
        return Buckets(self.meter[index], self.key[index], self.values[index])

    def with_column(self, column: int, data) -> "Buckets":
        values = self.values.copy()
        values[:, column] = data
        return Buckets(self.meter, self.key, values)

    @staticmethod
    def empty() -> "Buckets":
        return Buckets(np.zeros(0, np.int32), np.zeros(0, np.int64), np.zeros((0, len(COLUMNS))))

    @staticmethod
    def concat(parts) -> "Buckets":
        parts = [p for p in parts if len(p)]
        if not parts:
            return Buckets.empty()
        if len(parts) == 1:
            return parts[0]
        return Buckets(np.concatenate([p.meter for p in parts]),
                       np.concatenate([p.key for p in parts]),
                       np.concatenate([p.values for p in parts]))

    def sorted(self) -> "Buckets":
        order = sort_order(self.meter, self.key, QUARTER_US)
        return self if order is None else self.take(order)


# -- segmented reductions ---------------------------------------------------------------------
def reduce(rows: Buckets, parent_key: np.ndarray | None = None) -> Buckets:
    """Combine rows that share (meter, parent_key): the one merge rule for every level."""
    key = rows.key if parent_key is None else parent_key
    if not len(rows):
        return Buckets.empty()
    meter, values = rows.meter, rows.values
    order = sort_order(meter, key, QUARTER_US)
    if order is not None:
        meter, key, values = meter[order], key[order], values[order]
    starts = _runs(meter, key)
    if len(starts) == len(meter):
        return Buckets(meter, key, values)
    out = np.empty((len(starts), len(COLUMNS)))
    head = values[:, :PEAK]
    out[:, :PEAK] = np.add.reduceat(np.where(np.isnan(head), 0.0, head), starts, axis=0)
    some = np.fmax.reduceat(values[:, :COVERED], starts, axis=0)
    out[:, :COVERED] = np.where(np.isnan(some), np.nan, out[:, :COVERED])
    out[:, PEAK:VMIN] = np.fmax.reduceat(values[:, PEAK:VMIN], starts, axis=0)
    out[:, VMIN] = np.fmin.reduceat(values[:, VMIN], starts)
    return Buckets(meter[starts], key[starts], out)


# -- quarter hours from raw -------------------------------------------------------------------
def split_by_quarter(iv: Intervals) -> tuple[Intervals, np.ndarray]:
    """Cut intervals at quarter-hour boundaries, sharing the amount pro rata by time."""
    first = iv.start - np.mod(iv.start, QUARTER_US)
    last = (iv.end - 1) - np.mod(iv.end - 1, QUARTER_US)
    count = (last - first) // QUARTER_US + 1
    if not len(iv) or count.max() == 1:
        return iv, first
    idx = np.repeat(np.arange(len(iv)), count)
    step = np.arange(len(idx)) - np.repeat(np.cumsum(count) - count, count)
    bucket = first[idx] + step * QUARTER_US
    start = np.maximum(iv.start[idx], bucket)
    end = np.minimum(iv.end[idx], bucket + QUARTER_US)
    share = (end - start) / (iv.end[idx] - iv.start[idx])
    split = Intervals(iv.meter[idx], start, end, iv.amount[idx] * share, iv.estimated[idx])
    return split, bucket


def _runs(meter: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Start index of each run of equal (meter, key) in rows sorted by them."""
    change = np.empty(len(meter), dtype=bool)
    change[0] = True
    np.not_equal(meter[1:], meter[:-1], out=change[1:])
    change[1:] |= key[1:] != key[:-1]
    return np.flatnonzero(change)


def quarters_from_intervals(iv: Intervals) -> Buckets:
    # Quarter-hour buckets are the same in UTC and local time: every zone's offset is a
    # multiple of 15 minutes (Nepal +05:45, Chatham +12:45 included).
    if not len(iv):
        return Buckets.empty()
    piece, bucket = split_by_quarter(iv)
    order = sort_order(piece.meter, bucket, QUARTER_US)
    if order is not None:
        piece = Intervals(*(getattr(piece, f)[order] for f in Intervals.__slots__))
        bucket = bucket[order]
    seconds = (piece.end - piece.start) / US
    known = np.isfinite(piece.amount)
    starts = _runs(piece.meter, bucket)
    amount = np.add.reduceat(np.where(known, piece.amount, 0.0), starts)
    any_known = np.logical_or.reduceat(known, starts)
    return Buckets.of(
        piece.meter[starts], bucket[starts],
        amount=np.where(any_known, amount, np.nan),
        covered_s=np.add.reduceat(np.where(known, seconds, 0.0), starts),
        estimated_s=np.add.reduceat(np.where(known & piece.estimated, seconds, 0.0), starts))


def quarters_from_samples(meter, ts, value, interval_us, additive) -> Buckets:
    """Sample statistics per quarter hour, and the coverage of non-additive channels.

    A sample of a non-additive channel covers one nominal interval from its time, split across
    quarters like an interval, so an hourly temperature covers its whole hour while its
    statistics stay in the quarter it was taken in. Additive meters get coverage from intervals.
    `meter`/`ts` are sorted.
    """
    if not len(meter):
        return Buckets.empty()
    key = ts - np.mod(ts, QUARTER_US)
    starts = _runs(meter, key)
    count = np.diff(np.append(starts, len(meter)))
    stats = Buckets.of(meter[starts], key[starts], vmin=np.minimum.reduceat(value, starts),
                       vmax=np.maximum.reduceat(value, starts),
                       vsum=np.add.reduceat(value, starts), n=count.astype(np.float64))
    level = ~additive[meter]
    if not level.any():
        return stats
    n = int(level.sum())
    width = interval_us if np.isscalar(interval_us) else interval_us[level]
    span = Intervals(meter[level], ts[level], ts[level] + width, np.zeros(n),
                     np.zeros(n, bool))
    piece, bucket = split_by_quarter(span)
    cover = reduce(Buckets.of(piece.meter, bucket, covered_s=(piece.end - piece.start) / US))
    return merge(stats, cover)


def quarters_of_aligned(meter, ts, value, estimated, factor: float, interval_us: int):
    """Quarter hours of interval-energy readings that each sit inside one quarter hour.

    The common bulk case (utility interval data, 1-15 minute logs): amounts and sample
    statistics share one set of runs, a third of the work of the general path. Returns None
    when some interval crosses a quarter-hour boundary.
    """
    offset = np.mod(ts, QUARTER_US)
    if interval_us > QUARTER_US or offset.max() > QUARTER_US - interval_us:
        return None
    key = ts - offset
    starts = _runs(meter, key)
    count = np.diff(np.append(starts, len(meter))).astype(np.float64)
    vsum = np.add.reduceat(value, starts)
    negative = value < 0
    if negative.any():  # negative interval energy is not energy: that time is not covered
        good = (~negative).astype(np.float64)
        known = np.add.reduceat(good, starts)
        amount = np.add.reduceat(np.where(negative, 0.0, value), starts) * factor
        amount = np.where(known > 0, amount, np.nan)
    else:
        known, amount = count, vsum * factor
    est_s = np.add.reduceat((estimated & ~negative).astype(np.float64), starts) \
        if estimated.any() else 0.0
    seconds = interval_us / US
    return with_quarter_peak(Buckets.of(
        meter[starts], key[starts], amount=amount, covered_s=known * seconds,
        estimated_s=est_s * seconds, vmin=np.minimum.reduceat(value, starts),
        vmax=np.maximum.reduceat(value, starts), vsum=vsum, n=count))


def quarters(intervals: Intervals, samples: Buckets) -> Buckets:
    """Quarter-hour rows of a batch, each with its own average rate as its peak."""
    return with_quarter_peak(merge(quarters_from_intervals(intervals), samples))


def merge(a: Buckets, b: Buckets) -> Buckets:
    """reduce(concat([a, b])) for two reduced row sets, without sorting when keys line up."""
    if len(a) != len(b) or not (np.array_equal(a.meter, b.meter) and np.array_equal(a.key, b.key)):
        return reduce(Buckets.concat([a, b]))
    x, y = a.values, b.values
    out = np.empty_like(x)
    sums = np.where(np.isnan(x[:, :PEAK]), 0.0, x[:, :PEAK]) + \
        np.where(np.isnan(y[:, :PEAK]), 0.0, y[:, :PEAK])
    none = np.isnan(x[:, :COVERED]) & np.isnan(y[:, :COVERED])
    out[:, :PEAK] = sums
    out[:, :COVERED] = np.where(none, np.nan, sums[:, :COVERED])
    out[:, PEAK:VMIN] = np.fmax(x[:, PEAK:VMIN], y[:, PEAK:VMIN])
    out[:, VMIN] = np.fmin(x[:, VMIN], y[:, VMIN])
    return Buckets(a.meter, a.key, out)


def with_quarter_peak(q: Buckets) -> Buckets:
    """A quarter hour's peak is its own average rate (amount per hour)."""
    return q.with_column(PEAK, q.amount * QUARTERS_PER_HOUR)


# -- calendars and parents --------------------------------------------------------------------
class Calendars:
    """The local calendar of each meter (by dense meter index), grouped for vectorised work."""

    def __init__(self, calendars: list[LocalCalendar], index: np.ndarray):
        self.calendars = calendars
        self.index = np.asarray(index, np.int32)  # meter -> position in calendars

    @staticmethod
    def single(cal: LocalCalendar, capacity: int) -> "Calendars":
        return Calendars([cal], np.zeros(capacity, np.int32))

    def of(self, meter: int) -> LocalCalendar:
        return self.calendars[self.index[meter]]

    def groups(self, meter: np.ndarray):
        """(calendar, selection) pairs covering `meter`; one pair when there is one site."""
        if len(self.calendars) == 1:
            yield self.calendars[0], slice(None)
            return
        which = self.index[meter]
        for i in np.unique(which):
            yield self.calendars[i], which == i


def parent_keys(rows: Buckets, level: Level, cals: Calendars) -> np.ndarray:
    """Key of each row's bucket at `level` (the level above the rows' own)."""
    out = np.empty(len(rows), dtype=np.int64)
    for cal, sel in cals.groups(rows.meter):
        k = rows.key[sel]
        if level is Level.HOUR:
            out[sel] = cal.floor(k, HOUR_US)
        elif level is Level.DAY:
            out[sel] = cal.local_days(k)
        else:
            out[sel] = month_of_days(k)
    return out


def roll_up(rows: Buckets, level: Level, cals: Calendars) -> Buckets:
    if not len(rows):
        return Buckets.empty()
    return reduce(rows, parent_keys(rows, level, cals))


def bucket_length_s(level: Level, keys: np.ndarray, cal: LocalCalendar) -> np.ndarray:
    if level is Level.QUARTER:
        return np.full(len(keys), QUARTER_US / US)
    if level is Level.HOUR:
        return np.full(len(keys), HOUR_US / US)
    if level is Level.DAY:
        return cal.day_length_us(keys) / US
    return cal.month_length_us(keys) / US
