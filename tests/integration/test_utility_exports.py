"""The real utility exports in ../shared/data/utility_exports give what their README lists
(series, unit, count, first/last UTC, sum to 1e-6) with the flags a new user would pass — for
the files this round made right — and the same mechanisms on files of our own making (other
delimiters, languages, names and orders), so nothing hangs on one header seen once."""

from pathlib import Path

import numpy as np
import pytest

from energize_desktop.core.model import Site
from energize_desktop.imports.channels import ChannelHints
from energize_desktop.jobs.importer import ImportOptions, import_file
from energize_desktop.storage import Workspace

EXPORTS = Path(__file__).resolve().parents[3] / "shared" / "data" / "utility_exports"
pytestmark = pytest.mark.skipif(not EXPORTS.exists(), reason="utility_exports missing")
ISO = "%Y-%m-%dT%H:%M:%SZ"

# file, --tz, {series suffix: (unit, count, first UTC, last UTC, sum)} — from the README
EXPECTED = {
    "csv/Myenergi_Zappi_report.csv": (None, {
        "Diverter Energy (L1)": ("Wh", 48, "2025-07-30T00:00:00Z", "2025-07-31T23:00:00Z",
                                 35142.35),
        "Diverter Energy (L2)": ("Wh", 48, "2025-07-30T00:00:00Z", "2025-07-31T23:00:00Z",
                                 10761.52),
        "Diverter Energy (L3)": ("Wh", 48, "2025-07-30T00:00:00Z", "2025-07-31T23:00:00Z",
                                 10911.46)}),
    "csv/Fluvius_Consumption_history_electricity_15_minute_totals.csv": ("Europe/Brussels", {
        "Offtake Day": ("kWh", 3000, "2023-10-23T05:00:00Z", "2023-12-29T20:45:00Z", 723.492),
        "Offtake Night": ("kWh", 3819, "2023-10-21T22:15:00Z", "2023-12-31T22:45:00Z", 738.829),
        "Injection Day": ("kWh", 3000, "2023-10-23T05:00:00Z", "2023-12-29T20:45:00Z", 81.319),
        "Injection Night": ("kWh", 3819, "2023-10-21T22:15:00Z", "2023-12-31T22:45:00Z",
                            43.611)}),
    "csv/Fluvius_Consumption_history_gas_hourly_totals.csv": ("Europe/Brussels", {
        "m³": ("m³", 1699, "2023-10-22T04:00:00Z", "2023-12-31T22:00:00Z", 628.173),
        "kWh": ("kWh", 1699, "2023-10-22T04:00:00Z", "2023-12-31T22:00:00Z", 7095.984)}),
    "csv/United_Power_hourly_sample.csv": ("America/Denver", {
        "Energy Consumption (block 1)": ("kWh", 48, "2025-10-19T06:00:00Z",
                                         "2025-10-21T05:00:00Z", -40.59),
        "Energy Consumption (block 2)": ("kWh", 48, "2025-10-19T06:00:00Z",
                                         "2025-10-21T05:00:00Z", 72.61),
        "Energy Consumption (block 3)": ("kWh", 48, "2025-10-19T06:00:00Z",
                                         "2025-10-21T05:00:00Z", 32.06)}),
    # Green Button: values in Wh on the wire are stored in kWh (the product's energy unit)
    "greenbutton/BulkSCEUsageSummaryAndIntervalBlock.xml": (None, {
        "Monthly Electricity Consumption": ("kWh", 3, "2015-06-07T07:00:00Z",
                                            "2015-06-07T07:30:00Z", 0.620)}),
    "greenbutton/EGD_Gas_EnergyUsage_20221225_20241225.xml": (None, {
        "Meter Reading": ("m³", 20, "2022-12-03T00:00:00Z", "2024-07-04T00:00:00Z", 999.0)}),
    "greenbutton/united_power_green_button_data.xml": (None, {
        "Energy Consumption": ("kWh", 2, "2025-10-19T06:00:00Z", "2025-10-20T06:00:00Z", 72.630),
        "Energy Consumption (net)": ("kWh", 2, "2025-10-19T06:00:00Z", "2025-10-20T06:00:00Z",
                                     32.110),
        "Energy Consumption (export)": ("kWh", 2, "2025-10-19T06:00:00Z",
                                        "2025-10-20T06:00:00Z", -40.520)}),
    "nem12/Example_NEM12_multiple_meters.csv": (None, {
        "NCDE001111 E1": ("Wh", 192, "2003-12-03T14:00:00Z", "2003-12-05T13:45:00Z", 1920.0),
        "NCDE001111 Q1": ("varh", 192, "2003-12-03T14:00:00Z", "2003-12-05T13:45:00Z", 9600.0),
        "NDDD001888 B1": ("Wh", 192, "2003-12-03T14:00:00Z", "2003-12-05T13:45:00Z", 3840.0)}),
}


