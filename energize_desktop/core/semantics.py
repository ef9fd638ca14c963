"""From raw readings to intervals of energy (or volume), for all three meter semantics at once.

Inputs are column arrays sorted by (meter, ts); `prev_ts`/`prev_value` carry each meter's last
stored reading so a batch continues where the previous one stopped. Outputs are intervals
[start, end) with an amount in the meter's canonical unit. Promises, tested with hypothesis:

* an amount is never negative: a counter that goes down wrapped (rollover) or was reset;
* a reset never becomes a spike: the interval across it is unknown (NaN), a one-interval gap;
* a gap is a gap: power is not integrated across more than the meter's maximum gap, and a
  counter delta across a long gap is spread over it and flagged estimated, never zero-filled.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from energize_desktop.core.timezones import US

NO_TS = np.iinfo(np.int64).min  # 'no previous reading'

SEM_CUMULATIVE, SEM_INTERVAL, SEM_INSTANTANEOUS = 0, 1, 2


@dataclass(frozen=True, slots=True)
class MeterParams:
    """Per-meter arithmetic parameters, as arrays indexed by the meter's dense index."""

    semantics: np.ndarray  # int8: SEM_*
    factor: np.ndarray  # float64: raw value × factor = canonical amount (or rate for power)
    additive: np.ndarray  # bool: does the meter yield an amount at all
    interval_us: np.ndarray  # int64
    gap_us: np.ndarray  # int64
    rollover: np.ndarray  # float64, NaN when unknown
    max_rate: np.ndarray  # float64 canonical amount per hour, NaN when unset


@dataclass(frozen=True, slots=True)
class Intervals:
    meter: np.ndarray  # int32
    start: np.ndarray  # int64 µs
    end: np.ndarray  # int64 µs
    amount: np.ndarray  # float64, NaN = unknown
    estimated: np.ndarray  # bool

    def __len__(self):
        return len(self.meter)

    @staticmethod
    def empty() -> "Intervals":
        return Intervals(np.zeros(0, np.int32), np.zeros(0, np.int64), np.zeros(0, np.int64),
                         np.zeros(0), np.zeros(0, bool))

    @staticmethod
    def concat(parts: list["Intervals"]) -> "Intervals":
        parts = [p for p in parts if len(p)]
        if not parts:
            return Intervals.empty()
        if len(parts) == 1:
            return parts[0]
        cols = [np.concatenate([getattr(p, f) for p in parts]) for f in Intervals.__slots__]
        order = np.lexsort((cols[1], cols[0]))  # rare: batches that mix semantics
        return Intervals(*(c[order] for c in cols))


def previous_of(meter, ts, value, prev_ts, prev_value):
    """Each reading's predecessor (ts, value): the reading before it, or the meter's stored last."""
    first = np.ones(len(meter), dtype=bool)
    first[1:] = meter[1:] != meter[:-1]
    p_ts = np.empty_like(ts)
    p_val = np.empty_like(value)
    p_ts[1:], p_val[1:] = ts[:-1], value[:-1]
    p_ts[first] = prev_ts[meter[first]]
    p_val[first] = prev_value[meter[first]]
    return p_ts, p_val


def per_row(values: np.ndarray, meter: np.ndarray, present: np.ndarray):
    """A per-meter parameter for each row; a scalar when all meters present share it."""
    v = values[present]
    if len(v) and (v == v[0]).all():
        return v[0]
    return values[meter]


def derive_intervals(meter, ts, value, quality, params: MeterParams, prev_ts, prev_value):
    """Intervals of amount for every additive meter in a sorted batch."""
    present = np.unique(meter[_run_starts(meter)])
    codes = params.semantics[present]
    active = params.additive[present]
    estimated_q = quality != 0
    parts = []
    for code, fn in ((SEM_CUMULATIVE, _cumulative), (SEM_INTERVAL, _interval),
                     (SEM_INSTANTANEOUS, _instantaneous)):
        chosen = present[(codes == code) & active]
        if not len(chosen):
            continue
        if len(chosen) == len(present):
            cols = (meter, ts, value, estimated_q)
        else:
            sel = np.isin(meter, chosen)
            cols = (meter[sel], ts[sel], value[sel], estimated_q[sel])
        parts.append(fn(*cols, prev_ts, prev_value, params, chosen))
    return Intervals.concat(parts)


def _run_starts(meter):
    change = np.ones(len(meter), dtype=bool)
    change[1:] = meter[1:] != meter[:-1]
    return np.flatnonzero(change)


