"""Keeping rollups current as batches arrive.

Each meter has, at every level, *open* buckets (from the one holding its latest reading onwards)
and *closed* ones before it, which never change again unless late data arrives (the store then
rebuilds from raw). Per batch only quarter hours are merged: the batch's partial quarters join
the open ones and those that closed go to `pending`. Hours, days and months are fed from closed
quarters only, lazily, by `catch_up` (before a flush or a query); the open quarters are rolled
into them at read time by `open_rows`. So a live batch costs one quarter-hour merge, and the
store writes closed rows in large, rare flushes.

Running `advance` once over a whole series from an empty state gives the one-pass result; the
property tests hold the incremental path to it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from energize_desktop.core.rollup import (
    Buckets,
    Calendars,
    Level,
    merge,
    quarters,
    quarters_from_samples,
    quarters_of_aligned,
    reduce,
    roll_up,
    with_quarter_peak,
)
from energize_desktop.core.semantics import (
    NO_TS,
    SEM_INTERVAL,
    MeterParams,
    derive_intervals,
    per_row,
)
from energize_desktop.core.timezones import HOUR_US, QUARTER_US, month_of_days

LEVELS = tuple(Level)
UPPER = (Level.HOUR, Level.DAY, Level.MONTH)


@dataclass(frozen=True, slots=True)
class Batch:
    """Readings sorted by (meter, ts), one per (meter, ts), values finite."""

    meter: np.ndarray  # int32 dense meter index
    ts: np.ndarray  # int64 µs UTC
    value: np.ndarray  # float64
    quality: np.ndarray  # uint8

    def __len__(self):
        return len(self.meter)

    def take(self, index) -> "Batch":
        return Batch(self.meter[index], self.ts[index], self.value[index], self.quality[index])


@dataclass(frozen=True, slots=True)
class OpenState:
    last_ts: np.ndarray  # int64 per meter index, NO_TS when the meter has no reading
    last_value: np.ndarray  # float64
    open_quarters: Buckets  # quarters from each meter's latest one on
    upper: tuple[Buckets, ...]  # open hour, day and month rows fed by closed quarters
    # Chunks are kept as tuples and joined when used: joining per batch would copy all of them.
    pending: tuple[tuple[Buckets, ...], ...]  # closed rows per level, not yet stored
    unfed: tuple[Buckets, ...]  # closed quarters not yet fed to the upper levels
    pending_rows: int = 0  # rows in `pending` and `unfed`, kept to avoid counting per batch

    @staticmethod
    def empty(capacity: int) -> "OpenState":
        e = Buckets.empty()
        return OpenState(np.full(capacity, NO_TS, np.int64), np.full(capacity, np.nan), e,
                         (e, e, e), ((), (), (), ()), ())

    @property
    def capacity(self) -> int:
        return len(self.last_ts)

    def pending_at(self, level: Level) -> Buckets:
        return Buckets.concat(self.pending[level])

    def grown(self, capacity: int) -> "OpenState":
        if capacity <= self.capacity:
            return self
        extra = capacity - self.capacity
        return replace(self, last_ts=np.concatenate([self.last_ts, np.full(extra, NO_TS)]),
                       last_value=np.concatenate([self.last_value, np.full(extra, np.nan)]))

    def without(self, meters: np.ndarray) -> "OpenState":
        """These meters' open rows dropped and their last reading forgotten (for a rebuild)."""
        def keep(b: Buckets) -> Buckets:
            return b.take(~np.isin(b.meter, meters))

        assert not self.pending_rows, "flush before rebuilding"
        return replace(self, open_quarters=keep(self.open_quarters),
                       upper=tuple(keep(b) for b in self.upper)).with_last(
            meters, np.full(len(meters), NO_TS), np.full(len(meters), np.nan))

    def with_last(self, meters, last_ts, last_value) -> "OpenState":
        ts, val = self.last_ts.copy(), self.last_value.copy()
        ts[meters], val[meters] = last_ts, last_value
        return replace(self, last_ts=ts, last_value=val)

    def flushed(self) -> "OpenState":
        return replace(self, pending=((), (), (), ()), pending_rows=0)


def boundary(level: Level, last_ts: np.ndarray, cal) -> np.ndarray:
    """Key of the bucket holding each latest reading: rows before it are closed."""
    if level is Level.QUARTER:
        return last_ts - np.mod(last_ts, QUARTER_US)
    if level is Level.HOUR:
        return cal.floor(last_ts, HOUR_US)
    days = cal.local_days(last_ts)
    return days if level is Level.DAY else month_of_days(days)


def boundaries(level: Level, meter: np.ndarray, last_ts: np.ndarray, cals: Calendars):
    out = np.empty(len(meter), np.int64)
    for cal, sel in cals.groups(meter):
        out[sel] = boundary(level, last_ts[meter[sel]], cal)
    return out


