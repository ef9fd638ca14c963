"""Baselines & savings: fit a CalTRACK model on a training period, see actual against predicted
with its prediction band, the Guideline 14 verdict, and the savings of a reporting period."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class BaselinePage(QWidget):
    fit_wanted = Signal(object)  # jobs.mv.MvRequest

    def __init__(self, parent=None):
        super().__init__(parent)
        self.meter = QComboBox()
        self.meter.setAccessibleName("meter")
        self.train = QLineEdit(placeholderText="2024-10-01..2025-06-01")
        self.predict = QLineEdit(placeholderText="2025-06-01..2025-10-01 (optional)")
        self.granularity = QComboBox()
        self.granularity.addItems(["hourly", "daily"])
        self.fit_button = QPushButton("Fit baseline")
        self.fit_button.clicked.connect(self._fit)
        form = QFormLayout()
        form.addRow("Meter", self.meter)
        form.addRow("Baseline period", self.train)
        form.addRow("Reporting period", self.predict)
        form.addRow("Granularity", self.granularity)
        self.verdict = QLabel("")
        self.verdict.setStyleSheet("font-size: 12pt; font-weight: bold;")
        self.report = QLabel("")
        self.report.setWordWrap(True)
        self.report.setTextInteractionFlags(self.report.textInteractionFlags() |
                                            pg.QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(utcOffset=0)})
        self.plot.setBackground("w")
        self.plot.addLegend(offset=(10, 10))
        self.band_lo = self.plot.plot([], [], pen=pg.mkPen(None))
        self.band_hi = self.plot.plot([], [], pen=pg.mkPen(None))
        self.band = pg.FillBetweenItem(self.band_lo, self.band_hi, brush=pg.mkBrush(31, 111,
                                                                                   178, 50))
        self.plot.addItem(self.band)
        self.actual = self.plot.plot([], [], pen=pg.mkPen("#333", width=1), name="actual",
                                     connect="finite")
        self.predicted = self.plot.plot([], [], pen=pg.mkPen("#1f6fb2", width=1),
                                        name="predicted (band: prediction interval)",
                                        connect="finite")
        left = QVBoxLayout()
        left.addLayout(form)
        left.addWidget(self.fit_button)
        left.addWidget(self.verdict)
        left.addWidget(self.report, 1)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 1)
        layout.addWidget(self.plot, 3)

    def set_meters(self, meters) -> None:
        self.meter.clear()
        for m in meters:
            if m.amount_unit == "kWh":
                self.meter.addItem(m.name, m.id)

    def _fit(self) -> None:
        from energize_desktop.jobs.mv import MvRequest

        self.fit_button.setEnabled(False)
        self.verdict.setText("Fitting…")
        self.fit_wanted.emit(MvRequest(meter=str(self.meter.currentData()),
                                       train=self.train.text().strip() or None,
                                       predict=self.predict.text().strip() or None,
                                       granularity=self.granularity.currentText()))

    def show_result(self, result: dict, offset_s: float) -> None:
        self.fit_button.setEnabled(True)
        ts, actual, predicted, lower, upper = result["rows"]
        x = np.asarray(ts) / 1e6 + offset_s
        self.actual.setData(x, actual, connect="finite")
        self.predicted.setData(x, predicted, connect="finite")
        self.band_lo.setData(x, np.nan_to_num(lower, nan=0.0))
        self.band_hi.setData(x, np.nan_to_num(upper, nan=0.0))
        self.plot.setLabel("left", result["model"].unit)
        stats = result["model"].stats
        ok = stats.meets_g14
        self.verdict.setText(("✔ meets" if ok else "✘ does not meet") + " ASHRAE Guideline 14")
        self.verdict.setStyleSheet(f"font-size: 12pt; font-weight: bold; color: "
                                   f"{'#1e8449' if ok else '#b03a2e'};")
        self.report.setText("<br>".join(result["lines"]))

    def show_error(self, message: str) -> None:
        self.fit_button.setEnabled(True)
        self.verdict.setText("")
        self.report.setText(f"<span style='color:#b03a2e'>{message}</span>")
