"""The window's one time range (ui/time_range.py) above the Explorer, Shapes and Baselines
pages: a preset or dates chosen there moves all three; a zoom on the Explorer chart shows in
it as a custom range. Kept per workspace in window.ini."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from energize_desktop.ui.time_range import TimeRange


class TimeActions:
    """Mixed into MainWindow (its chart, shapes, baselines, pages, service, _selected)."""

    def _build_time_range(self) -> TimeRange:
        self.time_range = TimeRange()
        self.time_range.changed.connect(self._time_range_changed)
        self.chart.view_changed.connect(self._chart_view_changed)
        return self.time_range

    def _time_pages(self) -> tuple:
        return (self.chart, self.shapes, self.baselines)

    def _show_time_range(self) -> None:
        self.time_range.setVisible(self.pages.currentWidget() in self._time_pages())

    def _time_range_changed(self, start_s: float, end_s: float) -> None:
        everything = self.time_range.preset.currentText() == "All"
        self.chart.set_view(None if everything else start_s, end_s)
        self.baselines.set_view(start_s, end_s)
        if self.pages.currentWidget() is self.shapes and self._selected is not None:
            self.service.request_shapes(self._selected, start_s, end_s)
        self._save_time_range()

    def _chart_view_changed(self, start_s: float, end_s: float) -> None:
        """A zoom or pan on the chart: the days it covers, shown as a custom range."""
        day = datetime.fromtimestamp(start_s, timezone.utc).date()
        end = datetime.fromtimestamp(end_s - 1, timezone.utc).date() + timedelta(days=1)
        if (day, end) != self.time_range.days():
            self.time_range.set_days(day, end)
            self._save_time_range()

    def _restore_time_range(self) -> None:
        ranges = self.service.data_ranges().values()
        if ranges:
            self.time_range.set_data_span(min(a for a, _ in ranges), max(b for _, b in ranges))
        self.time_range.restore(self._window_settings().value(self._time_key()))

    def _save_time_range(self) -> None:
        if self.service.ws is not None:
            settings = self._window_settings()
            settings.setValue(self._time_key(), self.time_range.saved())

    def _time_key(self) -> str:
        import hashlib

        path = str(self.service.ws.path.resolve()) if self.service.ws is not None else ""
        return "time_range/" + hashlib.sha1(path.encode("utf-8")).hexdigest()[:16]
