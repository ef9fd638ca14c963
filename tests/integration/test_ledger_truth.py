"""Every figure against the demo's recorded ground truth (what the generator made the building
use, make, buy and sell per local month, before any meter read it), and every surface against
each other: the ledger, kpis --json, cost/carbon --json, the month export of the consumption
virtual meter, the report's text (pdftotext) — and the same after a data-package round trip."""

import json
import re
import shutil
import subprocess

import numpy as np
import polars as pl
import pytest

from energize_desktop.cli import main
from energize_desktop.core.periods import period
from energize_desktop.jobs import ledger
from energize_desktop.storage import Workspace
from energize_desktop.storage.metadata import DEMO_TRUTH

TZ = "Europe/London"
CLEAN = "2025-03..2025-06"  # no meter has a gap in these months
GAS_FACTOR, ELEC_2025 = 0.18290, 0.17700  # the demo's DESNZ factors, kg/kWh


def _json(capsys, *args):
    assert main(list(args)) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def truth(demo_file):
    with Workspace.open(demo_file, read_only=True) as ws:
        return DEMO_TRUTH.get(ws)


def _lines(ws, month):
    start, end = period(month, TZ)
    book = ledger.site_ledger(ws, ws.site(), start, end)
    e, g = book.fuels["electricity"], book.fuels["gas"]
    return {"import": e.import_kwh, "generation": e.generation_kwh, "export": e.export_kwh,
            "consumption": e.consumption_kwh, "gas": g.import_kwh}, book


def test_the_ledger_equals_the_ground_truth_month_by_month(demo_file, truth):
    with Workspace.open(demo_file, read_only=True) as ws:
        for month, want in truth["months"].items():
            got, book = _lines(ws, month)
            for line, value in want.items():
                if month in truth["gaps"].get(line, []) and line != "import":
                    # an interval meter's gap is unknown energy: less than the truth, and said
                    # (the import meter is a register: the reading after its gap counted it)
                    assert got[line] < value
                    fuel = "gas" if line == "gas" else "electricity"
                    assert book.fuels[fuel].coverage < 1 or line in ("generation", "consumption")
                else:
                    assert got[line] == pytest.approx(value, rel=1e-3), (month, line)


def test_every_surface_agrees_with_the_truth_and_each_other(demo_file, truth, capsys, tmp_path):
    w = str(demo_file)
    months = ("2025-03", "2025-04", "2025-05")
    want = {k: sum(truth["months"][m][k] for m in months) for k in truth["months"]["2025-03"]}
    kpis = {r["name"].split(" — ")[-1]: r for r in _json(capsys, "kpis", "-w", w, "--period",
                                                           CLEAN, "--json")}
    cost = _json(capsys, "cost", "-w", w, "--period", CLEAN, "--json")
    carbon = _json(capsys, "carbon", "-w", w, "report", "--period", CLEAN, "--json")
    elec, gas = kpis["electricity"], kpis["gas"]
    assert elec["consumption_kwh"] == pytest.approx(want["consumption"], rel=1e-3)
    assert elec["import_kwh"] == pytest.approx(want["import"], rel=1e-3)
    assert elec["generation_kwh"] == pytest.approx(want["generation"], rel=1e-3)
    assert gas["energy"] == pytest.approx(want["gas"], rel=1e-3)
    # carbon by hand: 2025 electricity factor on what was bought, gas on its own
    by_hand = want["import"] * ELEC_2025 + want["gas"] * GAS_FACTOR
    assert carbon["kg"] == pytest.approx(by_hand, rel=1e-3)
    # gas cost by hand: 0.065/kWh and 0.80/day on the Gas fixed tariff, 92 days
    gas_cost = next(r for r in cost["results"] if r["fuel"] == "gas")
    assert gas_cost["total"] == pytest.approx(want["gas"] * 0.065 + 92 * 0.80, rel=1e-3)
    assert cost["totals"]["GBP"] == pytest.approx(elec["cost"]["total"] + gas["cost"]["total"])
    # the virtual meter's month export is the consumption line
    out = tmp_path / "month.csv"
    assert main(["export", "-w", w, "-m", "Building consumption", "--resolution", "month",
                 "--from", "2025-03-01", "--to", "2025-06-01", "--out", str(out)]) == 0
    exported = pl.read_csv(out)["value"].to_list()
    assert exported == pytest.approx([truth["months"][m]["consumption"] for m in months],
                                     rel=1e-3)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing")
