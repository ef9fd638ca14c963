"""The main window: sites and meters on the left; pages on the right — Overview, Explorer (the
selected meters' chart), Shapes (carpet, load duration, day profiles) and Anomalies."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from energize_desktop.core.rollup import Level
from energize_desktop.ui.alert_tray import AlertTray, QtAlertChannel
from energize_desktop.ui.anomaly_panel import AnomalyPanel
from energize_desktop.ui.baseline_page import BaselinePage
from energize_desktop.ui.connections_page import ConnectionsPage
from energize_desktop.ui.dialogs import Dialogs
from energize_desktop.ui.finding_actions import FindingActions
from energize_desktop.ui.help_menu import WindowKeys
from energize_desktop.ui.import_page import ImportPage
from energize_desktop.ui.meter_tree import MeterTree
from energize_desktop.ui.overview_page import OverviewPage
from energize_desktop.ui.page_jobs import PageJobs
from energize_desktop.ui.reports_page import ReportsPage
from energize_desktop.ui.series_chart import SeriesChart
from energize_desktop.ui.settings_page import SettingsPage
from energize_desktop.ui.setup_actions import SetupActions
from energize_desktop.ui.shapes_page import ShapesPage
from energize_desktop.ui.site_actions import SiteActions
from energize_desktop.ui.time_actions import TimeActions
from energize_desktop.ui.window_support import apply_theme, icon

PAGES = ("Overview", "Explorer", "Shapes", "Anomalies", "Baselines", "Connections", "Import",
         "Reports", "Settings")


class MainWindow(SiteActions, SetupActions, TimeActions, FindingActions, PageJobs, QMainWindow):
    def __init__(self, service, dialogs: Dialogs | None = None, open_demo=None):
        from energize_desktop import preferences

        super().__init__()
        self.prefs, prefs_warning = preferences.load()
        self.service = service
        self.dialogs = dialogs or Dialogs(self)
        self._open_demo = open_demo
        self._selected = None  # the meter chosen in the tree
        self._job = self._import_job = self._sync_job = None  # the running tasks (cancel())
        self.live = None  # runtime.live_session.LiveSession while acquiring
        self._geometry_restored = False
        self.theme_override: str | None = None  # `gui --theme`: this run only, never saved
        self.setWindowTitle("Energize")
        self.resize(1200, 760)
        self._build_pages()
        self._build_layout()
        self._build_progress()
        self._build_menu()
        self.keys = WindowKeys(self, PAGES)  # Edit › Undo, Help and F1, page keys, sidebar
        self.keys.edit_menu.addSeparator()
        self._add_actions(self.keys.edit_menu, [("Site &properties…", "Ctrl+Shift+P",
                                                 self.edit_site), *self.setup_actions()])
        apply_theme(self.prefs.theme)
        self.chart.unit_system = self.prefs.units
        if prefs_warning:
            self.status.setText(prefs_warning)
        self._wire_pages()
        self._wire_service()
        self._show_time_range()

    def _build_pages(self) -> None:
        from PySide6.QtCore import QTimer

        from energize_desktop import paths, preferences

        self.tree = MeterTree()
        self.overview = OverviewPage()
        self.chart = SeriesChart()
        self.shapes = ShapesPage()
        self.anomalies = AnomalyPanel()
        self.baselines = BaselinePage()
        self.settings = SettingsPage(self.prefs, preferences.keyring_status,
                                     str(paths.data_dir()))
        self._sync_timer = QTimer(self)
        self.importer = ImportPage(self.dialogs)
        self.connections = ConnectionsPage()
        self.reports = ReportsPage(self.dialogs)
        self.pages = QTabWidget()
        for widget, name in zip((self.overview, self.chart, self.shapes, self.anomalies,
                                 self.baselines, self.connections, self.importer,
                                 self.reports, self.settings), PAGES):
            self.pages.addTab(widget, icon(name.lower()), name)
        self.pages.icon_names = [name.lower() for name in PAGES]  # retinted with the theme

    def _build_layout(self) -> None:
        from energize_desktop.ui.file_drops import FileDrops

        self.setWindowIcon(icon("energize", tint=False))  # the logo keeps its colours
        self.drops = FileDrops(self)  # workspaces and data files dropped or opened by the OS
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.tree)
        right = QWidget()  # the time range above the pages it applies to
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self._build_time_range())
        column.addWidget(self.pages)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([280, 920])
        splitter.setCollapsible(0, True)  # the sidebar folds away (View › Show sidebar)
        self.setCentralWidget(splitter)
        self.status = QLabel("No workspace open")
        self.statusBar().addWidget(self.status)
        self.alert_channel = QtAlertChannel(self)  # live alerting notifies the window here
        self.alert_tray = AlertTray(self.alert_channel, self.status, self)

    def _wire_pages(self) -> None:
        """What each page asks for; the work goes to the service (jobs with their own
        callbacks), whose answers come back to the page that asked."""
        self.settings.saved.connect(self.apply_preferences)
        self.settings.theme.currentTextChanged.connect(apply_theme)  # seen at once, saved later
        self.settings.sync_wanted.connect(self.sync_now)
        self.settings.schedule_changed.connect(self._sync_schedule)
        self._sync_timer.timeout.connect(lambda: self.sync_now(""))
        self.tree.meter_selected.connect(self._meter_selected)
        self.tree.overlay_wanted.connect(self._overlay)
        self.chart.range_wanted.connect(self._range_wanted)
        self.pages.currentChanged.connect(lambda _i: self._page_shown())
        self.pages.currentChanged.connect(lambda _i: self._show_time_range())
        self.overview.chart_wanted.connect(self.show_finding_chart)
        self.overview.site_wanted.connect(self.edit_site)
        self.overview.editor_wanted.connect(self.open_editor)
        self.baselines.fit_wanted.connect(self.fit_baseline)
        self.connections.start_wanted.connect(self.start_acquisition)
        self.connections.stop_wanted.connect(self.stop_acquisition)
        self.connections.source_message.connect(self.status.setText)
        form = self.connections.device_form
        form.probe_wanted.connect(self.probe_device)
        form.scan_wanted.connect(self.scan_bus)
        self.reports.generate_wanted.connect(self.generate_report)
        self.importer.run_wanted.connect(self.import_files)
        self.importer.cancel_wanted.connect(lambda: self._import_job and self._import_job.cancel())
        self.anomalies.jump_to.connect(self.show_event)
        self.anomalies.dismiss_wanted.connect(self.dismiss_event)
        self.anomalies.alert_action.connect(self.move_alert)
        self.alert_tray.shown.connect(lambda *_: self.refresh_alerts())

    def _wire_service(self) -> None:
        service = self.service
        service.opened.connect(self._opened)
        service.series_ready.connect(self._series_ready)
        service.overview_ready.connect(self.overview.show_overview)
        service.overview_ready.connect(lambda _o: service.warm_up())  # idle by then
        service.shapes_ready.connect(self.shapes.show_shapes)
        service.failed.connect(self._failed)

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
        actions = [("&New workspace…", QKeySequence.StandardKey.New, self.new_workspace),
                   ("&Open workspace…", QKeySequence.StandardKey.Open, self.open_workspace),
                   ("Open &demo workspace", "Ctrl+Shift+D", self.open_demo)]
        self._add_actions(menu, actions)
        self.recent_menu = menu.addMenu("Open &recent")
        self._fill_recent()
        self._add_actions(menu, [("&Quit", QKeySequence.StandardKey.Quit, self.close)])
        view = self.menuBar().addMenu("&View")
        self._add_actions(view, [(f"&{name}", f"Ctrl+{i + 1}",
                                  lambda _c=False, i=i: self.pages.setCurrentIndex(i))
                                 for i, name in enumerate(PAGES)])
        self._add_actions(view, [("Overlay the same time &last week", "Ctrl+L",
                                  self.chart.compare_box.toggle),
                                 ("&Export visible data…", "Ctrl+E", self.export_visible)])
        analyse = self.menuBar().addMenu("&Analyse")
        self._add_actions(analyse, [("&Detect anomalies", "Ctrl+D", self.detect_anomalies),
                                    ("Cancel running job", "Esc", self.cancel_job)])

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in self.prefs.recent:
            action = self.recent_menu.addAction(path)
            action.triggered.connect(lambda _c=False, p=path: self.open_path(Path(p)))
        self.recent_menu.setEnabled(bool(self.prefs.recent))

    def apply_preferences(self, prefs) -> None:
        from energize_desktop import preferences

        self.prefs = prefs
        preferences.save(prefs)
        apply_theme(self.theme_override or prefs.theme)
        self.chart.unit_system = prefs.units
        self._fill_recent()

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

    def start_acquisition(self, config_text: str) -> None:
        from energize_desktop.core.errors import EnergizeError
        from energize_desktop.runtime.live_session import LiveSession

        if self.service.ws is None or self.live is not None:
            return
        if not self.connections.check():
            return
        session = LiveSession(self.service.ws, self.alert_channel, self)
        try:
            session.start(config_text)
        except EnergizeError as exc:
            self.connections.show_error(str(exc))
            return
        self.live = session
        session.readings.connect(self._live_readings)
        session.status.connect(self.connections.show_status)
        session.states.connect(self.tree.set_states)
        session.sources.connect(self.connections.show_sources)
        self.connections.set_running(True)
        self._refresh_meters()
        self.status.setText("Acquiring: values are committed every quarter second")

    def _live_readings(self, ids, ts, values) -> None:
        if any(int(i) not in self.connections.names for i in set(ids.tolist())):
            self._refresh_meters()
        self.connections.add_readings(ids, ts, values)

    def stop_acquisition(self) -> None:
        if self.live is not None:
            self.live.stop()  # sources, the last commit, rollups, alerting — in that order
            self.live = None
            self.connections.set_running(False)
            self.status.setText("Acquisition stopped; everything received is stored")

    def _refresh_meters(self) -> None:
        meters = self.service.meters()
        self.connections.set_meters(meters)
        self.tree.populate(self.service.sites(), self.service.meters)
        self.baselines.set_meters(meters, self.service.data_ranges(),
                                  self.service.baseline_names())

    def export_visible(self) -> None:
        path = self.dialogs.save_file("Export visible data", "CSV (*.csv)")
        if path:
            rows = self.chart.export_visible(Path(path))
            self.status.setText(f"wrote {rows:,} rows to {path}")

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
        self.refresh_alerts()
        events = self.service.stored_events()  # the last run, kept
        self.anomalies.show_events(events, self.service.episodes(events))
        self.baselines.set_meters(meters, self.service.data_ranges(),
                                  self.service.baseline_names())
        self.importer.set_sites([s.name for s in self.service.sites()])
        self.reports.set_sites([s.name for s in self.service.sites()])
        self.importer.set_profiles(self.service.profiles())
        if self.service.feed is not None:  # another process logs it: watched, read-only
            from energize_desktop.ui.logged_workspace import watch_logger

            watch_logger(self, self.service.feed)
        self.connections.set_sites([s.name for s in self.service.sites()])
        self.connections.set_text(self.service.connections_text())
        self.apply_preferences(self.prefs.with_recent(str(Path(path).resolve())))
        self._restore_time_range()
        self._overview_due = True  # asked for once the first chart is in: the window first
        if meters:
            self.tree.select_meter(meters[0].id)
        else:
            self._request_overview()

    def _request_overview(self) -> None:
        self._overview_due = False
        self.service.request_overview()

    def _meter_selected(self, meter_id: int) -> None:
        self.status.setText("Loading…")
        self._selected = meter_id
        self.chart.clear()
        self.service.request_series(meter_id, Level.HOUR)
        if self.pages.currentWidget() is self.shapes:
            self.service.request_shapes(meter_id, *self.time_range.seconds())

    def _overlay(self, meter_id: int) -> None:
        meter = self.service.ws.meter(meter_id)
        self.chart.add_overlay(meter_id, meter.name)
        level = self.chart.series.level if self.chart.series else Level.HOUR
        self.service.request_series(meter_id, level)
        self.pages.setCurrentWidget(self.chart)

    def _range_wanted(self, meter_id: int, level, start_s: float, end_s: float) -> None:
        self.service.request_series(meter_id, level, start_s, end_s)

    def _page_shown(self) -> None:
        if self.pages.currentWidget() is self.settings:
            self.settings.ensure_keyring_text()
        if self.pages.currentWidget() is self.shapes and getattr(self, "_selected", None):
            self.service.request_shapes(self._selected, *self.time_range.seconds())

    def _series_ready(self, series) -> None:
        self.chart.show_series(series)
        if getattr(self, "_overview_due", False):
            self._request_overview()
        gaps = series.gap_count
        self.status.setText(f"{series.meter.name}: {len(series.x):,} points of one "
                            f"{series.resolution}, {gaps} gap{'s' if gaps != 1 else ''}")

    def _failed(self, message: str) -> None:
        """A read for a page failed (a chart, the overview, shapes)."""
        self.status.setText(message)
        self.dialogs.error("Energize", message)

    def _window_settings(self):
        """Window geometry and layout only (QSettings, an INI file in the data folder);
        everything the user chooses lives in preferences.toml."""
        from PySide6.QtCore import QSettings

        from energize_desktop import paths

        return QSettings(str(paths.data_dir() / "window.ini"), QSettings.Format.IniFormat)

    def showEvent(self, event) -> None:
        if not self._geometry_restored:  # geometry applies to a window being shown
            self._geometry_restored = True
            self._restore_geometry()
        super().showEvent(event)

    def _restore_geometry(self) -> None:
        settings = self._window_settings()
        geometry, state = settings.value("geometry"), settings.value("state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)
        page = settings.value("page")
        if page in PAGES:
            self.pages.setCurrentIndex(PAGES.index(page))

    def closeEvent(self, event) -> None:
        """Ordered shutdown: stop what runs (an import rolls back its file), wait for the
        workers, then close the workspace."""
        settings = self._window_settings()
        settings.setValue("geometry", self.saveGeometry())
        settings.setValue("state", self.saveState())
        settings.setValue("page", PAGES[self.pages.currentIndex()])
        settings.sync()
        self.stop_acquisition()
        self._sync_timer.stop()
        from PySide6.QtWidgets import QApplication

        QApplication.instance().removeEventFilter(self.drops)  # its filter ends with the window
        for job in (self._job, self._import_job, self._sync_job):
            if job is not None:
                job.cancel()
        self.service.close()
        super().closeEvent(event)