def _series(ws) -> dict:
    out = {}
    for m in ws.meters():
        frame = ws.queries.readings([m.id])
        ts = frame["ts"].to_numpy()
        out[m.name] = (m.unit, frame.height, ts.min(), ts.max(), float(frame["value"].sum()), m)
    return out


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_real_export_gives_what_its_readme_lists(tmp_path, name):
    tz, expected = EXPECTED[name]
    with Workspace.create(tmp_path / "w.energize") as ws:
        import_file(ws, EXPORTS / name, ImportOptions(tz=tz))
        got = _series(ws)
    for suffix, (unit, count, first, last, total) in expected.items():
        match = [k for k in got if k == suffix or k.endswith(" – " + suffix) or
                 k.endswith(" " + suffix)]
        assert len(match) == 1, (suffix, sorted(got))
        g_unit, g_count, g_first, g_last, g_sum, _m = got[match[0]]
        assert (g_unit, g_count) == (unit, count)
        assert np.datetime_as_string(g_first, "s") + "Z" == first
        assert np.datetime_as_string(g_last, "s") + "Z" == last
        assert g_sum == pytest.approx(total, rel=1e-6)


def test_split_series_know_their_fuel_and_direction(tmp_path):
    with Workspace.create(tmp_path / "w.energize") as ws:
        import_file(ws, EXPORTS / "csv/Fluvius_Consumption_history_gas_hourly_totals.csv",
                    ImportOptions(tz="Europe/Brussels"))
        import_file(ws, EXPORTS /
                    "csv/Fluvius_Consumption_history_electricity_15_minute_totals.csv",
                    ImportOptions(tz="Europe/Brussels"))
        roles = {m.name.split(" – ")[-1]: (m.fuel, m.effective_role.value) for m in ws.meters()}
    assert roles["kWh"] == ("gas", "other")  # the same gas as the m³: never added twice
    assert roles["m³"] == ("gas", "import")
    assert roles["Injection Day"] == ("electricity", "export")
    assert roles["Offtake Night"] == ("electricity", "import")


def test_a_register_column_in_another_language_and_layout(tmp_path):
    """Dutch headers, tab-separated, decimal commas, the direction before the meter."""
    lines = ["Datum\tTijd\tRichting\tMeternummer\tWaarde"]
    t0 = np.datetime64("2024-03-13T00:00")  # a day above 12: the order is plain
    for i in range(96):
        t = t0 + np.timedelta64(15 * i, "m")
        d, c = str(t)[:10], str(t)[11:16]
        lines.append(f"{d[8:]}-{d[5:7]}-{d[:4]}\t{c}\tAfname\tE0042\t{0.25 + i % 4 * 0.01:.3f}"
                     .replace(".", ","))
        lines.append(f"{d[8:]}-{d[5:7]}-{d[:4]}\t{c}\tInjectie\tE0042\t{i % 3 * 0.1:.3f}"
                     .replace(".", ","))
    path = tmp_path / "verbruik.tsv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with Workspace.create(tmp_path / "w.energize") as ws:
        ws.add_site(Site("Huis", "Europe/Amsterdam"))
        import_file(ws, path, ImportOptions(site="Huis", hints=ChannelHints(unit="kWh")))
        got = _series(ws)
    assert set(got) == {"E0042 – Afname", "E0042 – Injectie"}
    assert got["E0042 – Afname"][1] == got["E0042 – Injectie"][1] == 96
    assert got["E0042 – Afname"][4] == pytest.approx(sum(0.25 + i % 4 * 0.01 for i in range(96)))
    assert got["E0042 – Injectie"][4] == pytest.approx(sum(i % 3 * 0.1 for i in range(96)))