def advance(state: OpenState, batch: Batch, params: MeterParams) -> OpenState:
    """Merge an in-order batch into the open quarters; closed quarters become pending."""
    if not len(batch):
        return state
    rows = _batch_quarters(state, batch, params)
    last = _last_of_each(batch.meter)
    new = state.with_last(batch.meter[last], batch.ts[last], batch.value[last])
    prior = state.open_quarters
    mine = _member(prior.meter, batch.meter[last], state.capacity)
    merged = with_quarter_peak(_merge_open(prior.take(mine), rows))
    bound = new.last_ts[merged.meter]
    is_closed = merged.key < bound - np.mod(bound, QUARTER_US)
    still_open = Buckets.concat([prior.take(~mine), merged.take(~is_closed)]).sorted()
    closed = merged.take(is_closed)
    if not len(closed):
        return replace(new, open_quarters=still_open)
    pending = (state.pending[0] + (closed,),) + state.pending[1:]
    return replace(new, open_quarters=still_open, pending=pending, unfed=state.unfed + (closed,),
                   pending_rows=state.pending_rows + 2 * len(closed))


def _batch_quarters(state: OpenState, batch: Batch, params: MeterParams) -> Buckets:
    present = batch.meter[_last_of_each(batch.meter)]
    factor, interval = params.factor[present], params.interval_us[present]
    if ((params.semantics[present] == SEM_INTERVAL).all() and params.additive[present].all()
            and (factor == factor[0]).all() and (interval == interval[0]).all()):
        rows = quarters_of_aligned(batch.meter, batch.ts, batch.value, batch.quality != 0,
                                   float(factor[0]), int(interval[0]))
        if rows is not None:
            return rows
    iv = derive_intervals(batch.meter, batch.ts, batch.value, batch.quality, params,
                          state.last_ts, state.last_value)
    samples = quarters_from_samples(batch.meter, batch.ts, batch.value,
                                    per_row(params.interval_us, batch.meter, present),
                                    params.additive)
    return quarters(iv, samples)


def _merge_open(prior: Buckets, rows: Buckets) -> Buckets:
    """reduce(concat([prior, rows])) where prior holds a few open rows per meter.

    Open rows usually meet the batch's first quarter of their meter: combine those pairs in
    place instead of re-sorting and re-reducing the whole batch.
    """
    if not len(prior) or not len(rows):
        return reduce(Buckets.concat([prior, rows]))
    ck_rows = _packed(rows)
    ck_prior = _packed(prior)
    at = np.minimum(np.searchsorted(ck_rows, ck_prior), len(rows) - 1)
    hit = ck_rows[at] == ck_prior
    values = rows.values.copy()
    both = merge(Buckets(rows.meter[at[hit]], rows.key[at[hit]], values[at[hit]]),
                 prior.take(hit))
    values[at[hit]] = both.values
    combined = Buckets(rows.meter, rows.key, values)
    if hit.all():
        return combined
    return reduce(Buckets.concat([prior.take(~hit), combined]))


def _packed(rows: Buckets) -> np.ndarray:
    return (rows.meter.astype(np.int64) << 32) | (rows.key // QUARTER_US)


def catch_up(state: OpenState, cals: Calendars) -> OpenState:
    """Feed closed quarters to hours, days and months; their closed rows become pending."""
    if not state.unfed:
        return state
    rows = Buckets.concat(state.unfed).sorted()
    upper, pending = list(state.upper), list(state.pending)
    for i, level in enumerate(UPPER):
        rows = roll_up(rows, level, cals)
        prior = upper[i]
        mine = np.isin(prior.meter, rows.meter)
        merged = reduce(Buckets.concat([prior.take(mine), rows]))
        is_closed = merged.key < boundaries(level, merged.meter, state.last_ts, cals)
        upper[i] = Buckets.concat([prior.take(~mine), merged.take(~is_closed)]).sorted()
        rows = merged.take(is_closed)  # only closed buckets feed the level above
        pending[level] = pending[level] + (rows,)
    count = sum(len(b) for chunks in pending for b in chunks)
    return replace(state, upper=tuple(upper), pending=tuple(pending), unfed=(),
                   pending_rows=count)


def open_rows(state: OpenState, level: Level, cals: Calendars, meters=None) -> Buckets:
    """Rows not in the store at `level`, pending closed and open, for `meters` (or all).

    The state must be caught up."""
    assert not state.unfed, "catch_up before reading open rows"

    def mine(rows: Buckets) -> Buckets:
        if meters is None or not len(rows):
            return rows
        return rows.take(_member(rows.meter, meters, state.capacity))

    pending = mine(state.pending_at(level))
    if level is Level.QUARTER:
        return Buckets.concat([pending, mine(state.open_quarters)])
    rolled = mine(state.open_quarters)
    for up in UPPER[:level]:
        rolled = roll_up(rolled, up, cals)
        if up is level:
            break
        rolled = Buckets.concat([rolled, mine(state.upper[up - 1])])
    live = reduce(Buckets.concat([rolled, mine(state.upper[level - 1])]))
    return Buckets.concat([pending, live])


def one_pass(batch: Batch, params: MeterParams, cals: Calendars) -> list[Buckets]:
    """All rollups of complete series, closed and open together, per level."""
    state = catch_up(advance(OpenState.empty(len(params.semantics)), batch, params), cals)
    return [open_rows(state, level, cals).sorted() for level in LEVELS]


def _member(meter: np.ndarray, of: np.ndarray, capacity: int) -> np.ndarray:
    """np.isin for small dense meter indices, without sorting."""
    mask = np.zeros(capacity, bool)
    mask[of] = True
    return mask[meter]


def _last_of_each(meter: np.ndarray) -> np.ndarray:
    last = np.ones(len(meter), dtype=bool)
    last[:-1] = meter[1:] != meter[:-1]
    return np.flatnonzero(last)
