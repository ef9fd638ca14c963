"""Meter semantics: deltas, rollover, resets, integration and gaps (property-based)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from energize_desktop.core.semantics import (
    NO_TS,
    SEM_CUMULATIVE,
    SEM_INSTANTANEOUS,
    SEM_INTERVAL,
    derive_intervals,
)
from energize_desktop.core.timezones import MINUTE_US, US
from tests.helpers import params

START = 1_735_689_600 * US  # 2025-01-01T00:00Z


def derive(values, semantics, ts=None, quality=None, **kw):
    values = np.asarray(values, float)
    ts = START + np.arange(len(values)) * 15 * MINUTE_US if ts is None else np.asarray(ts)
    q = np.zeros(len(values), np.uint8) if quality is None else np.asarray(quality, np.uint8)
    kw.setdefault("interval_s", 900)
    return derive_intervals(np.zeros(len(values), np.int32), ts, values, q,
                            params(semantics, **kw), np.array([NO_TS]), np.array([np.nan]))


consumption = st.lists(st.floats(1.0, 10.0), min_size=4, max_size=60)


@settings(max_examples=200, deadline=None)
@given(consumption, st.floats(0, 99_000), st.sets(st.integers(4, 59), max_size=3))
def test_counter_energy_is_never_negative_and_resets_are_never_spikes(use, start, resets):
    rollover = 100_000.0
    register, values, events = start, [start], set()
    for i, c in enumerate(use, start=1):
        if i in resets:
            register, c = 0.0, None  # meter exchanged: what was used is unknown
            events.add(i - 1)
        else:
            register += c
            if register >= rollover:
                register -= rollover
        values.append(register)
    iv = derive(values, SEM_CUMULATIVE, rollover=rollover)
    amount = iv.amount
    known = np.isfinite(amount)
    assert (amount[known] >= 0).all()
    assert (amount[known] <= 10.0 + 1e-6).all(), "a reset or wrap became a spike"
    normal = [i for i in range(len(use)) if i not in events]
    np.testing.assert_allclose(amount[normal], np.asarray(use)[normal], rtol=1e-9, atol=1e-6)
    assert (~known).sum() <= len(events)


def test_counter_wrap_without_declared_rollover_is_inferred_from_the_display():
    iv = derive([99_980.0, 99_990.0, 99_998.5, 6.5, 15.0], SEM_CUMULATIVE)
    np.testing.assert_allclose(iv.amount, [10, 8.5, 8, 8.5])


def test_counter_reset_from_a_high_register_is_unknown_not_a_jump():
    iv = derive([60_000, 60_010, 60_020, 60_030, 5, 15], SEM_CUMULATIVE, rollover=100_000)
    assert np.isnan(iv.amount[3])
    np.testing.assert_allclose(np.delete(iv.amount, 3), [10, 10, 10, 10])


def test_counter_jump_beyond_max_power_is_a_reset():
    # 15-minute steps at 100 kW max: a 1000 kWh step cannot be consumption.
    iv = derive([0, 10, 1010, 1020], SEM_CUMULATIVE, max_rate=100.0)
    assert np.isnan(iv.amount[1]) and iv.amount[0] == 10 and iv.amount[2] == 10


def test_counter_delta_across_a_long_gap_is_kept_and_flagged_estimated():
    ts = START + np.array([0, 15, 30, 6 * 60, 6 * 60 + 15]) * MINUTE_US
    iv = derive([0, 5, 10, 60, 65], SEM_CUMULATIVE, ts=ts)
    np.testing.assert_allclose(iv.amount, [5, 5, 50, 5])
    assert iv.estimated.tolist() == [False, False, True, False]


def test_interval_energy_rejects_negative_values_as_unknown():
    iv = derive([1.0, -2.0, 3.0], SEM_INTERVAL, factor=0.001)
    assert iv.amount[0] == 0.001 and np.isnan(iv.amount[1]) and iv.amount[2] == 0.003
    assert ((iv.end - iv.start) == 900 * US).all()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 40), st.floats(0, 50)), min_size=2, max_size=50))
def test_power_is_integrated_by_trapezoid_and_never_across_a_gap(steps):
    minutes = np.cumsum([s[0] for s in steps])
    kw = np.array([s[1] for s in steps])
    iv = derive(kw, SEM_INSTANTANEOUS, ts=START + minutes * MINUTE_US, interval_s=300,
                gap_s=900)
    durations = (iv.end - iv.start) / US
    assert (durations <= 900).all()
    expected = [(kw[i] + kw[i + 1]) / 2 * (minutes[i + 1] - minutes[i]) / 60
                for i in range(len(kw) - 1) if minutes[i + 1] - minutes[i] <= 15]
    np.testing.assert_allclose(iv.amount, expected, rtol=1e-9, atol=1e-12)


def test_batches_continue_from_the_stored_last_reading():
    ts = START + np.arange(4) * 15 * MINUTE_US
    p = params(SEM_CUMULATIVE, interval_s=900)
    iv = derive_intervals(np.zeros(2, np.int32), ts[2:], np.array([30.0, 45.0]),
                          np.zeros(2, np.uint8), p, np.array([ts[1]]), np.array([20.0]))
    np.testing.assert_allclose(iv.amount, [10, 15])
    assert iv.start[0] == ts[1]
