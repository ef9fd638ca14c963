"""Tariffs, costs, carbon, bills and degree-days on small series whose answers are known."""

from datetime import date, datetime, timezone

import numpy as np
import pytest

from energize_desktop.analytics.bills import reconcile
from energize_desktop.analytics.carbon import HourlyFactors, emissions, parse_factors
from energize_desktop.analytics.costs import cost
from energize_desktop.analytics.degree_days import degree_days
from energize_desktop.analytics.series import on_grid
from energize_desktop.analytics.tariffs import parse_tariff
from energize_desktop.core.errors import ValidationError

TZ = "Europe/London"
Q = 900 * 10**6


def us(*args) -> int:
    return int(datetime(*args, tzinfo=timezone.utc).timestamp() * 1e6)


def grid(start_us: int, steps: int, step_us: int = Q) -> np.ndarray:
    return start_us + np.arange(steps, dtype=np.int64) * step_us


TOU = {"name": "TOU", "currency": "GBP",
       "versions": [{"valid_from": "2025-01-01", "fixed_per_day": 2.0, "export_per_kwh": 0.05,
                     "rates": [{"name": "peak", "per_kwh": 0.40, "windows": [
                         {"days": "weekdays", "from": "16:00", "to": "19:00"}]},
                         {"name": "night", "per_kwh": 0.10, "windows": [
                             {"from": "23:00", "to": "07:00"}]},
                         {"name": "day", "per_kwh": 0.25}],
                     "demand": [{"name": "capacity", "per_kw_month": 10.0}]}]}


def test_peak_window_follows_the_wall_clock_across_a_dst_change():
    # Monday 31 March 2025 is the first weekday of British Summer Time (clocks went forward
    # on Sunday 30 March): the local day starts at 23:00 UTC, 16:00-19:00 local is 15:00-18:00
    ts = grid(us(2025, 3, 30, 23, 0), 96)
    kwh = np.ones(96)
    kwh[16 * 4: 16 * 4 + 12] = 2.0  # 15:00-18:00 UTC: only the peak if the window moved to BST
    result = cost(ts, kwh, 900, TZ, parse_tariff(TOU))
    assert result.bands["peak"]["kwh"] == 24  # three hours of quarter hours at 2 kWh
    # night: 00:00-07:00 and 23:00-24:00 local = 8 h
    assert result.bands["night"]["kwh"] == 32
    assert result.bands["day"]["kwh"] == 96 - 12 - 32
    assert result.fixed == 2.0  # one local day
    # the capacity charge belongs to March: one of its 31 days is in this period
    assert result.demand[0]["prorated"] and result.demand[0]["days"] == 1
    assert result.total == pytest.approx(24 * .4 + 32 * .1 + 52 * .25 + 2.0 + 10 * 8.0 / 31)


def test_public_holiday_is_not_a_weekday():
    spec = {**TOU, "holidays": ["2025-05-05"]}  # Early May bank holiday (a Monday)
    ts = grid(us(2025, 5, 4, 23, 0), 96)  # local Monday 5 May 00:00 (BST)
    assert cost(ts, np.ones(96), 900, TZ, parse_tariff(TOU)).bands["peak"]["kwh"] == 12
    assert cost(ts, np.ones(96), 900, TZ, parse_tariff(spec)).bands["peak"]["kwh"] == 0
    by_country = {**TOU, "holidays": {"country": "GB", "subdiv": "ENG"}}
    assert cost(ts, np.ones(96), 900, TZ, parse_tariff(by_country)).bands["peak"]["kwh"] == 0


def test_validity_dates_leave_earlier_energy_unpriced_unless_as_if():
    ts = grid(us(2024, 12, 31, 0, 0), 192)  # 31 Dec 2024 and 1 Jan 2025 (GMT = UTC)
    t = parse_tariff(TOU)
    actual = cost(ts, np.ones(192), 900, TZ, t)
    assert actual.unpriced_kwh == 96 and "outside every version" in actual.notes[0]
    what_if = cost(ts, np.ones(192), 900, TZ, t, as_if=True)
    assert what_if.unpriced_kwh == 0 and what_if.total > actual.total
    assert what_if.fixed == 4.0


def test_demand_is_the_months_highest_rolling_window_and_export_is_credited():
    kwh = np.ones(96 * 3)
    kwh[100] = 10.0  # one quarter hour at 40 kW
    ts = grid(us(2025, 2, 3), len(kwh))
    result = cost(ts, kwh, 900, TZ, parse_tariff(TOU), export_kwh=np.full(len(kwh), 0.5))
    # three of February's 28 days: the month's charge in proportion, and said so
    assert result.demand == [{"month": "2025-02", "charge": "capacity", "kw": 40.0,
                              "cost": pytest.approx(400.0 * 3 / 28), "days": 3,
                              "days_in_month": 28, "prorated": True}]
    assert result.export_kwh == pytest.approx(144) and result.export_credit == pytest.approx(7.2)
    gaps = kwh.copy()
    gaps[:10] = np.nan
    assert cost(ts, gaps, 900, TZ, parse_tariff(TOU)).missing_steps == 10


