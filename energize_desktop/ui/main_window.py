"""The main window: sites and meters on the left, the selected meter's chart on the right."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QProgressBar, QPushButton, QSplitter

from energize_desktop.core.rollup import Level
from energize_desktop.ui.alert_tray import AlertTray, QtAlertChannel
from energize_desktop.ui.anomaly_panel import AnomalyPanel
from energize_desktop.ui.dialogs import Dialogs
from energize_desktop.ui.meter_tree import MeterTree
from energize_desktop.ui.series_chart import SeriesChart


class MainWindow(QMainWindow):
    def __init__(self, service, dialogs: Dialogs | None = None, open_demo=None):
        super().__init__()
        self.service = service
        self.dialogs = dialogs or Dialogs(self)
        self._open_demo = open_demo
        self.setWindowTitle("Energize")
        self.resize(1200, 760)
        self.tree = MeterTree()
        self.chart = SeriesChart()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.tree)
        splitter.addWidget(self.chart)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([330, 870])
        self.setCentralWidget(splitter)
        self.status = QLabel("No workspace open")
        self.statusBar().addWidget(self.status)
        self.anomalies = AnomalyPanel(self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.anomalies)
        self.anomalies.hide()
        self._build_progress()
        self.alert_channel = QtAlertChannel(self)  # live alerting notifies the window here
        self.alert_tray = AlertTray(self.alert_channel, self.status, self)
        self._job = None
        self._build_menu()
        self.tree.meter_selected.connect(self._meter_selected)
        service.series_ready.connect(self._series_ready)
        service.failed.connect(self._failed)
        service.opened.connect(self._opened)
        service.detection_progress.connect(self._detection_progress)
        service.detection_done.connect(self._detection_done)

    def _build_progress(self) -> None:
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel_job)
        for w in (self.progress, self.cancel_button):
            self.statusBar().addPermanentWidget(w)
            w.hide()

    def _build_menu(self) -> None:
        menu = self.menuBar().addMenu("&File")
        actions = [("&Open workspace…", QKeySequence.StandardKey.Open, self.open_workspace),
                   ("Open &demo workspace", "Ctrl+Shift+D", self.open_demo),
                   ("&Quit", QKeySequence.StandardKey.Quit, self.close)]
        self._add_actions(menu, actions)
        analyse = self.menuBar().addMenu("&Analyse")
        self._add_actions(analyse, [("&Detect anomalies", "Ctrl+D", self.detect_anomalies),
                                    ("Cancel running job", "Esc", self.cancel_job)])

    def _add_actions(self, menu, actions) -> None:
        for text, key, slot in actions:
            action = QAction(text, self)
            action.setShortcut(key)
            action.triggered.connect(slot)
            menu.addAction(action)

    # -- actions --------------------------------------------------------------------------------
    def open_workspace(self) -> None:
        path = self.dialogs.open_file("Open workspace", "Energize workspace (*.energize);;"
                                      "All files (*)")
        if path:
            self.open_path(Path(path))

    def open_demo(self) -> None:
        if self._open_demo:
            self.open_path(self._open_demo())

    def open_path(self, path: Path) -> bool:
        try:
            self.service.open(path)
        except Exception as exc:  # shown to the user; the previous workspace stays open
            self.dialogs.error("Cannot open workspace", str(exc))
            return False
        return True

    def detect_anomalies(self) -> None:
        if self.service.ws is None or self._job is not None:
            return
        self.progress.setRange(0, max(1, len(self.service.meters())))
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()
        self.status.setText("Detecting anomalies…")
        self._job = self.service.detect()

    def cancel_job(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self.status.setText("Cancelling after the current meter…")

    # -- service events -------------------------------------------------------------------------
    def _opened(self, path) -> None:
        self.setWindowTitle(f"{Path(path).name} — Energize")
        self.tree.populate(self.service.sites(), self.service.meters)
        meters = self.service.meters()
        self.status.setText(f"{Path(path).name}: {len(self.service.sites())} site(s), "
                            f"{len(meters)} meter(s)")
        self.chart.clear()
        if meters:
            self.tree.select_meter(meters[0].id)

    def _meter_selected(self, meter_id: int) -> None:
        self.status.setText("Loading…")
        self.service.request_series(meter_id, Level.HOUR)

    def _series_ready(self, series) -> None:
        self.chart.show_series(series)
        gaps = series.gap_count
        self.status.setText(f"{series.meter.name}: {len(series.x):,} hours shown, "
                            f"{gaps} gap{'s' if gaps != 1 else ''}")

    def _detection_progress(self, done: int, total: int, meter: str) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.status.setText(f"Detecting anomalies: {done}/{total} meters ({meter})")

    def _detection_done(self, result) -> None:
        self._job = None
        self.progress.hide()
        self.cancel_button.hide()
        alarms = [e for e in result.events if e.severity.value != "info"]
        self.anomalies.show_events(result.events)
        self.anomalies.show()
        stopped = " (cancelled: meters not yet scored are left as they were)" \
            if result.cancelled else ""
        self.status.setText(f"{len(alarms)} alarm(s) and {len(result.events) - len(alarms)} "
                            f"finding(s) in {result.meters_done} meter(s){stopped}")

    def _failed(self, message: str) -> None:
        if self._job is not None and message.startswith("Detection"):
            self._job = None
            self.progress.hide()
            self.cancel_button.hide()
        self.status.setText(message)
        self.dialogs.error("Energize", message)

    def closeEvent(self, event) -> None:
        self.service.close()
        super().closeEvent(event)
