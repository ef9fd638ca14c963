"""The first window: the meters of the open workspace and a chart whose gaps stay gaps."""

import numpy as np
import pytest

from energize_desktop.runtime.workspace_service import WorkspaceService
from energize_desktop.ui.dialogs import RecordingDialogs
from energize_desktop.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, demo_file):
    service = WorkspaceService()
    dialogs = RecordingDialogs()
    win = MainWindow(service, dialogs=dialogs)
    qtbot.addWidget(win)
    with qtbot.waitSignal(service.series_ready, timeout=20_000):
        assert win.open_path(demo_file)
    yield win
    service.close()


def test_tree_lists_the_sites_meters(window):
    names = [item.text(0) for item in window.tree.meter_items()]
    assert names[0] == "Main incomer" and "Outdoor temperature" in names and len(names) == 10
    virtual = window.tree.meter_items()[-1]  # the demo's consumption, computed from 3 meters
    assert virtual.text(0) == "Building consumption" and virtual.text(2) == "virtual"
    assert "demo.energize" in window.windowTitle()


def test_selecting_a_meter_charts_it_with_its_gaps(qtbot, window):
    with qtbot.waitSignal(window.service.series_ready, timeout=20_000) as blocker:
        window.tree.select_meter(9)
    series = blocker.args[0]
    assert series.meter.name == "Outdoor temperature" and series.unit == "°C"
    assert series.gap_count >= 1
    x, y = window.chart.curve.getData()
    assert np.isnan(y).any(), "a gap was drawn as a line or a zero"
    assert np.nanmin(y) > -20 and np.nanmax(y) < 40
    assert "gap" in window.status.text()


def test_energy_meters_are_charted_as_average_power(qtbot, window):
    with qtbot.waitSignal(window.service.series_ready, timeout=20_000) as blocker:
        window.tree.select_meter(2)
    series = blocker.args[0]
    assert series.unit == "kW" and 0 < np.nanmedian(series.y) < 100


def test_opening_a_bad_file_says_why_and_keeps_the_workspace(window, tmp_path):
    bad = tmp_path / "bad.energize"
    bad.write_text("not a workspace")
    assert not window.open_path(bad)
    assert "not an Energize workspace" in window.dialogs.errors[-1][1]
    assert len(window.tree.meter_items()) == 10


def test_detection_runs_in_the_background_with_progress(qtbot, window):
    steps = []
    window.service.jobs.progress.connect(lambda j, d, t, m: steps.append((d, t)))
    with qtbot.waitSignal(window.service.jobs.finished, timeout=60_000) as blocker:
        window.detect_anomalies()
        assert not window.progress.isHidden()  # shown while it runs
    result = blocker.args[1]
    assert not result.cancelled and result.meters_done == 10
    assert steps[-1] == (10, 10) and [d for d, _ in steps] == sorted(d for d, _ in steps)
    assert window.anomalies.table.rowCount() == len(result.events) > 0
    assert "alarm(s)" in window.status.text() and window.progress.isHidden()


def test_a_cancelled_detection_keeps_what_it_finished(qtbot, window):
    with qtbot.waitSignal(window.service.jobs.finished, timeout=60_000) as blocker:
        window.detect_anomalies()
        window.cancel_job()
    result = blocker.args[1]
    assert result.cancelled and result.meters_done < 9
    assert "cancelled" in window.status.text()


def test_an_alert_from_another_thread_reaches_the_window(qtbot, window):
    import threading

    alert = {"id": 3, "rule": "Main overload", "meter": "Main incomer", "severity": "critical",
             "message": "310.00 kW is above 250.00 kW", "value": 310.0}
    with qtbot.waitSignal(window.alert_tray.shown, timeout=10_000) as blocker:
        threading.Thread(target=window.alert_channel.notify, args=(alert,)).start()
    assert blocker.args[0] == "Critical: Main overload — Main incomer"
    assert "310.00 kW is above 250.00 kW" in window.status.text()
