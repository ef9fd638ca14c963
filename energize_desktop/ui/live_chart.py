"""Live curves: samples land in preallocated ring buffers (no allocation per sample) and the
plot is redrawn on a timer, never per sample — with peak downsampling and clip-to-view so a
day of 1-second data per curve stays cheap to draw."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QVBoxLayout, QWidget

from energize_desktop.ui.window_support import style_chart

PALETTE = ("#1f6fb2", "#c0392b", "#27ae60", "#8e44ad", "#d35400", "#16a085", "#7f8c8d",
           "#2c3e50")


class RingBuffer:
    """The last `capacity` (t, value) samples in arrival order, kept twice over so the newest
    window is always one contiguous slice (no copy to read it)."""

    def __init__(self, capacity: int):
        self.capacity = capacity
        self.t = np.full(2 * capacity, np.nan)
        self.v = np.full(2 * capacity, np.nan)
        self.end = 0  # samples written in all

    def extend(self, t: np.ndarray, v: np.ndarray) -> None:
        t, v = np.asarray(t, float)[-self.capacity:], np.asarray(v, float)[-self.capacity:]
        n, cap = len(t), self.capacity
        pos = self.end % cap
        first = min(n, cap - pos)  # up to the end of the ring, then wrap to its start
        rest = n - first
        for arr, src in ((self.t, t), (self.v, v)):
            arr[pos:pos + first] = arr[pos + cap:pos + cap + first] = src[:first]
            arr[:rest] = arr[cap:cap + rest] = src[first:]
        self.end += n

    def view(self) -> tuple[np.ndarray, np.ndarray]:
        size = min(self.end, self.capacity)
        start = self.end % self.capacity + (self.capacity - size)
        return self.t[start:start + size], self.v[start:start + size]


class LiveChart(QWidget):
    def __init__(self, names: list[str], capacity: int = 86_400, interval_ms: int = 33,
                 unit: str = "kW", parent=None):
        super().__init__(parent)
        self.plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(utcOffset=0)})
        style_chart(self.plot)
        self.plot.setLabel("left", unit)
        self.plot.addLegend(offset=(10, 10))
        item = self.plot.getPlotItem()
        item.setDownsampling(auto=True, mode="peak")
        item.setClipToView(True)
        self.capacity = capacity
        self.buffers: dict[str, RingBuffer] = {}
        self.curves: dict = {}
        for name in names:
            self.ensure_curve(name)
        self._dirty = False
        self.redraws = 0
        self.timer = QTimer(self, interval=interval_ms)
        self.timer.timeout.connect(self.redraw)
        self.timer.start()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)

    def ensure_curve(self, name: str) -> None:
        if name not in self.curves:
            colour = PALETTE[len(self.curves) % len(PALETTE)]
            self.buffers[name] = RingBuffer(self.capacity)
            self.curves[name] = self.plot.plot([], [], name=name, connect="finite",
                                               pen=pg.mkPen(colour, width=1))

    def append(self, name: str, t, v) -> None:
        """Called as samples arrive (any rate): only copies into the buffer."""
        self.buffers[name].extend(np.atleast_1d(t), np.atleast_1d(v))
        self._dirty = True

    def redraw(self) -> None:
        if not self._dirty:
            return
        self._dirty = False
        for name, buf in self.buffers.items():
            t, v = buf.view()
            self.curves[name].setData(t, v, connect="finite")
        self.redraws += 1
