"""The work the pages ask for, started on the service as jobs with this page's callbacks:
import, baseline, report, device probe and bus scan, sync. An error comes back to the page that
asked, led by the label of the control it names. A mixin of MainWindow (it uses the window's
pages, service and status line)."""

from __future__ import annotations

from energize_desktop.ui.dialogs import error_text

# What each page calls the inputs an error may name (core/errors: `field`)
BASELINE_LABELS = {"meter": "Meter", "train": "Baseline period", "predict": "Reporting period",
                   "temperature": "Temperature meter", "adjust": "Adjustment"}
IMPORT_LABELS = {"site": "Site", "tz": "Time zone", "date_order": "Date order",
                 "ts_marks": "Timestamps mark", "meter": "Series", "unit": "Units",
                 "kind": "Meter kind", "semantics": "Semantics", "decimal": "Decimal mark",
                 "on_conflict": "If a reading differs", "profile": "Profile",
                 "repeated_hour": "Shift a repeated autumn hour",
                 "save_profile": "Profile"}
REPORT_LABELS = {"site": "Site", "period": "Period", "out": "File", "baseline": "Baseline"}
SYNC_LABELS = {"dsn": "Connection string"}


class PageJobs:
    def sync_now(self, dsn: str) -> None:
        if self.service.ws is None or self._sync_job is not None:
            return
        self._sync_job = self.service.sync_now(
            dsn or None, on_progress=self.settings.show_sync_progress,
            on_done=lambda text: self._sync_finished(text, True),
            on_error=lambda exc: self._sync_finished(error_text(exc, SYNC_LABELS), False))

    def _sync_finished(self, summary: str, ok: bool) -> None:
        self._sync_job = None
        self.settings.sync_finished(summary, self.service.last_sync(), ok)
        self.status.setText(("Synced: " if ok else "Sync failed: ") + summary)

    def _sync_schedule(self, minutes: int) -> None:
        """Sync on a schedule while the window is open; offline runs fail, the next catches up."""
        if minutes:
            self._sync_timer.start(minutes * 60_000)
        else:
            self._sync_timer.stop()

    def import_files(self, paths: list, options, preview: bool, profile: str = "") -> None:
        if self.service.ws is None:
            self.importer.set_busy(False)
            self.importer.summary.setPlainText("Open or create a workspace first.")
            return
        self._import_job = self.service.import_files(
            paths, options, profile, on_progress=self.importer.show_progress,
            on_done=lambda outcome: self._imported(outcome, preview),
            on_error=self._import_failed)

    def _import_failed(self, exc: Exception) -> None:
        self._import_job = None
        self.importer.set_busy(False)
        self.importer.summary.setPlainText(f"Import stopped: {error_text(exc, IMPORT_LABELS)}")

    def fit_baseline(self, request) -> None:
        self.service.fit_baseline(
            request, on_done=self.baselines.show_result,
            on_error=lambda exc: self.baselines.show_error(error_text(exc, BASELINE_LABELS)))

    def generate_report(self, request: dict) -> None:
        self.service.generate_report(
            request, on_progress=self.reports.show_progress,
            on_done=lambda r: self.reports.finished(r[0], r[1]),
            on_error=lambda exc: self.reports.failed(error_text(exc, REPORT_LABELS)))

    def probe_device(self, link, unit_id: int, template_id: str) -> None:
        form = self.connections.device_form
        form.set_busy(True)
        self.service.probe_device(link, unit_id, template_id, on_done=form.show_probe,
                                  on_error=self._probe_failed)

    def scan_bus(self, link, first: int, last: int) -> None:
        form = self.connections.device_form
        form.set_busy(True)
        self.service.scan_bus(link, first, last, on_done=form.show_scan,
                              on_error=self._probe_failed)

    def _probe_failed(self, exc: Exception) -> None:
        self.connections.device_form.set_busy(False)
        self.connections.show_error(str(exc))

    def _imported(self, outcome, preview: bool) -> None:
        self._import_job = None
        self.importer.show_outcome(outcome)
        if not preview and outcome.reports:
            self.tree.populate(self.service.sites(), self.service.meters)
            self.importer.set_sites([s.name for s in self.service.sites()])
            self.importer.set_profiles(self.service.profiles())
            self.baselines.set_meters(self.service.meters(), self.service.data_ranges(),
                                      self.service.baseline_names())
            self.status.setText(f"imported {len(outcome.reports)} file(s)")
            meters = self.service.meters()
            if self._selected is None and meters:  # a new workspace's first data: show it
                self.tree.select_meter(meters[0].id)
                self.pages.setCurrentWidget(self.chart)
