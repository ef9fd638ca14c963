"""The one ledger: every surface gives the same figure, and the figures obey physics and the
tariffs' own rules (a fuel priced on its own tariff, generation never a cost, export credited,
sub-meters not added twice, gaps not zeros), checked against independent readings of the demo."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from energize_desktop.cli import main
from energize_desktop.core.errors import ValidationError
from energize_desktop.core.periods import period
from energize_desktop.jobs import describe, ledger
from energize_desktop.storage import Workspace

TZ = "Europe/London"
JUNE = "2025-06"


def _json(capsys, *args):
    assert main(list(args)) == 0
    return json.loads(capsys.readouterr().out)


def test_every_surface_reads_the_same_ledger(demo_file, capsys):
    w = str(demo_file)
    kpis = _json(capsys, "kpis", "-w", w, "--period", JUNE, "--json")
    cost = _json(capsys, "cost", "-w", w, "--period", JUNE, "--json")
    carbon = _json(capsys, "carbon", "-w", w, "report", "--period", JUNE, "--json")
    with Workspace.open(demo_file, read_only=True) as ws:
        start, end = period(JUNE, TZ)
        book = ledger.site_ledger(ws, ws.site(), start, end)
    elec, gas = book.fuels["electricity"], book.fuels["gas"]
    rows = {r["name"].split(" — ")[-1]: r for r in kpis}
    by_fuel = {r["fuel"]: r for r in cost["results"]}
    assert rows["electricity"]["cost"]["total"] == pytest.approx(elec.cost.total, rel=1e-9)
    assert by_fuel["electricity"]["total"] == pytest.approx(elec.cost.total, rel=1e-9)
    assert by_fuel["gas"]["tariff"] == "Gas fixed 2024"  # gas on gas, never on the TOU tariff
    assert by_fuel["gas"]["total"] == pytest.approx(gas.cost.total, rel=1e-9)
    assert cost["totals"]["GBP"] == pytest.approx(elec.cost.total + gas.cost.total)
    assert carbon["kg"] == pytest.approx(elec.carbon.kg + gas.carbon.kg)  # gas is in it
    assert rows["electricity"]["consumption_kwh"] == pytest.approx(elec.consumption_kwh)
    assert rows["electricity"]["energy"] == pytest.approx(elec.consumption_kwh)


def test_the_ledger_against_independent_readings_of_the_demo(demo_file):
    """Import from the Main incomer's own month rollup, PV and export from theirs; consumption
    = import + generation − export; sub-meters are inside the main and not added."""
    with Workspace.open(demo_file, read_only=True) as ws:
        start, end = period(JUNE, TZ)
        line = ledger.site_ledger(ws, ws.site(), start, end).fuels["electricity"]
        month = {m.name: ws.queries.rollup("month", [m.id]) for m in ws.meters()}
    june = {name: float(f.filter(f["bucket"].cast(str).str.starts_with("2025-06"))["amount"]
                        .sum()) for name, f in month.items() if f.height}
    assert line.import_kwh == pytest.approx(june["Main incomer"], rel=1e-3)
    assert line.generation_kwh == pytest.approx(june["Rooftop PV"], rel=1e-3)
    assert line.export_kwh == pytest.approx(june["Grid export"], rel=1e-3)
    assert line.import_kwh < june["Main incomer"] + june["HVAC"]  # subs are not added again
    both = np.isfinite(line.consumed.kwh)
    assert line.consumption_kwh == pytest.approx(float(np.nansum(line.consumed.kwh)))
    assert both.mean() > 0.9 and 0 < line.self_sufficiency < 1


def test_generation_is_never_a_cost_and_export_is_credited(demo_file):
    with Workspace.open(demo_file, read_only=True) as ws:
        start, end = period(JUNE, TZ)
        pv = ledger.meter_ledger(ws, ws.meter("Rooftop PV"), start, end)
        assert pv.cost is None and pv.cost_note == "generation is not a cost"
        line = ledger.site_ledger(ws, ws.site(), start, end).fuels["electricity"]
        assert line.cost.export_kwh == pytest.approx(line.export_kwh)
        assert line.cost.export_credit == pytest.approx(line.export_kwh * 0.05)


@settings(max_examples=15, deadline=None)
@given(cut=st.integers(1, 29))
def test_energy_fixed_charges_and_carbon_add_up_over_any_split(demo_file, cut):
    with Workspace.open(demo_file, read_only=True) as ws:
        site = ws.site()
        whole = ledger.site_ledger(ws, site, *period(JUNE, TZ))
        a = ledger.site_ledger(ws, site, *period(f"2025-06-01..2025-06-{cut + 1:02d}", TZ))
        b = ledger.site_ledger(ws, site, *period(f"2025-06-{cut + 1:02d}..2025-07-01", TZ))
    for fuel in ("electricity", "gas"):
        w, x, y = whole.fuels[fuel], a.fuels[fuel], b.fuels[fuel]
        assert x.import_kwh + y.import_kwh == pytest.approx(w.import_kwh, rel=1e-9)
        assert x.cost.fixed + y.cost.fixed == pytest.approx(w.cost.fixed)
        assert x.carbon.kg + y.carbon.kg == pytest.approx(w.carbon.kg, rel=1e-9)
    # the month's demand charge, prorated by days, adds up to the whole month's charge at most
    demand = [sum(d["cost"] for d in book.fuels["electricity"].cost.demand)
              for book in (whole, a, b)]
    assert demand[1] + demand[2] <= demand[0] + 1e-6


def test_a_month_without_data_is_no_data(demo_file):
    with Workspace.open(demo_file, read_only=True) as ws:
        start, end = period("2024-08..2024-11", TZ)  # the demo starts in October 2024
        line = ledger.site_ledger(ws, ws.site(), start, end).fuels["electricity"]
    months = line.cost.months
    assert months["2024-08"] == {"kwh": None, "cost": None, "no_data": True}
    assert months["2024-10"]["kwh"] > 0 and line.coverage < 0.7


def test_describing_a_site_and_meters_is_checked_recorded_and_undone(demo_copy):
    with Workspace.open(demo_copy) as ws:
        describe.set_site(ws, None, {"floor_area_m2": 5000.0, "country": "GB",
                                     "subdivision": "ENG"}, "tester")
        assert ws.site().floor_area_m2 == 5000.0
        for values, field in (({"floor_area_m2": -3.0}, None), ({"country": "ZZ"}, "country")):
            with pytest.raises(ValidationError) as caught:
                describe.set_site(ws, None, values, "tester")
            assert field is None or caught.value.field == field
        main_id = ws.meter("Main incomer").id
        with pytest.raises(ValidationError, match="cannot be its own parent"):
            describe.set_meter(ws, "Main incomer", {"parent": "HVAC"}, "tester")
        with pytest.raises(ValidationError, match="measures"):
            describe.set_meter(ws, "HVAC", {"parent": "Gas boiler"}, "tester")
        describe.set_meter(ws, "Gas boiler", {"calorific_kwh_per_m3": 10.0}, "tester")
        assert ws.meter("Gas boiler").calorific_kwh_per_m3 == 10.0
        undone = describe.undo(ws, "tester", "meter", "Gas boiler")
        assert undone[0].field == "calorific_kwh_per_m3" and undone[0].old == 11.2
        assert ws.meter("Gas boiler").calorific_kwh_per_m3 == 11.2
        assert ws.meter("HVAC").parent_id == main_id


def test_a_tariff_of_another_fuel_is_refused(demo_copy):
    with Workspace.open(demo_copy) as ws:
        with pytest.raises(ValidationError, match="prices gas, not electricity"):
            ledger.tariff(ws, "Gas fixed 2024", "electricity")
