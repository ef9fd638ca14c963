"""Setting a workspace up in the window: meter properties (checked as you type, recorded, Edit ›
Undo), a virtual meter, tariffs and carbon factors opened from the Overview's hints, and an
alert rule tried on history — each error naming its field."""

import numpy as np

from energize_desktop.ui.dialogs import RecordingDialogs
from tests.gui.test_pages import _opened


def _meter(service, name):
    return next(m for m in service.meters() if m.name == name)


def _select(qtbot, win, service, name):
    meter = _meter(service, name)
    win.tree.select_meter(meter.id)
    qtbot.waitUntil(lambda: win._selected == meter.id, timeout=10_000)
    return meter


def test_meter_properties_are_checked_as_you_type_saved_and_undone(qtbot, demo_copy):
    service, win = _opened(qtbot, demo_copy, RecordingDialogs())
    main = _select(qtbot, win, service, "Main incomer")
    dialog = win.edit_meter()
    assert dialog.isVisible() and dialog.name.text() == "Main incomer"
    dialog.name.setText("")
    assert dialog.problem_label.text().startswith("Name:") and not dialog.save_button.isEnabled()
    dialog.name.setText("Lighting")
    assert "another meter on this site" in dialog.problem_label.text()
    hvac = _meter(service, "HVAC")
    dialog.name.setText("Main incomer")
    dialog.parent_meter.setCurrentIndex(dialog.parent_meter.findData(str(hvac.id)))
    assert dialog.problem_label.text().startswith("Parent meter:")  # HVAC is inside it
    assert "cannot be its own parent" in dialog.problem_label.text()
    dialog.parent_meter.setCurrentIndex(0)
    dialog.name.setText("Incomer (main board)")
    assert dialog.problem_label.text() == "" and dialog.save_button.isEnabled()
    dialog.save()
    assert service.ws.meter(main.id).name == "Incomer (main board)"
    assert any(i.text(0) == "Incomer (main board)" for i in win.tree.meter_items())
    assert "Edit › Undo" in win.status.text()
    assert win.keys.undo_action.text().startswith("&Undo meter properties")
    win.keys.undo()
    assert service.ws.meter(main.id).name == "Main incomer"
    assert any(i.text(0) == "Main incomer" for i in win.tree.meter_items())
    service.close()


def test_a_virtual_meter_is_made_from_a_formula_checked_as_you_type(qtbot, demo_copy):
    service, win = _opened(qtbot, demo_copy, RecordingDialogs())
    dialog = win.new_virtual_meter()
    dialog.name.setText("Landlord supply")
    dialog.formula.setText("Main incomer - Nowhere")
    assert dialog.problem_label.text().startswith("Formula:") and "Nowhere" in \
        dialog.problem_label.text()
    dialog.formula.setText("Main incomer - Outdoor temperature")
    assert "level that does not add up" in dialog.problem_label.text()
    dialog.formula.setText("Main incomer - Server room")
    assert dialog.problem_label.text() == ""
    dialog.save()
    made = _meter(service, "Landlord supply")
    assert made.formula and not dialog.isVisible()
    assert any(i.text(0) == "Landlord supply" for i in win.tree.meter_items())
    # its energy is the difference of its terms, hour by hour (the terms read as measured)
    from datetime import datetime, timezone

    q = service.ws.queries
    start, end = datetime(2025, 1, 6, tzinfo=timezone.utc), datetime(2025, 1, 13,
                                                                     tzinfo=timezone.utc)

    def amounts(meter):
        return q.rollup("hour", [meter.id], start, end)["amount"].to_numpy()

    got = amounts(made)
    assert len(got) == 168
    expected = amounts(_meter(service, "Main incomer")) - amounts(_meter(service, "Server room"))
    assert np.allclose(got, expected)
    service.close()


