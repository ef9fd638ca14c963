"""Live curves: samples land in preallocated ring buffers (no allocation per sample) and the
plot is redrawn on a timer, never per sample — with peak downsampling and clip-to-view so a
day of 1-second data per curve stays cheap to draw."""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QCheckBox, QLabel, QVBoxLayout, QWidget

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


class LiveTimeAxis(pg.DateAxisItem):
    """Clock times (this computer's zone), to the second when ticks are seconds apart —
    never pyqtgraph's bare "47.000" seconds."""

    def tickStrings(self, values, scale, spacing):
        if spacing >= 60:
            return super().tickStrings(values, scale, spacing)
        return [time.strftime("%H:%M:%S", time.localtime(v)) for v in values]


class LiveChart(QWidget):
    """One panel per unit, stacked, sharing the time axis (V, A, kW and Hz never share a value
    axis); each curve in its panel's legend with its unit."""

    def __init__(self, names: list[str], capacity: int = 86_400, interval_ms: int = 33,
                 unit: str = "kW", parent=None):
        super().__init__(parent)
        self.capacity = capacity
        self.default_unit = unit
        self.buffers: dict[str, RingBuffer] = {}
        self.curves: dict = {}
        self.panels: dict[str, pg.PlotWidget] = {}  # unit -> its panel, in order of arrival
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(2)
        self.legends = QCheckBox("Legends")
        self.legends.setChecked(True)
        self.legends.setToolTip("Each panel's curves with their units (hide to see the curves)")
        self.legends.toggled.connect(self._show_legends)
        self._layout.addWidget(self.legends)
        self.empty = QLabel("Live values are drawn here, one panel per unit, once acquisition "
                            "starts")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self._layout.addWidget(self.empty, 1)
        self.plot = self._panel(unit)  # the first panel (the only one until a second unit)
        self.plot.hide()  # an empty chart would show nonsense axes: the sentence instead
        for name in names:
            self.ensure_curve(name)
        self._dirty = False
        self.redraws = 0
        self.timer = QTimer(self, interval=interval_ms)
        self.timer.timeout.connect(self.redraw)
        self.timer.start()

    def _panel(self, unit: str) -> pg.PlotWidget:
        if unit in self.panels:
            return self.panels[unit]
        plot = pg.PlotWidget(axisItems={"bottom": LiveTimeAxis()})
        style_chart(plot)
        plot.setLabel("left", unit)
        plot.getPlotItem().getAxis("left").enableAutoSIPrefix(False)  # "kvar", not "kvar (x0.001)"
        legend = plot.addLegend(offset=(10, 2), colCount=3)  # rows of three: short panels
        legend.setVisible(self.legends.isChecked())
        item = plot.getPlotItem()
        item.setDownsampling(auto=True, mode="peak")
        item.setClipToView(True)
        if self.panels:
            plot.setXLink(next(iter(self.panels.values())))
        self.panels[unit] = plot
        self._layout.addWidget(plot)
        return plot

    def _show_legends(self, shown: bool) -> None:
        for plot in self.panels.values():
            plot.getPlotItem().legend.setVisible(shown)

    def ensure_curve(self, name: str, unit: str | None = None) -> None:
        if name not in self.curves:
            unit = unit or self.default_unit
            if not self.curves and unit != self.default_unit and not self.panels[
                    self.default_unit].getPlotItem().listDataItems():
                self._relabel_first(unit)
            if not self.curves:
                self.empty.hide()
                self.plot.show()
            colour = PALETTE[len(self.curves) % len(PALETTE)]
            self.buffers[name] = RingBuffer(self.capacity)
            self.curves[name] = self._panel(unit).plot(
                [], [], name=f"{name} ({unit})" if unit else name, connect="finite",
                pen=pg.mkPen(colour, width=1))

    def _relabel_first(self, unit: str) -> None:
        """The empty first panel takes the first curve's unit."""
        plot = self.panels.pop(self.default_unit)
        plot.setLabel("left", unit)
        self.panels[unit] = plot
        self.default_unit = unit

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


RATE_UNITS = {"kWh": "kW", "Wh": "W", "MWh": "MW", "kvarh": "kvar", "varh": "var"}


def rate_unit(unit: str) -> str:
    """What a counter's rate is drawn in: kWh → kW, kvarh → kvar, m³ → m³/h."""
    return RATE_UNITS.get(unit, f"{unit}/h")


class CounterRate:
    """A cumulative register as its rate per hour between readings (kWh → kW); a fall (a reset
    or rollover) or a repeated timestamp gives a gap, never a negative rate."""

    def __init__(self):
        self._last: dict[int, tuple[float, float]] = {}

    def rates(self, meter_id: int, t_s: np.ndarray, values: np.ndarray) -> np.ndarray:
        prev = self._last.get(meter_id)
        t = np.r_[prev[0] if prev else np.nan, t_s]
        v = np.r_[prev[1] if prev else np.nan, values]
        dt, dv = np.diff(t), np.diff(v)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where((dt > 0) & (dv >= 0), dv / dt * 3600.0, np.nan)
        if len(t_s):
            self._last[meter_id] = (float(t_s[-1]), float(values[-1]))
        return out