def test_the_report_prints_the_ledger(demo_file, truth, tmp_path, capsys):
    out = tmp_path / "r.pdf"
    assert main(["report", "-w", str(demo_file), "--period", CLEAN, "--out", str(out)]) == 0
    capsys.readouterr()
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True,
                          text=True, check=True).stdout
    months = ("2025-03", "2025-04", "2025-05")
    consumed = sum(truth["months"][m]["consumption"] for m in months)
    bought = sum(truth["months"][m]["import"] for m in months)
    flat = " ".join(text.replace("consumed", "consumed ").split())

    def number_after(label: str) -> float:
        found = re.search(re.escape(label) + r"\s+([\d,]+) kWh", flat)
        assert found, label
        return float(found[1].replace(",", ""))

    assert number_after("Electricity consumed") == pytest.approx(consumed, rel=1e-3)
    assert number_after("Electricity") == pytest.approx(bought, rel=1e-3)
    for m in months:  # the monthly table: electricity bought per month
        assert number_after(m) == pytest.approx(truth["months"][m]["import"], rel=1e-3)


def test_a_package_round_trip_gives_the_same_ledger_to_the_last_digit(demo_file, tmp_path,
                                                                      capsys):
    package, copy = tmp_path / "p.zip", tmp_path / "copy.energize"
    assert main(["export", "-w", str(demo_file), "--out", str(package)]) == 0
    assert main(["import", "-w", str(copy), str(package)]) == 0
    capsys.readouterr()
    for w in (demo_file, copy):
        with Workspace.open(w, read_only=True) as ws:
            got, book = _lines(ws, "2025-04")
            figures = (got, book.costs(), book.carbon_kg,
                       ledger.tariff_names(ws), ledger.default_tariff(ws, "gas"),
                       [m.name for m in ws.meters() if m.is_virtual])
        if w == demo_file:
            first = figures
    assert figures == first
    assert figures[-1] == ["Building consumption"] and figures[4] == "Gas fixed 2024"


def test_a_site_holiday_is_a_weekend_day_for_kpis_and_a_tariff_without_holidays(demo_copy):
    """Easter Monday 2025 (21 April) is an English bank holiday: a tariff with weekday-only
    peak and no holidays of its own prices it off-peak on the site's calendar."""
    from energize_desktop.jobs.energy import site_energy

    with Workspace.open(demo_copy) as ws:
        from energize_desktop.storage.energy_terms import TariffStore

        TariffStore(ws).save("No-holiday TOU", {
            "name": "No-holiday TOU", "fuel": "electricity", "versions": [{
                "rates": [{"name": "peak", "per_kwh": 0.5, "windows": [
                    {"days": "weekdays", "from": "07:00", "to": "19:00"}]},
                    {"name": "off", "per_kwh": 0.1}]}]})
        start, end = period("2025-04-21..2025-04-22", TZ)
        e = site_energy(ws, ws.site(), start, end)
        priced = ledger.cost_of(ws, e, "No-holiday TOU")
        assert priced.bands["peak"]["kwh"] == 0 and priced.bands["off"]["kwh"] > 0
        assert any("GB-ENG public holidays" in n for n in priced.notes)
        assert e.calendar.is_working(np.array([20199])).tolist() == [False]  # 2025-04-21
        assert e.calendar.is_working(np.array([20200])).tolist() == [True]