def test_the_overview_hint_opens_the_tariff_editor_and_the_card_follows(qtbot, demo_copy):
    from energize_desktop.storage import Workspace
    from energize_desktop.storage.energy_terms import TariffStore

    with Workspace.open(demo_copy) as ws:  # a building with no tariff kept yet
        for name in TariffStore(ws).names():
            TariffStore(ws).remove(name)
    service, win = _opened(qtbot, demo_copy, RecordingDialogs())
    qtbot.waitUntil(lambda: any(c.title.text() == "Cost this month" for c in win.overview.cards),
                    timeout=30_000)
    cost = next(c for c in win.overview.cards if c.title.text() == "Cost this month")
    assert cost.value.text() == "—" and not cost.button.isHidden()
    assert cost.button.text() == "Add a tariff…"
    cost.button.click()
    editor = win.editor
    assert type(editor).__name__ == "TariffEditor" and editor.isVisible()
    editor.editor.setPlainText('{"name": "Shop", "versions": [')
    assert editor.problem_label.text().startswith("JSON, line 1, column")
    editor.editor.setPlainText('{"name": "Shop", "fuel": "electricity", "versions": [{"rates": '
                               '[{"name": "peak", "per_kwh": 0.3, "windows": [{"from": "25:00",'
                               ' "to": "19:00"}]}, {"name": "rest", "per_kwh": 0.2}]}]}')
    assert "versions[0].rates[0].windows[0].from" in editor.problem_label.text()
    assert not editor.save_button.isEnabled()
    editor.template.setCurrentText("Flat rate")
    editor.set_definition({"name": "Flat 25p", "fuel": "electricity", "currency": "GBP",
                           "versions": [{"valid_from": "2024-01-01", "fixed_per_day": 0.6,
                                         "rates": [{"name": "all day", "per_kwh": 0.25}]}]})
    assert editor.problem_label.text() == "" and "0.25/kWh" in editor.summary.text()
    editor.save()
    assert "Electricity is priced on it" in editor.message.text()
    assert "[electricity] Flat 25p (default)" in editor.kept.item(0).text()
    prices = demo_copy.parent / "agile.csv"  # dynamic prices attached to it
    prices.write_text("timestamp,price_per_kwh\n" + "".join(
        f"2025-10-01T{h:02d}:{m:02d}:00+00:00,{0.1 + h / 100:.3f}\n"
        for h in range(24) for m in (0, 30)))
    assert editor.attach_prices(str(prices)) == 48
    assert "48 prices every 30 min" in editor.message.text()
    from energize_desktop.jobs import ledger

    attached = ledger.load_tariff(service.ws, "Flat 25p").prices
    assert attached is not None and attached.step_s == 1800
    bad = demo_copy.parent / "bad.csv"
    bad.write_text("timestamp,price_per_kwh\n2025-10-01T00:00:00+00:00,cheap\n")
    assert editor.attach_prices(str(bad)) == 0
    assert "bad.csv" in editor.problem_label.text() or "line 2" in editor.problem_label.text()
    # removing it is undone by Edit › Undo: definition, prices and default come back
    editor.kept.setCurrentRow(0)
    editor.remove()
    assert ledger.tariff_names(service.ws) == [] and "Undo" in editor.message.text()
    assert win.keys.undo_action.text() == "&Undo removal of tariff 'Flat 25p'"
    win.keys.undo()
    assert ledger.tariff_names(service.ws) == ["Flat 25p"]
    assert ledger.default_tariff(service.ws, "electricity") == "Flat 25p"
    assert ledger.load_tariff(service.ws, "Flat 25p").prices.step_s == 1800
    with qtbot.waitSignal(service.overview_ready, timeout=30_000):
        editor.close()
    cost = next(c for c in win.overview.cards if c.title.text() == "Cost this month")
    assert cost.value.text().startswith("GBP ") and "electricity on Flat 25p" in \
        cost.detail.text()
    assert "gas not priced" in cost.detail.text() and not cost.button.isHidden()
    service.close()


def test_carbon_factors_are_rows_each_checked_and_kept(qtbot, demo_copy):
    from energize_desktop.storage.energy_terms import CarbonStore

    service, win = _opened(qtbot, demo_copy, RecordingDialogs())
    editor = win.edit_factors()
    editor.set_name.setCurrentText("heat")
    assert editor.table.rowCount() == 0
    editor.add_row(["2025-01-01", "", "0.21", ""])
    assert editor.problem_label.text() == "Row 1: a factor needs its source (publisher, table, " \
                                          "year)"
    editor.table.item(0, 3).setText("Supplier 2025 heat network declaration")
    editor.add_row(["2026-13-01", "", "0.2", "x"])
    assert editor.problem_label.text().startswith("Row 2:") and "month" in \
        editor.problem_label.text()
    editor.table.item(1, 0).setText("2026-01-01")
    assert editor.problem_label.text() == ""
    editor.save()
    rows = CarbonStore(service.ws).factors("heat")
    assert [(r["valid_from"], r["valid_to"], r["kg_per_kwh"]) for r in rows] == [
        ("2025-01-01", "2026-01-01", 0.21), ("2026-01-01", None, 0.2)]  # open end closed
    win.keys.undo()  # the set as it was: empty
    assert CarbonStore(service.ws).factors("heat") == []
    editor.close()
    service.close()


def test_an_alert_rule_is_tried_on_history_then_kept(qtbot, demo_copy):
    from energize_desktop.core.timezones import US
    from energize_desktop.jobs.detection import meter_series
    from energize_desktop.storage.alerts import AlertStore

    service, win = _opened(qtbot, demo_copy, RecordingDialogs())
    main = _select(qtbot, win, service, "Main incomer")
    editor = win.edit_rules()
    assert editor.meter.currentData() == main.id
    editor.name.setText("Incomer over 150 kW")
    editor.kind.setCurrentText("above")
    editor.limit.setText("lots")
    assert editor.problem_label.text() == "Limit: 'lots' is not a number"
    editor.limit.setText("150")
    assert editor.problem_label.text() == ""
    found = editor.try_on_history()
    assert editor.tried.count() == len(found) > 0
    # the oracle: each run of 15-minute power above 150 kW is one alert (a gap never clears)
    end = int(service.ws.queries.summaries()[main.id].last.timestamp() * US)
    s = meter_series(service.ws, main, 900, end - 365 * 86_400 * US, end)
    kw = s.values / 0.25
    kw = kw[np.isfinite(kw)]
    above = kw > 150
    runs = int(above[0]) + int(np.sum(above[1:] & ~above[:-1]))
    assert len(found) == runs
    assert f"raised {runs} alert(s)" in editor.message.text()
    editor.save()
    rows = AlertStore(service.ws).rule_rows()
    assert [r["name"] for r in rows] == ["Incomer over 150 kW"] and rows[0]["enabled"]
    assert rows[0]["meter_id"] == main.id
    from PySide6.QtCore import Qt

    editor.kept.item(0).setCheckState(Qt.CheckState.Unchecked)
    assert not AlertStore(service.ws).rule_rows()[0]["enabled"]
    win.keys.undo()  # the switch taken back, then the rule itself
    assert AlertStore(service.ws).rule_rows()[0]["enabled"]
    win.keys.undo()
    assert AlertStore(service.ws).rule_rows() == []
    editor.close()
    service.close()