@pytest.mark.parametrize("change, where", [
    (lambda d: d["versions"][0]["rates"][0]["windows"][0].update({"from": "25:00"}),
     "versions[0].rates[0].windows[0].from"),
    (lambda d: d["versions"][0]["rates"][1].update({"per_kwh": "cheap"}),
     "versions[0].rates[1].per_kwh"),
    (lambda d: d["versions"].append({**d["versions"][0], "valid_from": "2025-06-01"}),
     "overlaps"),
    (lambda d: d["versions"][0]["rates"][0]["windows"][0].update({"days": "funday"}),
     "'funday'"),
])
def test_tariff_errors_name_the_field(change, where):
    import copy

    spec = copy.deepcopy(TOU)
    change(spec)
    with pytest.raises(ValidationError, match="tariff 'TOU'") as err:
        parse_tariff(spec)
    assert where in str(err.value)


def test_carbon_uses_the_factor_in_force_and_an_hourly_series_where_it_has_one():
    factors = parse_factors([
        {"valid_from": "2024-01-01", "valid_to": "2025-01-01", "kg_per_kwh": 0.2,
         "source": "table 2024"},
        {"valid_from": "2025-01-01", "kg_per_kwh": 0.1, "source": "table 2025"}])
    ts = grid(us(2024, 12, 31, 0, 0), 48, 3600 * 10**6)
    result = emissions(ts, np.ones(48), TZ, factors)
    assert result.kg == pytest.approx(24 * 0.2 + 24 * 0.1)
    assert result.months == {"2024-12": {"kg": pytest.approx(4.8), "kwh": 24},
                             "2025-01": {"kg": pytest.approx(2.4), "kwh": 24}}
    hourly = HourlyFactors(ts[24:30], np.full(6, 0.5), "grid operator")
    mixed = emissions(ts, np.ones(48), TZ, factors, hourly)
    assert mixed.kg == pytest.approx(24 * 0.2 + 6 * 0.5 + 18 * 0.1)
    assert any("grid operator" in s for s in mixed.sources)
    none_then = emissions(ts - 400 * 86400 * 10**6, np.ones(48), TZ, factors)
    assert none_then.unfactored_kwh == 48 and "no emission factor" in none_then.notes[0]
    with pytest.raises(ValidationError, match=r"carbon factors\[0\]: a factor needs its source"):
        parse_factors([{"valid_from": "2024-01-01", "kg_per_kwh": 0.2, "source": " "}])


def test_bill_reconciliation_judges_only_covered_periods_and_converts_units():
    ts = grid(us(2025, 1, 1), 24 * 59, 3600 * 10**6)
    kwh = np.ones(len(ts))
    kwh[24 * 40: 24 * 50] = np.nan  # ten days missing in February
    bills = [{"start_us": us(2025, 1, 1), "end_us": us(2025, 2, 1), "amount": 744 * 1.01,
              "unit": "kWh"},
             {"start_us": us(2025, 2, 1), "end_us": us(2025, 3, 1), "amount": 0.672,
              "unit": "MWh"},
             {"start_us": us(2025, 1, 1), "end_us": us(2025, 2, 1), "amount": 25.386,
              "unit": "therm"}]
    jan, feb, therms = reconcile(ts, kwh, 3600, bills)
    assert jan["verdict"] == "agrees" and jan["difference_kwh"] == pytest.approx(-7.44)
    assert feb["verdict"] == "partly metered" and feb["coverage"] == pytest.approx(18 / 28)
    assert therms["billed_kwh"] == pytest.approx(744, rel=1e-3)
    volume = [{"start_us": us(2025, 1, 1), "end_us": us(2025, 2, 1), "amount": 70,
               "unit": "m³"}]
    with pytest.raises(ValidationError, match="calorific"):
        reconcile(ts, kwh, 3600, volume)
    assert reconcile(ts, kwh, 3600, volume, kwh_per_m3=10.0)[0]["billed_kwh"] == 700


def test_degree_days_per_day_and_a_day_without_temperature_is_not_zero():
    hours = 24 * 4
    temp = np.repeat([5.0, 15.5, 25.0, np.nan], 24)
    series = on_grid("t", "°C", grid(us(2025, 1, 6), hours, 3600 * 10**6), temp, 3600, "UTC")
    dd = degree_days(series, 15.5, 18.3)
    assert dd.hdd[:3].tolist() == [10.5, 0.0, 0.0] and np.isnan(dd.hdd[3])
    assert dd.cdd[2] == pytest.approx(6.7)
    assert dd.monthly("UTC")["2025-01"] == {"hdd": 10.5, "cdd": pytest.approx(6.7), "days": 4,
                                            "days_missing": 1}


def test_local_dates_of_versions():
    t = parse_tariff({"name": "flat", "valid_from": "2025-01-01", "valid_to": "2025-07-01",
                      "per_kwh": 0.3})
    assert t.versions[0].valid_to == date(2025, 7, 1) and t.versions[0].rates[0].per_kwh == 0.3