def _interval(meter, ts, value, est, prev_ts, prev_value, params, present):
    amount = value * per_row(params.factor, meter, present)
    if (amount < 0).any():
        amount = np.where(amount < 0, np.nan, amount)  # negative interval energy is not energy
    return Intervals(meter, ts, ts + per_row(params.interval_us, meter, present), amount, est)


def _instantaneous(meter, ts, value, est, prev_ts, prev_value, params, present):
    p_ts, p_val = previous_of(meter, ts, value, prev_ts, prev_value)
    has_prev = p_ts != NO_TS
    dt = ts - np.where(has_prev, p_ts, ts)
    ok = has_prev & (dt > 0) & (dt <= per_row(params.gap_us, meter, present))
    rate = (value + p_val) / 2 * per_row(params.factor, meter, present)  # trapezoid, per hour
    amount = rate * dt / (3600 * US)
    return Intervals(meter[ok], p_ts[ok], ts[ok], amount[ok], est[ok])


def _cumulative(meter, ts, value, est, prev_ts, prev_value, params, present):
    p_ts, p_val = previous_of(meter, ts, value, prev_ts, prev_value)
    has_prev = (p_ts != NO_TS) & np.isfinite(p_val)
    dt = ts - np.where(has_prev, p_ts, ts)
    ok = has_prev & (dt > 0)
    m, dt, cur, prev = meter[ok], dt[ok], value[ok], p_val[ok]
    delta = cur - prev
    down = np.flatnonzero(delta < 0)
    if len(down):
        limit = _wrap_limit(m, delta, dt, down, params)
        delta[down] = _rollover_delta(prev[down], cur[down], params.rollover[m[down]], limit)
    amount = delta * per_row(params.factor, m, present)
    limit = per_row(params.max_rate, m, present)
    if not np.isscalar(limit) or np.isfinite(limit):
        implausible = np.isfinite(limit) & (amount > limit * dt / (3600 * US))
        amount = np.where(implausible, np.nan, amount)
    long_gap = dt > per_row(params.gap_us, m, present)
    return Intervals(m, p_ts[ok], ts[ok], amount, est[ok] | long_gap)


def _wrap_limit(m, delta, dt, down, params) -> np.ndarray:
    """Largest believable consumption across each downward step, in raw register units.

    A meter's declared maximum power decides when set. Otherwise the meter's own typical
    consumption in this batch (median positive delta per second, at least three of them) times
    ten; with too little history, NaN (the register-range rule in _rollover_delta applies).
    """
    out = np.full(len(down), np.nan)
    factor = params.factor[m[down]]
    rate_limit = params.max_rate[m[down]]  # amount per hour
    declared = np.isfinite(rate_limit)
    out[declared] = (rate_limit * dt[down] / (3600 * US) / factor)[declared]
    for meter in np.unique(m[down][~declared]):
        mine = (m == meter) & (delta > 0)
        if mine.sum() >= 3:
            typical = np.median(delta[mine] / dt[mine])
            rows = (m[down] == meter) & ~declared
            out[rows] = 10 * typical * dt[down][rows]
    return out


def _rollover_delta(prev, cur, rollover, limit):
    """Delta across a wrap of the register, or NaN when the drop looks like a reset.

    With a declared rollover R the register counted prev → R → 0 → cur. Without one, a counter
    in the top 10 % of a power-of-ten range (99 950.2 → 1.3 on a 5-digit display) is taken to
    have wrapped at that power of ten. Either way the wrap must be believable: under `limit`
    (see _wrap_limit) or, when that is unknown, under 1 % of the register's range. Anything
    else is a reset: the interval's energy is unknown (NaN), never the jump.
    """
    declared = np.isfinite(rollover)
    with np.errstate(divide="ignore", invalid="ignore"):
        magnitude = np.where(prev > 0, np.ceil(np.log10(np.maximum(prev, 1e-300))), 0.0)
        inferred = 10.0 ** magnitude
        inferred = np.where(inferred <= prev, inferred * 10, inferred)
    r = np.where(declared, rollover, inferred)
    wrap = (r - prev) + cur
    near_top = declared | (prev >= 0.9 * r)
    believable = np.where(np.isfinite(limit), wrap <= limit, wrap < 0.01 * r)
    plausible = near_top & (cur >= 0) & (wrap >= 0) & believable
    return np.where(plausible, wrap, np.nan)
