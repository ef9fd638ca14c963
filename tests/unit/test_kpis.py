"""Key figures on a load whose answers are known by construction."""

import numpy as np
import pytest

from energize_desktop.analytics.kpis import eui, kpis
from energize_desktop.analytics.series import on_grid

MONDAY = np.datetime64("2025-01-06T00:00", "us").astype(np.int64)


def load(weeks=2, step_s=900):
    """10 kW at night and weekends, 50 kW Mon-Fri 08-18, one 15-minute 90 kW spike."""
    n = weeks * 7 * 86400 // step_s
    t = np.arange(n) * step_s
    hour, day = (t // 3600) % 24, t // 86400
    kw = np.where((hour >= 8) & (hour < 18) & (day % 7 < 5), 50.0, 10.0)
    kw[4 * 24 * 2 + 4 * 12] = 90.0  # Wednesday 12:00-12:15, week 1
    return on_grid("Main", "kWh", MONDAY + t * 1_000_000, kw * step_s / 3600, step_s)


def test_demand_baseload_shares_and_ratio():
    k = kpis(load(), demand_window_min=30)
    assert k.peak_fixed_kw == pytest.approx(90.0)
    assert k.peak_rolling_kw == pytest.approx(70.0)  # 30-min window: (90 + 50) / 2
    assert k.baseload_kw == pytest.approx(10.0)
    weekday_day = 10 * 50 + 14 * 10  # kWh
    weekend_day = 24 * 10
    total = 2 * (5 * weekday_day + 2 * weekend_day) + 40 * 0.25
    assert k.energy == pytest.approx(total)
    assert k.weekend_share == pytest.approx(2 * 2 * weekend_day / total)
    assert k.after_hours_share == pytest.approx(2 * 5 * 14 * 10 / total)
    assert k.weekday_weekend_ratio == pytest.approx((weekday_day + 1) / weekend_day, rel=0.01)
    assert k.load_factor == pytest.approx(k.mean_kw / 90.0) and k.coverage == 1.0


def test_a_gap_lowers_coverage_not_energy_to_zero():
    s = load()
    v = s.values.copy()
    v[:96] = np.nan  # the first Monday missing
    k = kpis(on_grid("Main", "kWh", s.ts_us, v, 900))
    assert k.coverage == pytest.approx(1 - 96 / len(v)) and k.baseload_kw == pytest.approx(10)


def test_eui_site_and_source_with_the_ratio_named():
    e = eui(420_000, 4200)
    assert e["site_kwh_m2"] == pytest.approx(100.0)
    assert e["site_kbtu_ft2"] == pytest.approx(100 * 3.412141633 * 0.09290304)
    assert e["source_kwh_m2"] == pytest.approx(280.0) and "ENERGY STAR" in e["ratio_source"]
    with pytest.raises(ValueError, match="floor area"):
        eui(1, 0)
