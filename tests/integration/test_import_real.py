"""The real public samples in ../shared/data import with the right meters, units, ranges and
totals (figures from each folder's README, or summed independently from the raw file here)."""

import csv
import gzip
import os
from pathlib import Path

import pytest

from energize_desktop.imports.channels import ChannelHints
from energize_desktop.jobs.importer import ImportOptions, import_file
from energize_desktop.storage.imports import ImportConflictError

SHARED = Path(os.environ.get("ENERGIZE_SHARED_DATA",
                             Path(__file__).parents[3] / "shared" / "data"))
pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason=f"no shared data at {SHARED}")
GB = SHARED / "greenbutton_fixtures"


def _sum_column(path, column, opener=open):
    with opener(path, "rt", newline="") as f:
        return sum(float(r[column]) for r in csv.DictReader(f) if r[column].strip())


def _stored_sum(ws, meter):
    m = ws.meter(meter)
    return ws.cursor().execute("SELECT sum(value), count(*), min(ts), max(ts) FROM readings "
                               "WHERE meter_id = ?", [m.id]).fetchall()[0]


def test_lead_buildings(ws):
    path = SHARED / "lead1_subset" / "lead_dev.csv"
    report = import_file(ws, path, ImportOptions(site="LEAD", tz="UTC",
                                                 hints=ChannelHints(unit="kWh")))
    channels = report.channels
    assert sorted(channels) == ["1074", "118", "121", "685", "697"]
    assert channels["685"].rows == 8784 - 29 and channels["685"].empty == 29
    assert all(channels[b].rows == 8784 for b in ("118", "121", "697", "1074"))
    total, n, first, last = _stored_sum(ws, "118")
    with open(path, newline="") as f:
        expected = sum(float(r["meter_reading"]) for r in csv.DictReader(f)
                       if r["building_id"] == "118")
    assert total == pytest.approx(expected) and n == 8784
    assert str(first) == "2016-01-01 00:00:00" and str(last) == "2016-12-31 23:00:00"
    assert ws.meter("118").unit == "kWh" and ws.meter("118").semantics == "interval"


def test_lead_in_a_dst_zone_is_refused_with_the_fix(ws):
    """GEPIII stamps have every hour, so they cannot be New York wall-clock time."""
    with pytest.raises(Exception, match=r"2016-03-13 02:00:00 does not exist.*Etc/GMT\+5"):
        import_file(ws, SHARED / "lead1_subset" / "lead_dev.csv",
                    ImportOptions(site="LEAD", tz="America/New_York",
                                  hints=ChannelHints(unit="kWh")))


def test_cmp_building_power_and_temperature(ws):
    path = SHARED / "cmp_building_15min" / "data.csv"
    hints = ChannelHints(units={"Total_Power": "kW", "temp": "°C"})
    report = import_file(ws, path, ImportOptions(site="Torino", tz="UTC", hints=hints))
    power, temp = report.channels["Total_Power"], report.channels["temp"]
    assert (power.unit, power.semantics, power.rows, power.gaps) == ("kW", "instantaneous",
                                                                     35040, 0)
    assert (temp.unit, temp.kind, temp.rows) == ("°C", "temperature", 35040)
    total, n, first, last = _stored_sum(ws, "Total_Power")
    assert total / n == pytest.approx(_sum_column(path, "Total_Power") / 35040)
    assert str(first) == "2019-01-01 00:00:00" and str(last) == "2019-12-31 23:45:00"
    # 15-min kW integrates to energy: a year at a mean of ~272 kW is ~2.38 GWh
    year = ws.queries.rollup("month", [ws.meter("Total_Power").id])
    assert year["amount"].sum() == pytest.approx(total / 4, rel=1e-3)


def test_uk_home_half_hourly_with_duplicates(ws):
    path = SHARED / "opendsm_uk_residential" / "uk-electricity-hdd-only-hourly-sample-1.csv.gz"
    report = import_file(ws, path, ImportOptions(site="Home", tz="UTC", meter="Home",
                                                 hints=ChannelHints(unit="kWh")))
    (c,) = report.channels.values()
    assert c.name == "Home" and c.interval_s == 1800
    assert c.rows + c.duplicates == 22536  # 22,537 lines with the header
    assert c.duplicates > 0 and c.gaps > 0
    total = _stored_sum(ws, "Home")[0]
    with gzip.open(path, "rt") as f:
        seen = {}
        for r in csv.DictReader(f):
            seen[r["start"]] = float(r["value"])
    assert total == pytest.approx(sum(seen.values()))


def test_uk_temperature_ignores_the_row_number_column(ws):
    path = SHARED / "opendsm_uk_residential" / "uk-tempC-sample-1_2.csv.gz"
    report = import_file(ws, path, ImportOptions(site="Home", tz="UTC"))
    assert list(report.channels) == ["tempC"]
    assert report.channels["tempC"].unit == "°C" and report.channels["tempC"].interval_s == 3600


@pytest.mark.parametrize("name, meters, unit, rows, total", [
    ("electric_containerized.xml", 1, "kWh", 8, 4.086),
    ("TestGBDataHourlyNineDaysBinnedDaily.xml", 2, "kWh", 216, 199.563),
    ("gas_direct.xml", 2, "therm", 5, 140.0),
    ("ngma_natural_gas_billing_billing_data_Service_1_1_2021-05-26_to_2024-04-25.xml", 2,
     "therm", 35, 3484.0),
])
def test_green_button_files(ws, name, meters, unit, rows, total):
    report = import_file(ws, GB / name, ImportOptions(site="GB"))
    energy = next(c for c in report.channels.values() if c.kind != "cost")
    assert len(report.channels) == meters
    assert (energy.unit, energy.rows) == (unit, rows)
    assert energy.total == pytest.approx(total, abs=1e-3)
    if meters == 2:
        cost = next(c for c in report.channels.values() if c.kind == "cost")
        assert cost.unit == "USD" and cost.rows == rows and cost.total > 0


def test_green_button_local_time_parameters_set_a_new_sites_zone(ws):
    import_file(ws, GB / "electric_containerized.xml", ImportOptions())
    assert ws.sites()[0].timezone == "America/Los_Angeles"


def test_green_button_repeated_starts_are_conflicts_unless_told(ws):
    path = GB / "gas_containerized.xml"
    with pytest.raises(ImportConflictError, match="different values"):
        import_file(ws, path, ImportOptions(site="GB"))
    report = import_file(ws, path, ImportOptions(site="GB", on_conflict="keep"))
    assert sum(c.file_conflicts for c in report.channels.values()) > 0
