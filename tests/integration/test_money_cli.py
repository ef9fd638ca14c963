"""The money-and-planning commands on the demo building: tariffs kept and priced, carbon,
bills reconciled (CSV and a real Green Button billing feed), KPIs, comparisons, degree-days,
forecasts, load shifting and recommendations — each with the error a user would meet."""

import csv
import json
import os
from pathlib import Path

import pytest

from energize_desktop.cli import main

SHARED = Path(os.environ.get("ENERGIZE_SHARED_DATA",
                             Path(__file__).resolve().parents[3] / "shared" / "data"))
GB_BILLING = SHARED / "greenbutton_fixtures" / \
    "ngma_natural_gas_billing_billing_data_Service_1_1_2021-05-26_to_2024-04-25.xml"
TOU = {"name": "Business TOU", "currency": "GBP", "holidays": {"country": "GB", "subdiv": "ENG"},
       "versions": [
           {"valid_from": "2024-04-01", "valid_to": "2025-04-01", "fixed_per_day": 1.1,
            "rates": [{"name": "peak", "per_kwh": 0.34,
                       "windows": [{"days": "weekdays", "from": "16:00", "to": "19:00"}]},
                      {"name": "off-peak", "per_kwh": 0.14,
                       "windows": [{"from": "00:30", "to": "07:30"}]},
                      {"name": "shoulder", "per_kwh": 0.24}],
            "demand": [{"name": "capacity", "per_kw_month": 4.2}]},
           {"valid_from": "2025-04-01", "fixed_per_day": 1.25,
            "rates": [{"name": "peak", "per_kwh": 0.36,
                       "windows": [{"days": "weekdays", "from": "16:00", "to": "19:00"}]},
                      {"name": "shoulder", "per_kwh": 0.25}]}]}
FLAT = {"name": "Flat", "currency": "GBP", "valid_from": "2025-04-01", "per_kwh": 0.20}


def run_json(capsys, *argv):
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def priced(demo_copy, tmp_path, capsys):
    for spec in (TOU, FLAT):
        path = tmp_path / f"{spec['name']}.json"
        path.write_text(json.dumps(spec))
        assert main(["tariff", "-w", str(demo_copy), "add", str(path)]) == 0
    assert main(["tariff", "-w", str(demo_copy), "default", "Business TOU"]) == 0
    assert main(["carbon", "-w", str(demo_copy), "add-factor", "--set", "electricity", "--from",
                 "2024-01-01", "--kg", "0.20705", "--source", "DESNZ 2024"]) == 0
    assert main(["carbon", "-w", str(demo_copy), "add-factor", "--set", "electricity", "--from",
                 "2025-01-01", "--kg", "0.177", "--source", "DESNZ 2025"]) == 0
    capsys.readouterr()
    return demo_copy


def test_cost_breakdown_adds_up_and_what_if_compares_tariffs(priced, capsys):
    out = run_json(capsys, "cost", "-w", str(priced), "--period", "2025-01-01..2025-07-01",
                   "--as-if", "Flat")
    actual = next(r for r in out["results"] if r["fuel"] == "electricity")
    [flat] = out["as_if"]
    bands = sum(b["cost"] for b in actual["bands"].values())
    demand = sum(d["cost"] for d in actual["demand"])
    assert actual["total"] == pytest.approx(bands + demand + actual["fixed"])
    assert sum(b["kwh"] for b in actual["bands"].values()) == pytest.approx(actual["kwh"])
    assert {d["month"] for d in actual["demand"]} == {"2025-01", "2025-02", "2025-03"}  # v1 only
    assert flat["tariff"] == "Flat" and flat["total"] == pytest.approx(0.20 * flat["kwh"])
    assert main(["cost", "-w", str(priced), "--period", "2025-03", "--tariff", "Nope"]) == 1
    assert "tariff 'Nope': not in this workspace (kept: Business TOU 2024, Gas fixed 2024, " \
        "Business TOU, Flat)" in \
        capsys.readouterr().err


def test_bad_tariff_file_names_line_and_field(demo_copy, tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "x",\n "per_kwh": }')
    assert main(["tariff", "-w", str(demo_copy), "add", str(bad)]) == 1
    assert "line 2, column" in capsys.readouterr().err
    bad.write_text(json.dumps({"name": "x", "rates": [{"name": "a", "per_kwh": 0.1,
                                                       "windows": [{"to": "7pm"}]}]}))
    assert main(["tariff", "-w", str(demo_copy), "add", str(bad)]) == 1
    assert "rates[0].windows[0].to: expected HH:MM" in capsys.readouterr().err


def test_carbon_report_uses_each_years_factor(priced, capsys):
    out = run_json(capsys, "carbon", "-w", str(priced), "report", "--period",
                   "2024-12-01..2025-02-01")
    elec = out["fuels"]["electricity"]
    dec, jan = elec["months"]["2024-12"], elec["months"]["2025-01"]
    assert dec["kg"] == pytest.approx(0.20705 * dec["kwh"])
    assert jan["kg"] == pytest.approx(0.177 * jan["kwh"])
    assert elec["kg"] == pytest.approx(dec["kg"] + jan["kg"]) and elec["kwh"] > 0
    assert len(elec["sources"]) == 2 and "DESNZ 2024" in elec["sources"][0]
    assert out["kg"] == pytest.approx(elec["kg"] + out["fuels"]["gas"]["kg"])  # gas counted


