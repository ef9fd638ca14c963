"""The one time range over Explorer, Shapes and Baselines: presets count back from the latest
reading, back/forward move by one span (months by months), a zoom on the chart shows as a
custom range, the range holds when another meter is chosen and is kept per workspace."""

from datetime import date

from energize_desktop.runtime.workspace_service import WorkspaceService
from energize_desktop.ui.dialogs import RecordingDialogs
from energize_desktop.ui.main_window import MainWindow
from energize_desktop.ui.time_range import TimeRange, preset_range, shifted


def test_presets_count_from_the_latest_reading():
    first, last = date(2024, 1, 1), date(2025, 10, 31)
    assert preset_range("Last 24 hours", first, last) == (date(2025, 10, 31), date(2025, 11, 1))
    assert preset_range("Last 7 days", first, last) == (date(2025, 10, 25), date(2025, 11, 1))
    assert preset_range("This month", first, last) == (date(2025, 10, 1), date(2025, 11, 1))
    assert preset_range("Last month", first, last) == (date(2025, 9, 1), date(2025, 10, 1))
    assert preset_range("This year", first, last) == (date(2025, 1, 1), date(2025, 11, 1))
    assert preset_range("Last year", first, last) == (date(2024, 1, 1), date(2025, 1, 1))
    assert preset_range("All", first, last) == (first, date(2025, 11, 1))
    assert preset_range("Last month", first, date(2025, 1, 15)) == (date(2024, 12, 1),
                                                                     date(2025, 1, 1))


def test_back_and_forward_move_by_one_span():
    assert shifted(date(2025, 3, 1), date(2025, 4, 1), -1) == (date(2025, 2, 1), date(2025, 3, 1))
    assert shifted(date(2025, 1, 1), date(2026, 1, 1), -1) == (date(2024, 1, 1), date(2025, 1, 1))
    assert shifted(date(2025, 3, 3), date(2025, 3, 10), 1) == (date(2025, 3, 10),
                                                               date(2025, 3, 17))


def test_the_control_emits_once_per_choice_and_keeps_custom_dates(qtbot):
    control = TimeRange()
    qtbot.addWidget(control)
    control.set_data_span(date(2024, 1, 1), date(2025, 10, 31))
    got = []
    control.changed.connect(lambda a, b: got.append((a, b)))
    control.preset.setCurrentText("Last month")
    assert len(got) == 1 and control.days() == (date(2025, 9, 1), date(2025, 10, 1))
    control.back.click()
    assert control.days() == (date(2025, 8, 1), date(2025, 9, 1))
    assert control.preset.currentText() == "Custom" and len(got) == 2
    kept = control.saved()
    assert kept == "Custom|2025-08-01|2025-09-01"
    other = TimeRange()
    qtbot.addWidget(other)
    other.restore(kept)
    assert other.days() == (date(2025, 8, 1), date(2025, 9, 1))
    other.restore("nonsense")
    assert other.preset.currentText() == "All"


def test_the_range_moves_the_explorer_holds_across_meters_and_is_kept(qtbot, demo_copy):
    service = WorkspaceService()
    win = MainWindow(service, dialogs=RecordingDialogs())
    qtbot.addWidget(win)
    with qtbot.waitSignal(service.series_ready, timeout=30_000):
        win.open_path(demo_copy)
    win.pages.setCurrentWidget(win.chart)
    assert win.time_range.isVisibleTo(win)
    last = max(b for _, b in service.data_ranges().values())
    win.time_range.preset.setCurrentText("Last 7 days")
    a, b = win.chart.visible_range()
    assert (b - a) == 7 * 86400
    meters = service.meters()
    with qtbot.waitSignal(service.series_ready, timeout=30_000):
        win.tree.select_meter(meters[1].id)
    assert win.chart.visible_range() == (a, b), "the range holds when another meter is chosen"
    win.pages.setCurrentWidget(win.importer)
    assert not win.time_range.isVisibleTo(win)  # only over the pages it moves
    win.chart.plot.setXRange(a - 86400, b, padding=0)  # a zoom out by a day, as the wheel does
    qtbot.waitUntil(lambda: win.time_range.preset.currentText() == "Custom", timeout=5_000)
    assert win.time_range.days()[1].toordinal() == last.toordinal() + 1
    service.close()
    again = MainWindow(WorkspaceService(), dialogs=RecordingDialogs())
    qtbot.addWidget(again)
    with qtbot.waitSignal(again.service.series_ready, timeout=30_000):
        again.open_path(demo_copy)
    assert again.time_range.preset.currentText() == "Custom"
    assert again.time_range.days() == win.time_range.days()
    again.service.close()
