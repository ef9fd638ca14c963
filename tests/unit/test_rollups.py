"""Rollups: incremental batches give the one-pass result; totals agree across levels."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from energize_desktop.core.incremental import (
    Batch,
    OpenState,
    advance,
    catch_up,
    one_pass,
    open_rows,
)
from energize_desktop.core.rollup import Calendars, Level
from energize_desktop.core.semantics import (
    SEM_CUMULATIVE,
    SEM_INSTANTANEOUS,
    SEM_INTERVAL,
)
from energize_desktop.core.timezones import MINUTE_US, US, calendar
from tests.helpers import params, stack

# Two days around the end of British Summer Time (2025-10-26).
START = 1_761_350_400 * US  # 2025-10-25T00:00Z
CALS = Calendars.single(calendar("Europe/London"), 4)
PARAMS = stack(params(SEM_CUMULATIVE, interval_s=300), params(SEM_INTERVAL, interval_s=300),
               params(SEM_INSTANTANEOUS, interval_s=300, gap_s=1800),
               params(SEM_INSTANTANEOUS, additive=False, interval_s=300))


@st.composite
def series(draw):
    meters, times, values = [], [], []
    for m in range(4):
        steps = draw(st.lists(st.sampled_from([1, 5, 5, 5, 7, 60, 200]), min_size=1,
                              max_size=80))
        minutes = np.cumsum(steps)
        v = np.array(draw(st.lists(st.floats(0, 20), min_size=len(steps),
                                   max_size=len(steps))))
        if m == 0:
            v = np.cumsum(v)  # a register
        meters.append(np.full(len(steps), m, np.int32))
        times.append(START + minutes * MINUTE_US)
        values.append(v)
    ts = np.concatenate(times)
    return Batch(np.concatenate(meters), ts, np.concatenate(values),
                 np.zeros(len(ts), np.uint8))


def incremental(batch: Batch, cuts: list[int]) -> list:
    """Feed the series time-slice by time-slice, as live acquisition would."""
    state = OpenState.empty(4)
    edges = sorted({0, *(c % (len(batch) + 1) for c in cuts), len(batch)})
    order = np.argsort(batch.ts, kind="stable")
    for a, b in zip(edges, edges[1:]):
        part = np.sort(order[a:b])
        if len(part):
            state = advance(state, batch.take(part), PARAMS)
            if b % 3 == 0:
                state = catch_up(state, CALS)
    state = catch_up(state, CALS)
    return [open_rows(state, level, CALS).sorted() for level in Level]


@settings(max_examples=60, deadline=None)
@given(series(), st.lists(st.integers(0, 400), max_size=8))
def test_incremental_equals_one_pass(batch, cuts):
    expected = one_pass(batch, PARAMS, CALS)
    got = incremental(batch, cuts)
    for level in Level:
        e, g = expected[level], got[level]
        assert e.meter.tolist() == g.meter.tolist(), level
        assert e.key.tolist() == g.key.tolist(), level
        np.testing.assert_allclose(g.values, e.values, rtol=1e-9, atol=1e-9, equal_nan=True)


@settings(max_examples=60, deadline=None)
@given(series())
def test_every_level_holds_the_same_total(batch):
    rows = one_pass(batch, PARAMS, CALS)
    totals = [np.nansum(r.amount) for r in rows]
    np.testing.assert_allclose(totals, totals[0], rtol=1e-9, atol=1e-9)
    counts = [r.n.sum() for r in rows]
    assert counts == [len(batch)] * 4


def test_fall_back_day_has_25_hour_buckets_and_full_coverage():
    ts = START + 23 * 3600 * US + np.arange(0, 26 * 60, 5) * MINUTE_US  # 2025-10-25T23:00Z on
    n = len(ts)
    batch = Batch(np.ones(n, np.int32), ts, np.full(n, 0.5), np.zeros(n, np.uint8))
    hours, days = one_pass(batch, PARAMS, CALS)[1:3]
    day = days.take(days.key == np.datetime64("2025-10-26", "D").astype(np.int64))
    assert day.covered_s[0] == 25 * 3600
    assert day.amount[0] == 0.5 * 25 * 12
    in_day = (hours.key >= START + 86_400 * US - 3600 * US) & (hours.key < START + 86400 * US * 2)
    assert in_day.sum() == 25


def test_counter_gap_is_never_zero_filled():
    ts = START + np.array([0, 5, 10, 300, 305]) * MINUTE_US
    batch = Batch(np.zeros(5, np.int32), ts, np.array([0, 1, 2, 50, 51.0]),
                  np.zeros(5, np.uint8))
    quarters = one_pass(batch, PARAMS, CALS)[0]
    # the 48 kWh across the 290-minute gap is spread over it and marked estimated
    spread = quarters.take(quarters.estimated_s > 0)
    assert len(spread) >= 19 and np.nansum(spread.amount) > 47
    assert (np.nan_to_num(quarters.amount) >= 0).all()