def test_bills_from_csv_and_green_button(priced, tmp_path, capsys):
    bills = tmp_path / "bills.csv"
    bills.write_text("Start,End,kWh,Cost\n01/02/2025,28/02/2025,\"38,000\",£9000\n"
                     "01/03/2025,31/03/2025,30000,7000\n")
    assert main(["bills", "-w", str(priced), "import", str(bills), "-m", "Main incomer"]) == 0
    capsys.readouterr()
    rows = run_json(capsys, "bills", "-w", str(priced), "reconcile",
                    "-m", "Main incomer")["bills"]
    feb, mar = rows
    assert feb["billed_kwh"] == 38000 and feb["coverage"] > 0.98
    assert feb["difference_kwh"] == pytest.approx(feb["metered_kwh"] - 38000)
    assert mar["verdict"] == "meter reads higher"  # the demo used ~38 MWh in March
    bills.write_text("Start,End,kWh\n01/02/2025,28/02/2025,lots\n")
    assert main(["bills", "-w", str(priced), "import", str(bills), "-m", "Main incomer"]) == 1
    assert "bills.csv: line 2: expected numbers" in capsys.readouterr().err


@pytest.mark.skipif(not GB_BILLING.exists(), reason=f"no shared data at {SHARED}")
def test_bills_from_a_real_green_button_billing_feed(priced, capsys):
    assert main(["bills", "-w", str(priced), "import", str(GB_BILLING), "-m", "Gas boiler"]) == 0
    capsys.readouterr()
    gas = run_json(capsys, "bills", "-w", str(priced), "reconcile",
                   "-m", "Gas boiler")["bills"]
    assert len(gas) == 35 and gas[0]["billed_kwh"] == pytest.approx(37 * 29.3071, rel=1e-3)
    assert {g["verdict"] for g in gas} == {"no meter data"}  # 2021-24 bills, 2024-25 demo


def test_kpis_compare_and_degree_days(priced, capsys):
    rows = run_json(capsys, "kpis", "-w", str(priced), "--period", "2025-01-01..2025-04-01")
    elec, gas = rows
    assert elec["name"].endswith("electricity") and gas["name"].endswith("gas")
    assert elec["peak_rolling_kw"] >= elec["mean_kw"] > elec["baseload_kw"] > 0
    # a GB office: beside CIBSE TM46, and no other country's primary-energy factors
    assert [r["kwh_m2"] for r in elec["eui"]["references"]] == [95.0]
    assert [r["kwh_m2"] for r in gas["eui"]["references"]] == [120.0]
    assert elec["eui"]["references"][0]["source"].startswith("CIBSE TM46 (2008)")
    assert elec["eui"]["source_kwh_m2"] is None and "for GB" in elec["eui"]["source_note"]
    assert elec["cost"]["tariff"] == "Business TOU" and elec["carbon"]["kg"] > 0
    cmp = run_json(capsys, "compare", "-w", str(priced), "--period", "2025-09",
                   "--against", "previous")
    assert cmp["a"]["label"].startswith("2025-09-01") and cmp["b"]["label"].startswith(
        "2025-08-01")
    assert cmp["comparable"] and "kwh_per_degree_day" in cmp["rows"]
    empty = run_json(capsys, "compare", "-w", str(priced), "--period", "2025-09",
                     "--against", "last-year")
    assert not empty["comparable"] and "no data in 2024-09-01" in empty["note"]
    dd = run_json(capsys, "degree-days", "-w", str(priced), "--period", "2025",
                  "--fit-meter", "Gas boiler")
    assert dd["how"].startswith("fitted to Gas boiler") and dd["hdd"] > 1000
    assert 10 <= dd["heating_base_c"] <= 20


def test_forecast_shift_and_recommend(priced, tmp_path, capsys):
    out = tmp_path / "fc.csv"
    fc = run_json(capsys, "forecast", "-w", str(priced), "-m", "Main incomer", "--hours", "168",
                  "--temperature-profile", "9", "--out", str(out))
    assert fc["method"].startswith("hourly TOWT") and len(fc["predicted"]) == 168
    assert all(lo <= p <= hi for lo, p, hi in zip(fc["lower"], fc["predicted"], fc["upper"]))
    with out.open() as f:
        assert len(list(csv.DictReader(f))) == 168
    shift = run_json(capsys, "shift", "-w", str(priced), "-m", "Lighting", "--window",
                     "06:00-20:00", "--max-kw", "60", "--period", "2025-06", "--tariff", "Flat")
    assert shift["saving"] == pytest.approx(0, abs=1e-6)  # a flat tariff: nothing to gain
    shift = run_json(capsys, "shift", "-w", str(priced), "-m", "Lighting", "--window",
                     "06:00-20:00", "--max-kw", "60", "--period", "2025-06")
    assert shift["saving"] > 0 and shift["kwh_moved"] > 0
    rec = run_json(capsys, "recommend", "-w", str(priced))
    keys = {f["key"] for f in rec["findings"]}
    # baseload from what the building consumes (import + PV − export), not the net import
    assert "baseload" in keys
    for f in rec["findings"]:
        assert f["evidence"] and f["chart"]["view"] in ("profile", "heatmap", "scatter", "line")