def test_several_value_columns_of_one_device_are_each_a_series(tmp_path):
    rows = ["device;time;E phase 1 [kWh];E phase 2 [kWh];E phase 3 [kWh]"]
    for h in range(48):
        rows.append(f"inv-7;2024-05-01T{h % 24:02d}:00:00+02:00;{h}.5;{2 * h};1".replace(
            "2024-05-01", "2024-05-01" if h < 24 else "2024-05-02"))
    path = tmp_path / "phases.csv"
    path.write_text("\n".join(rows) + "\n")
    with Workspace.create(tmp_path / "w.energize") as ws:
        import_file(ws, path, ImportOptions(tz="UTC"))
        got = _series(ws)
    assert sorted(got) == ["inv-7 – E phase 1", "inv-7 – E phase 2", "inv-7 – E phase 3"]
    assert got["inv-7 – E phase 2"][4] == pytest.approx(2 * sum(range(48)))
    assert got["inv-7 – E phase 3"][0] == "kWh"  # nothing dropped, units from the headers


def test_nem12_without_its_100_header_is_still_nem12(tmp_path):
    """A distributor download that starts at its 200 record (and has no 900): the same six
    series and sums as the whole file, and a note that the header was missing."""
    lines = (EXPORTS / "nem12/Example_NEM12_multiple_meters.csv").read_text().splitlines()
    path = tmp_path / "download.csv"
    path.write_text("\n".join(ln for ln in lines if not ln.startswith(("100,", "900"))) + "\n")
    with Workspace.create(tmp_path / "w.energize") as ws:
        report = import_file(ws, path, ImportOptions())
        got = _series(ws)
    assert len(got) == 6 and sum(v[1] for v in got.values()) == 6 * 192
    assert got["NCDE001111 E2"][4] == pytest.approx(19200.0)
    assert any("no 100 header" in n for n in report.notes)


def test_a_new_site_takes_the_files_zone_or_this_computers_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "Europe/Amsterdam")
    with Workspace.create(tmp_path / "a.energize") as ws:
        report = import_file(ws, EXPORTS / "csv/HomeWizard_2022-09_15min_elec.csv",
                             ImportOptions())
        zone = ws.site().timezone
        first = _series(ws)["Import T1"][2]
    assert zone == "Europe/Amsterdam" and "this computer's zone" in report.notes[0]
    assert np.datetime_as_string(first, "s") == "2022-08-31T22:00:00"  # as its README says
    with Workspace.create(tmp_path / "b.energize") as ws:
        report = import_file(ws, EXPORTS / "nem12/Example_NEM12_multiple_meters.csv",
                             ImportOptions())
        assert ws.site().timezone == "Australia/Brisbane"
    assert "the file's own time" in report.notes[0]


def _report(tmp_path, bad_value=None) -> Path:
    """A portal report of our own: '#' banners, titled blocks, periods with ' - '."""
    out = ["#######", "Account 42", "#######"]
    for title, base in (("Type of reading: Import", 1.0), ("Type of reading: Export", 0.2)):
        out += [title, "#######", "Period,Energy (kilowatt-hours)"]
        for h in range(24):
            value = bad_value if (bad_value and h == 5 and base == 1.0) else f"{base + h / 100:.2f}"
            out.append(f"2024-02-03 {h:02d}:00 - 2024-02-0{3 + (h == 23)} "
                       f"{(h + 1) % 24:02d}:00,{value}")
        out += ["", "#######"]
    path = tmp_path / "report.csv"
    path.write_text("\n".join(out) + "\n")
    return path


def test_a_report_of_titled_blocks_of_periods(tmp_path):
    with Workspace.create(tmp_path / "w.energize") as ws:
        report = import_file(ws, _report(tmp_path), ImportOptions(tz="UTC"))
        got = _series(ws)
    assert sorted(got) == ["Export", "Import"] and report.format.startswith("CSV report")
    assert got["Import"][1] == 24 and got["Import"][0] == "kWh"
    assert got["Export"][4] == pytest.approx(sum(0.2 + h / 100 for h in range(24)))
    assert np.datetime_as_string(got["Import"][2], "m") == "2024-02-03T00:00"  # the start


def test_a_bad_value_in_a_block_names_the_users_file_and_block(tmp_path):
    from energize_desktop.core.errors import EnergizeError

    path = _report(tmp_path, bad_value="n/a?")
    with Workspace.create(tmp_path / "w.energize") as ws:
        with pytest.raises(EnergizeError) as e:
            import_file(ws, path, ImportOptions(tz="UTC"))
        assert ws.meters() == []  # nothing half-written
    assert str(path) in str(e.value) and "block 1" in str(e.value) and "tmp" not in \
        str(e.value).replace(str(tmp_path), "")
