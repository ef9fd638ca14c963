"""A time-series chart: gaps drawn as gaps (NaN breaks the line), estimated points marked."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

LINE = "#1f6fb2"
ESTIMATED = "#d98c1f"


class SeriesChart(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(utcOffset=0)})
        self.plot.setBackground("w")
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        item = self.plot.getPlotItem()
        item.setDownsampling(auto=True, mode="peak")
        item.setClipToView(True)
        self.curve = self.plot.plot([], [], pen=pg.mkPen(LINE, width=1.4), connect="finite")
        self.estimated = pg.ScatterPlotItem(size=5, brush=pg.mkBrush(ESTIMATED), pen=None)
        self.plot.addItem(self.estimated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        self.series = None

    def show_series(self, series) -> None:
        self.series = series
        self.curve.setData(series.x, series.y, connect="finite")
        est = series.estimated & np.isfinite(series.y)
        self.estimated.setData(series.x[est], series.y[est])
        self.plot.setTitle(series.label, color="#333", size="11pt")
        self.plot.setLabel("left", series.unit or "value")
        self.plot.setLabel("bottom", "local time")
        self.plot.enableAutoRange()

    def clear(self) -> None:
        self.series = None
        self.curve.setData([], [])
        self.estimated.setData([], [])
        self.plot.setTitle("")
