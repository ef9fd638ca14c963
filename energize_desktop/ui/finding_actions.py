"""What the main window does with anomalies, alerts and recommendations: run detection with
progress, chart an event or a recommendation's evidence, take "not an anomaly" feedback, and
acknowledge or resolve alerts. A mixin of MainWindow (it uses the window's pages, service,
status line and dialogs)."""

from __future__ import annotations

from types import SimpleNamespace

from energize_desktop.ui.window_support import login_name

SHAPE_VIEWS = ("profile", "heatmap")  # recommendation charts the Shapes page draws


class FindingActions:
    def detect_anomalies(self) -> None:
        if self.service.ws is None or self._job is not None:
            return
        self.progress.setRange(0, max(1, len(self.service.meters())))
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()
        self.status.setText("Detecting anomalies…")
        self._job = self.service.detect(on_progress=self._detection_progress,
                                        on_done=self._detection_done,
                                        on_error=self._detection_failed)

    def show_event(self, event) -> None:
        """Chart the event's meter around it, the event shaded."""
        start = self.service.local_seconds(event.meter_id, event.start_us)
        end = self.service.local_seconds(event.meter_id, event.end_us)
        self.pages.setCurrentWidget(self.chart)
        if self.chart.series is None or self.chart.series.meter.id != event.meter_id:
            self.tree.select_meter(event.meter_id)  # clears the chart and asks for the data
            self.chart.pending_shade = (start, end)
        else:
            self.chart.shade(start, end)
        self.status.setText(event.explanation)

    def show_finding_chart(self, chart: dict) -> None:
        """A recommendation's evidence: day profiles and carpets on the Shapes page, the rest
        in the Explorer with the period it was found in shaded."""
        meter = self._chart_meter(chart.get("meter"))
        if meter is None:
            self.status.setText(f"{chart.get('meter')}: not a meter of this workspace")
            return
        if chart.get("view") in SHAPE_VIEWS:
            self.pages.setCurrentWidget(self.shapes)
            if self._selected == meter.id:
                self.service.request_shapes(meter.id)
            else:
                self.tree.select_meter(meter.id)  # which asks for its shapes
            return
        self.show_event(SimpleNamespace(meter_id=meter.id, start_us=chart["from_us"],
                                        end_us=chart["to_us"],
                                        explanation=f"{meter.name}: the period behind the "
                                                    "recommendation, shaded"))

    def _chart_meter(self, name):
        """A meter by name; for a site-wide finding, the site's main electricity meter."""
        meters = self.service.meters()
        meter = next((m for m in meters if m.name == name), None)
        site = next((s for s in self.service.sites() if s.name == name), None)
        if meter is None and site is not None:
            meter = next((m for m in meters if m.site_id == site.id and m.parent_id is None
                          and m.kind == "electricity"), None)
        return meter

    def dismiss_event(self, event) -> None:
        note = self.dialogs.ask_text("Not an anomaly", f"Why is this normal for {event.meter}?")
        if note is None:
            return
        self.service.dismiss(event, note)
        self.anomalies.remove_event(event)
        self.status.setText(f"{event.meter}: noted as normal; the next run leaves it out "
                            "(Edit › Undo takes it back)")

        def undo():
            self.service.undismiss(event, note)
            self.anomalies.add_event(event)
            self.status.setText(f"{event.meter}: an anomaly again; the next run judges it")

        self.keys.push_undo(f"'not an anomaly' ({event.meter})", undo)

    def move_alert(self, alert_id: int, action: str) -> None:
        note = self.dialogs.ask_text(action.capitalize(), f"Note for alert {alert_id}:")
        if note is None:
            return
        try:
            self.service.move_alert(alert_id, action, note, who=login_name())
        except Exception as exc:  # an alert already moved elsewhere: say so, keep going
            self.dialogs.error("Alert", str(exc))
        self.refresh_alerts()

    def refresh_alerts(self) -> None:
        if self.service.ws is not None:
            self.anomalies.show_alerts(self.service.alerts())

    def _detection_progress(self, done: int, total: int, meter: str) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.status.setText(f"Detecting anomalies: {done}/{total} meters ({meter})")

    def _detection_failed(self, exc: Exception) -> None:
        self._job = None
        self.progress.hide()
        self.cancel_button.hide()
        self.status.setText(f"Detection stopped: {exc}")
        self.dialogs.error("Detection", str(exc))

    def _detection_done(self, result) -> None:
        self._job = None
        self.progress.hide()
        self.cancel_button.hide()
        alarms = [e for e in result.events if e.severity.value != "info"]
        events = self.service.stored_events() if not result.cancelled else result.events
        self.anomalies.show_events(events, self.service.episodes(events))  # as kept
        self.pages.setCurrentWidget(self.anomalies)
        self._request_overview()  # its latest anomalies and findings follow the run
        stopped = " (cancelled: meters not yet scored are left as they were)" \
            if result.cancelled else ""
        self.status.setText(f"{len(alarms)} alarm(s) and {len(result.events) - len(alarms)} "
                            f"finding(s) in {result.meters_done} meter(s){stopped}")
