"""M&V baselines on series with a known truth: the models recover it, the statistics follow
Guideline 14's definitions, savings and their uncertainty come out right, and bad or thin data
gets reasons, not crashes."""

import numpy as np
import pytest

from energize_desktop.analytics import baseline as bl
from energize_desktop.analytics import mv_stats
from energize_desktop.analytics.baseline_daily import fit_daily
from energize_desktop.analytics.savings import Adjustment, avoided_energy
from energize_desktop.analytics.series import on_grid
from energize_desktop.core.errors import ValidationError

HOUR_US = 3_600_000_000
START = np.datetime64("2024-01-01T00:00", "us").astype(np.int64)  # a Monday


def weather(hours, seed=1):
    rng = np.random.default_rng(seed)
    h = np.arange(hours)
    season = 11 - 9 * np.cos(2 * np.pi * (h / 24 - 15) / 365)
    return season + 5 * np.sin(2 * np.pi * (h % 24 - 9) / 24) + rng.normal(0, 1.5, hours)


def office(days=365, seed=2, saving=0.0):
    """kWh per hour: 30 base, +50 occupied (Mon-Fri 8-18), heating 4 kWh/°C below 15 °C,
    cooling 6 kWh/°C above 22 °C while occupied."""
    rng = np.random.default_rng(seed)
    n = days * 24
    t = weather(n, seed)
    h = np.arange(n)
    occ = ((h // 24) % 7 < 5) & (h % 24 >= 8) & (h % 24 < 18)
    y = 30 + 50 * occ + 4 * np.maximum(15 - t, 0) + 6 * occ * np.maximum(t - 22, 0)
    y = y * (1 - saving) + rng.normal(0, 3, n)
    ts = START + h * HOUR_US
    return on_grid("Office", "kWh", ts, y, 3600, "UTC"), t


def test_guideline_14_statistics_by_hand():
    y = np.array([10.0, 12.0, 11.0, 13.0])
    yhat = np.array([11.0, 11.0, 11.0, 11.0])
    s = mv_stats.fit_stats(y, yhat, p=1, granularity="monthly")
    # residuals -1, 1, 0, 2: SSE 6, n - p 3, mean 11.5
    assert s.cvrmse == pytest.approx(100 * np.sqrt(6 / 3) / 11.5)
    assert s.nmbe == pytest.approx(100 * 2 / (3 * 11.5))
    assert not s.meets_g14 and "does not meet ASHRAE Guideline 14 (monthly)" in s.verdict()


def test_daily_change_point_model_recovers_balance_points_and_weekends():
    rng = np.random.default_rng(5)
    days = 365
    t = 11 - 9 * np.cos(2 * np.pi * (np.arange(days) - 15) / 365) + rng.normal(0, 2, days)
    weekday = np.arange(days) % 7
    y = 800 + 40 * np.maximum(15 - t, 0) + 60 * np.maximum(t - 20, 0) \
        - 400 * (weekday >= 5) + rng.normal(0, 20, days)
    m = fit_daily(y, t, weekday)
    assert m.heating_bp == pytest.approx(15, abs=1.7) and m.cooling_bp == pytest.approx(20, abs=1.7)
    assert m.heating_slope == pytest.approx(40, rel=0.15)
    assert m.cooling_slope == pytest.approx(60, rel=0.2)
    assert m.weekday[4] == pytest.approx(-400, abs=30) and m.weekday[0] == pytest.approx(0, abs=30)
    assert "per heating °C-day below" in m.describe()


def test_hourly_towt_fits_an_office_and_finds_its_hours():
    series, t = office()
    model = bl.fit(series, t, "hourly")
    assert model.stats.meets_g14 and model.stats.cvrmse < 10
    occupied = np.array(model.model.occupied).reshape(7, 24)
    assert occupied[0:5, 9:17].all() and not occupied[5:, :].any()
    assert not occupied[:, 0:6].any()
    assert model.warnings == []


def test_a_kept_model_is_plain_json_and_predicts_the_same():
    series, t = office(days=120)
    for granularity in ("hourly", "daily"):
        model = bl.fit(series, t, granularity)
        text = model.to_json()
        assert "pickle" not in text and text.startswith("{")
        again = bl.Baseline.from_json(text)
        frame = bl.frame_for(series, t, granularity)
        assert np.allclose(again.predict(frame), model.predict(frame), equal_nan=True)
        assert again.stats == model.stats
    with pytest.raises(ValidationError, match="model version 99 is newer"):
        bl.Baseline.from_json(text.replace('"version": 1', '"version": 99'))


def test_savings_with_uncertainty_adjustments_and_drift():
    base, t = office(days=365 + 91)
    after, _ = office(days=365 + 91, seed=2, saving=0.10)
    cut = int(START + 365 * 24 * HOUR_US)
    model = bl.fit(base, t, "hourly", None, cut)
    report = bl.window(bl.frame_for(after, t, "hourly"), cut, None)
    r = avoided_energy(model, report)
    assert r.fraction == pytest.approx(0.10, abs=0.02)
    assert 0 < r.uncertainty["absolute"] < r.avoided and r.uncertainty["fractional"] < 0.5
    assert r.cusum[-1] == pytest.approx(-r.avoided)
    assert r.drift and "below the baseline" in r.drift[0]  # 10 % less, every week
    adj = Adjustment(cut, cut + 91 * 24 * HOUR_US, 5.0, "new server room")
    r2 = avoided_energy(model, report, [adj])
    assert r2.avoided == pytest.approx(r.avoided + 5.0 * r.counted, rel=1e-9)
    same = avoided_energy(model, bl.window(bl.frame_for(base, t, "hourly"), cut, None))
    assert abs(same.fraction) < 0.02 and not same.drift


def test_gappy_partial_year_baselines_fit_with_reasons():
    series, t = office(days=150)
    v = series.values.copy()
    rng = np.random.default_rng(3)
    v[rng.random(len(v)) < 0.25] = np.nan  # a quarter of the hours missing
    v[24 * 40:24 * 60] = np.nan  # and three weeks in a row
    gappy = on_grid("Office", "kWh", series.ts_us, v, 3600)
    for granularity in ("hourly", "daily"):
        model = bl.fit(gappy, t, granularity)
        assert model.stats.cvrmse < 15
        assert any("CalTRACK asks for 365" in w for w in model.warnings)
    assert any("% of hours present" in w for w in bl.fit(gappy, t, "hourly").warnings)
    short = on_grid("Office", "kWh", series.ts_us[:24 * 10], series.values[:24 * 10], 3600)
    with pytest.raises(ValidationError, match="an hourly model needs at least two weeks"):
        bl.fit(short, t[:240], "hourly")
    with pytest.raises(ValidationError, match="a daily model needs at least 14"):
        bl.fit(short, t[:240], "daily")


def test_short_temperature_gaps_are_bridged_long_ones_are_not():
    x = np.array([1.0, np.nan, np.nan, 4.0, np.nan, np.nan, np.nan, np.nan, 9.0])
    out = bl.fill_short_gaps(x, 3)
    assert out[1:3].tolist() == [2.0, 3.0] and np.isnan(out[4:8]).all()
