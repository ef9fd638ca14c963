"""End to end through the window: open the demo workspace from the File menu, run detection
from the Analyse menu, acknowledge an alert, and generate the PDF report — no terminal."""

import shutil
import subprocess

import pytest

from energize_desktop.runtime.workspace_service import WorkspaceService
from energize_desktop.ui.dialogs import RecordingDialogs
from energize_desktop.ui.main_window import MainWindow


def _action(window, text):
    for menu in window.menuBar().actions():
        for action in menu.menu().actions():
            if action.text().replace("&", "") == text:
                return action
    raise AssertionError(f"no menu action {text!r}")


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing")
def test_open_detect_acknowledge_and_report(qtbot, demo_copy, tmp_path):
    from energize_desktop.storage import Workspace
    from energize_desktop.storage.alerts import AlertStore

    with Workspace.open(demo_copy) as ws:  # an alert the live engine raised earlier
        store = AlertStore(ws)
        rule = store.add_rule("HVAC high", '{"kind": "above", "limit": 40}', meter_id=2)
        store.open(rule, 2, "warning", "HVAC above 40 kW for 15 min")
    out = tmp_path / "audit.pdf"
    dialogs = RecordingDialogs([str(demo_copy), "seen, fans scheduled", str(out)])
    service = WorkspaceService()
    win = MainWindow(service, dialogs=dialogs)
    qtbot.addWidget(win)
    with qtbot.waitSignal(service.series_ready, timeout=30_000):
        _action(win, "Open workspace…").trigger()
    with qtbot.waitSignal(service.jobs.finished, timeout=90_000) as detected:
        _action(win, "Detect anomalies").trigger()
    assert detected.args[1].events and win.anomalies.table.rowCount() > 0
    alerts = win.anomalies.alerts
    alerts.selectRow(0)
    win.anomalies.ack_button.click()
    assert alerts.item(0, 1).text() == "acknowledged"
    win.pages.setCurrentWidget(win.reports)
    win.reports.period.setText("2025-01-01..2025-04-01")
    with qtbot.waitSignal(service.jobs.finished, timeout=120_000):
        win.reports.generate_button.click()
    assert dialogs.opened == [str(out)] and "Wrote" in win.reports.message.text()
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "HVAC above 40 kW" in text and "acknowledged" in text  # the alert, with its state
    assert "Anomalies and alerts" in text and "HVAC" in text
    service.close()
