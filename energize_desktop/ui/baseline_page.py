"""Baselines & savings: fit a CalTRACK model on a baseline period (by default the last twelve
months of the meter's data), see actual against predicted with its prediction band and the
cumulative difference (CUSUM), the verdict — Guideline 14, or "insufficient data" and
"extrapolating" in amber where the figures alone would mislead — and the savings of a
reporting period. Models can be kept under a name and used again."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from energize_desktop.ui.window_support import (
    set_font,
    show_empty,
    style_chart,
    theme_colour,
)

AUTO_TEMPERATURE = "the site's outdoor temperature"
LEVEL_ROLE = {"ok": "good", "fail": "bad", "warn": "warn"}  # the theme colour of a verdict


def _date_edit(accessible: str) -> QDateEdit:
    edit = QDateEdit(calendarPopup=True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setAccessibleName(accessible)
    return edit


class BaselinePage(QWidget):
    fit_wanted = Signal(object)  # jobs.mv.MvRequest

    def __init__(self, parent=None):
        super().__init__(parent)
        self._ranges: dict[int, tuple[date, date]] = {}  # meter id -> first, last local day
        self.meter = QComboBox()
        self.meter.setAccessibleName("meter")
        self.meter.currentIndexChanged.connect(self._default_periods)
        self.temperature = QComboBox()
        self.temperature.setAccessibleName("temperature meter")
        self.train_from, self.train_to = _date_edit("baseline from"), _date_edit("baseline to")
        self.reporting = QCheckBox("Reporting period")
        self.predict_from = _date_edit("reporting from")
        self.predict_to = _date_edit("reporting to")
        self.reporting.toggled.connect(self._reporting_toggled)
        self._reporting_toggled(False)
        self.granularity = QComboBox()
        self.granularity.addItems(["hourly", "daily"])
        self.kept = QComboBox()
        self.kept.setAccessibleName("kept baselines")
        self.keep_as = QLineEdit(placeholderText="name, to keep this model (optional)")
        self.fit_button = QPushButton("Fit baseline")
        self.fit_button.setToolTip("Fit on the baseline period (Ctrl+Return)")
        self.fit_button.setShortcut("Ctrl+Return")
        self.fit_button.clicked.connect(self._fit)
        self.use_button = QPushButton("Use kept")
        self.use_button.clicked.connect(self._use_kept)
        form = QFormLayout()
        form.addRow("Meter", self.meter)
        form.addRow("Temperature", self.temperature)
        form.addRow("Baseline", self._pair(self.train_from, self.train_to))
        form.addRow(self.reporting, self._pair(self.predict_from, self.predict_to))
        form.addRow("Granularity", self.granularity)
        form.addRow("Keep as", self.keep_as)
        form.addRow("Kept", self._pair(self.kept, self.use_button))
        self.verdict = QLabel("")
        self.verdict.setWordWrap(True)
        set_font(self.verdict, 12, bold=True)
        self.report = QLabel("")
        self.report.setWordWrap(True)
        self.report.setAlignment(pg.QtCore.Qt.AlignmentFlag.AlignTop |
                                 pg.QtCore.Qt.AlignmentFlag.AlignLeft)
        self.report.setTextInteractionFlags(self.report.textInteractionFlags() |
                                            pg.QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self._build_plots()
        left = QVBoxLayout()
        left.addLayout(form)
        left.addWidget(self.fit_button)
        left.addWidget(self.verdict)
        left.addWidget(self.report, 1)
        charts = QVBoxLayout()
        charts.addWidget(self.plot, 3)
        charts.addWidget(self.cusum_plot, 1)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 1)
        layout.addLayout(charts, 3)

    @staticmethod
    def _pair(a: QWidget, b: QWidget) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(a, 1)
        if isinstance(a, QDateEdit):
            row.addWidget(QLabel("to"))
        row.addWidget(b, 1)
        return box

    def _build_plots(self) -> None:
        self.plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(utcOffset=0)})
        style_chart(self.plot)
        self.plot.addLegend(offset=(10, 10))
        self.band_lo = self.plot.plot([], [], pen=pg.mkPen(None))
        self.band_hi = self.plot.plot([], [], pen=pg.mkPen(None))
        self.band = pg.FillBetweenItem(self.band_lo, self.band_hi, brush=pg.mkBrush(31, 111,
                                                                                   178, 50))
        self.plot.addItem(self.band)
        self.actual = self.plot.plot([], [], pen=pg.mkPen(theme_colour("chart_fg"), width=1), name="actual",
                                     connect="finite")
        self.predicted = self.plot.plot([], [], pen=pg.mkPen("#1f6fb2", width=1),
                                        name="predicted (band: prediction interval)",
                                        connect="finite")
        self.cusum_plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(utcOffset=0)})
        style_chart(self.cusum_plot)
        self.cusum_plot.setXLink(self.plot)
        self.cusum = self.cusum_plot.plot([], [], pen=pg.mkPen("#7d3c98", width=2))
        self.cusum_plot.setTitle("CUSUM: actual − predicted, summed")
        show_empty(self.plot, "Choose a meter and its baseline period, then Fit baseline")
        show_empty(self.cusum_plot, "Actual − predicted, summed, once a baseline is fitted")

    def set_view(self, start_s: float, end_s: float) -> None:
        """The window's time range: the charts show [start, end) local seconds."""
        self.plot.setXRange(start_s, end_s, padding=0)  # the CUSUM chart is linked

    # -- what the window tells the page ---------------------------------------------------------
    def set_meters(self, meters, ranges: dict | None = None, kept: list[str] | None = None
                   ) -> None:
        """Energy meters to model, temperature meters to model on, each meter's data range
        (first, last local day) for the default periods, and the kept baselines' names."""
        current = self.meter.currentData()
        self._ranges = dict(ranges or {})
        self.meter.blockSignals(True)
        self.meter.clear()
        for m in meters:
            if m.amount_unit == "kWh":
                self.meter.addItem(m.name, m.id)
        self.meter.blockSignals(False)
        self.temperature.clear()
        self.temperature.addItem(AUTO_TEMPERATURE, None)
        for m in meters:
            if m.kind.value == "temperature":
                self.temperature.addItem(m.name, m.id)
        self.kept.clear()
        self.kept.addItems(kept or [])
        self.use_button.setEnabled(bool(kept))
        index = self.meter.findData(current)
        self.meter.setCurrentIndex(index if index >= 0 else 0)
        self._default_periods()

    def _default_periods(self) -> None:
        """The last twelve months of the meter's data before today as the baseline."""
        first, last = self._ranges.get(self.meter.currentData(), (None, None))
        end = min(last + timedelta(days=1), date.today()) if last else date.today()
        start = max(first, _months_before(end, 12)) if first else _months_before(end, 12)
        for edit, day in ((self.train_from, start), (self.train_to, end),
                          (self.predict_from, end), (self.predict_to, end)):
            edit.setDate(QDate(day.year, day.month, day.day))

    def _reporting_toggled(self, on: bool) -> None:
        self.predict_from.setEnabled(on)
        self.predict_to.setEnabled(on)

    # -- asking -----------------------------------------------------------------------------------
    def _span(self, a: QDateEdit, b: QDateEdit) -> str:
        return f"{a.date().toString('yyyy-MM-dd')}..{b.date().toString('yyyy-MM-dd')}"

    def request(self, use: str | None = None):
        from energize_desktop.jobs.mv import MvRequest

        return MvRequest(meter=None if use else str(self.meter.currentData()),
                         train=None if use else self._span(self.train_from, self.train_to),
                         predict=self._span(self.predict_from, self.predict_to)
                         if self.reporting.isChecked() else None,
                         temperature=self.temperature.currentData(),
                         granularity=self.granularity.currentText(),
                         save=self.keep_as.text().strip() or None if not use else None,
                         use=use)

    def _fit(self) -> None:
        self._start(self.request())

    def _use_kept(self) -> None:
        if self.kept.currentText():
            self._start(self.request(use=self.kept.currentText()))

    def _start(self, request) -> None:
        self._saving = request.save
        self.fit_button.setEnabled(False)
        self._level = None
        self.verdict.setStyleSheet("")
        self.verdict.setText("Fitting…")
        self.fit_wanted.emit(request)

    # -- results ------------------------------------------------------------------------------------
    def show_result(self, result: dict, offset_s: float) -> None:
        show_empty(self.plot, None)
        show_empty(self.cusum_plot, None)
        self.fit_button.setEnabled(True)
        ts, actual, predicted, lower, upper = result["rows"]
        x = np.asarray(ts) / 1e6 + offset_s
        self.actual.setData(x, actual, connect="finite")
        self.predicted.setData(x, predicted, connect="finite")
        if np.nanmin(actual, initial=0.0) >= 0:  # energy that is never negative: nor its band
            lower = np.maximum(lower, 0.0)
        self.band_lo.setData(x, np.nan_to_num(lower, nan=0.0))
        self.band_hi.setData(x, np.nan_to_num(upper, nan=0.0))
        unit = result["model"].unit
        self.plot.setLabel("left", unit)
        diff = np.asarray(actual, float) - np.asarray(predicted, float)
        both = np.isfinite(diff)
        self.cusum.setData(x[both], np.cumsum(diff[both]))
        self.cusum_plot.setLabel("left", unit)
        text, level = result["assessment"]["verdict"]
        self.verdict.setText(text)
        self._level = level
        self.theme_changed()
        self.report.setText("<br>".join(result["lines"]))
        saved = getattr(self, "_saving", None)
        if saved and self.kept.findText(saved) < 0:
            self.kept.addItem(saved)
            self.use_button.setEnabled(True)

    def theme_changed(self) -> None:
        level = getattr(self, "_level", None)
        if level is not None:
            self.verdict.setStyleSheet(f"color: {theme_colour(LEVEL_ROLE[level])};")

    def show_error(self, message: str) -> None:
        self._level = None
        self.fit_button.setEnabled(True)
        self.verdict.setText("")
        self.report.setText(f"<span style='color:{theme_colour('bad')}'>{message}</span>")


def _months_before(day: date, months: int) -> date:
    import calendar

    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
