"""The Explorer chart: several meters overlaid, gaps drawn as gaps (NaN breaks the line),
estimated points marked, a crosshair that reads values with units, a "same time last week"
overlay, and the resolution chosen from the zoom level — the chart asks for day, hour or
15-minute rollups of the visible span (`range_wanted`) once panning or zooming pauses.
"""

from __future__ import annotations

import csv
from datetime import datetime, timezone

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from energize_desktop.core.rollup import Level
from energize_desktop.core.text import spreadsheet_safe
from energize_desktop.ui.window_support import show_empty, style_chart

# Pens are 1 px: Qt draws a wider antialiased pen stroke by stroke, which took 2.6 s instead of
# 28 ms for a year of minutes (benchmarks/ui.py).
LINE = "#1f6fb2"
ESTIMATED = "#d98c1f"
PALETTE = ("#1f6fb2", "#c0392b", "#27ae60", "#8e44ad", "#d35400", "#16a085", "#7f8c8d",
           "#2c3e50")
WEEK_S = 7 * 86400
SETTLE_MS = 120  # wait this long after the last pan/zoom step before asking for data


RAW_SPAN_S = 6 * 3600  # below this, a sampled level (kW, °C) shows its readings themselves


def level_for_span(span_s: float, sampled: bool = False):
    """Days beyond two months, hours beyond three days, quarter hours below — and the raw
    readings of a sampled level below six hours ("raw")."""
    if sampled and span_s < RAW_SPAN_S:
        return "raw"
    if span_s > 62 * 86400:
        return Level.DAY
    if span_s > 3 * 86400:
        return Level.HOUR
    return Level.QUARTER


def _grid(plot) -> None:
    """Grid lines at the major and minor ticks only: pyqtgraph's third, finest level is a
    line every few pixels at low alpha that doubled a zoom's repaint (37 → 19 ms on a year of
    minutes) for a difference hardly visible."""
    plot.showGrid(x=True, y=True, alpha=0.25)
    for side in ("left", "bottom"):
        plot.getPlotItem().getAxis(side).setStyle(maxTickLevel=1)


EMPTY = "Choose a meter on the left to chart it (Ctrl+click to overlay others)"


class SeriesChart(QWidget):
    range_wanted = Signal(int, object, float, float)  # meter id, Level, start s, end s (local)
    view_changed = Signal(float, float)  # the visible span once a pan or zoom settles (local s)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(utcOffset=0)})
        style_chart(self.plot)
        _grid(self.plot)
        self.plot.addLegend(offset=(10, 10))
        item = self.plot.getPlotItem()
        item.setDownsampling(auto=True, mode="peak")
        item.setClipToView(True)
        # the wheel and a drag move time only; the value axis fits what is visible unless the
        # user locks it (Grafana's behaviour: zooming in never flattens the curve off-screen)
        view = self.plot.getViewBox()
        view.setMouseEnabled(x=True, y=False)
        view.setAutoVisible(y=True)
        view.enableAutoRange(axis="y")
        self._right = None  # a second value axis, for a second unit
        self._right_unit: str | None = None
        self.panels: dict[str, pg.PlotWidget] = {}  # a third unit and beyond: stacked below
        self.curve = self._new_curve("", LINE)
        self.estimated = pg.ScatterPlotItem(size=5, brush=pg.mkBrush(ESTIMATED), pen=None)
        self.plot.addItem(self.estimated)
        self.last_week = self.plot.plot([], [], pen=pg.mkPen("#999", width=1,
                                                             style=pg.QtCore.Qt.PenStyle.DashLine),
                                        connect="finite", name="same time last week")
        self._crosshair()
        self.compare_box = QCheckBox("Overlay the same time last week")
        self.compare_box.setAccessibleName("overlay last week")
        self.compare_box.toggled.connect(self._redraw_last_week)
        self.lock_y = QCheckBox("Lock value axis")
        self.lock_y.setAccessibleName("lock value axis")
        self.lock_y.setToolTip("Keep the value axis where it is; the wheel then zooms it too")
        self.lock_y.toggled.connect(self._lock_toggled)
        self.legend_box = QCheckBox("Legend")
        self.legend_box.setChecked(True)
        self.legend_box.setToolTip("Every curve with its unit (hide it to see the curves under)")
        self.legend_box.toggled.connect(self._show_legend)
        self.readout = QLabel("")
        # elided, never widening the window: the label takes the room there is
        self.readout.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.readout.setMinimumWidth(0)
        self._readout_text = ""
        bar = QHBoxLayout()
        bar.addWidget(self.compare_box)
        bar.addWidget(self.lock_y)
        bar.addWidget(self.legend_box)
        bar.addWidget(self.readout, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.plot, 3)
        self._layout = layout
        self.series = None  # the primary meter's latest series
        self.overlays: dict[int, tuple] = {}  # meter id -> (curve, series)
        self._settle = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._settle.timeout.connect(self._ask_for_visible)
        self.plot.getViewBox().sigXRangeChanged.connect(lambda *_: self._settle.start())
        self._auto_range_next = True
        self.pending_shade = None  # an event to shade once its meter's data has arrived
        self.view_range: tuple[float, float] | None = None  # the time range control's span
        self.unit_system = "SI"  # the Settings page's choice: imperial shows °F
        show_empty(self.plot, EMPTY)

    def _new_curve(self, name: str, colour: str):
        return self.plot.plot([], [], pen=pg.mkPen(colour, width=1), connect="finite",
                              name=name or None)

    # -- axes --------------------------------------------------------------------------------------
    def _show_legend(self, shown: bool) -> None:
        for plot in (self.plot, *self.panels.values()):
            legend = plot.getPlotItem().legend
            if legend is not None:
                legend.setVisible(shown)

    def _lock_toggled(self, locked: bool) -> None:
        for view in filter(None, (self.plot.getViewBox(), self._right)):
            view.setMouseEnabled(x=True, y=locked)
            if locked:
                view.disableAutoRange(axis="y")
            else:
                view.enableAutoRange(axis="y")

    def _right_view(self, unit: str):
        """The right-hand value axis (created for the first curve of a second unit)."""
        if self._right is None:
            item = self.plot.getPlotItem()
            view = pg.ViewBox()
            item.showAxis("right")
            item.scene().addItem(view)
            item.getAxis("right").linkToView(view)
            view.setXLink(item)
            view.setMouseEnabled(x=True, y=self.lock_y.isChecked())
            view.setAutoVisible(y=True)
            view.enableAutoRange(axis="y")

            def follow():
                view.setGeometry(item.vb.sceneBoundingRect())
                view.linkedViewChanged(item.vb, view.XAxis)

            item.vb.sigResized.connect(follow)
            follow()
            self._right = view
        self.plot.getPlotItem().getAxis("right").setLabel(unit)
        return self._right

    def _panel(self, unit: str) -> pg.PlotWidget:
        """A panel of its own below the chart, sharing its time axis (a third unit and more:
        two value axes are as many as one chart can be read by)."""
        if unit not in self.panels:
            panel = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(utcOffset=0)})
            style_chart(panel)
            panel.setLabel("left", unit)
            panel.addLegend(offset=(10, 2)).setVisible(self.legend_box.isChecked())
            _grid(panel)
            panel.setXLink(self.plot)
            view = panel.getViewBox()
            view.setMouseEnabled(x=True, y=False)
            view.setAutoVisible(y=True)
            self.panels[unit] = panel
            self._layout.addWidget(panel, 1)
        return self.panels[unit]

    def _overlay_curve(self, name: str, colour: str, unit: str | None):
        """A curve on the left axis when it shares the primary's unit, on the right for a
        second unit, in a stacked panel for any other."""
        primary = self.series.unit if self.series is not None else None
        if unit is None or primary is None or unit == primary:
            curve = self._new_curve(name, colour)
            self._legend_entry(curve, f"{name} ({unit})" if unit else name)
            return curve
        if self._right_unit not in (None, unit):
            return self._panel(unit).plot([], [], pen=pg.mkPen(colour, width=1),
                                          connect="finite", name=f"{name} ({unit})")
        self._right_unit = unit
        curve = pg.PlotDataItem([], [], pen=pg.mkPen(colour, width=1,
                                                     style=Qt.PenStyle.DashLine),
                                connect="finite", name=f"{name} ({unit}, right axis)")
        self._right_view(unit).addItem(curve)
        legend = self.plot.getPlotItem().legend
        if legend is not None:
            legend.addItem(curve, curve.name())
        return curve

    # -- keyboard ------------------------------------------------------------------------------------
    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """+ / − zoom time about the middle, ← / → pan by a fifth, 0 shows everything."""
        key = event.key()
        (x0, x1), _ = self.plot.getViewBox().viewRange()
        span, mid = x1 - x0, (x0 + x1) / 2
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.plot.setXRange(mid - span / 4, mid + span / 4, padding=0)
        elif key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
            self.plot.setXRange(mid - span, mid + span, padding=0)
        elif key == Qt.Key.Key_Left:
            self.plot.setXRange(x0 - span / 5, x1 - span / 5, padding=0)
        elif key == Qt.Key.Key_Right:
            self.plot.setXRange(x0 + span / 5, x1 + span / 5, padding=0)
        elif key == Qt.Key.Key_0:
            self.plot.enableAutoRange()
        else:
            super().keyPressEvent(event)

    def _crosshair(self) -> None:
        self.vline = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#888", width=0.8))
        self.plot.addItem(self.vline, ignoreBounds=True)
        self._mouse = pg.SignalProxy(self.plot.scene().sigMouseMoved, rateLimit=30,
                                     slot=self._mouse_moved)

    # -- data -----------------------------------------------------------------------------------
    def show_series(self, series) -> None:
        """The primary meter (a new selection replaces the overlays) or an update of one
        already shown (a zoom asked for a finer or coarser level)."""
        series = display_units(series, self.unit_system)
        show_empty(self.plot, None)
        mid = series.meter.id
        if self.series is not None and mid != self.series.meter.id and mid not in self.overlays:
            self.clear()
        if self.series is None or mid == self.series.meter.id:
            first = self.series is None
            self.series = series
            self.curve.setData(series.x, series.y, connect="finite")
            est = series.estimated & np.isfinite(series.y)
            self.estimated.setData(series.x[est], series.y[est])
            self.plot.setTitle(series.label, size="11pt")
            self._legend_entry(self.curve, f"{series.meter.name} ({series.unit})")
            self.plot.setLabel("left", series.unit or "value")
            self.plot.setLabel("bottom", "local time")
            if self.pending_shade is not None:
                region, self.pending_shade = self.pending_shade, None
                self.shade(*region)
            elif first or self._auto_range_next:
                self._auto_range_next = False
                if self.view_range is not None:  # the time range holds across meters
                    self.plot.setXRange(*self.view_range, padding=0)
                else:
                    self.plot.enableAutoRange()
            self._redraw_last_week()
        else:
            curve, _, name, colour = self.overlays[mid]
            if curve is None:  # placed by its unit once its data (and unit) are known
                curve = self._overlay_curve(name, colour, series.unit)
            curve.setData(series.x, series.y, connect="finite")
            self.overlays[mid] = (curve, series, name, colour)

    def add_overlay(self, meter_id: int, name: str) -> None:
        if meter_id in self.overlays or (self.series and self.series.meter.id == meter_id):
            return
        colour = PALETTE[(len(self.overlays) + 1) % len(PALETTE)]
        self.overlays[meter_id] = (None, None, name, colour)

    def clear(self) -> None:
        self.series = None
        self.curve.setData([], [])
        self.estimated.setData([], [])
        self.last_week.setData([], [])
        for curve, *_ in self.overlays.values():
            if curve is not None:
                self.plot.removeItem(curve)
                if self._right is not None:
                    self._right.removeItem(curve)
                legend = self.plot.getPlotItem().legend
                if legend is not None:
                    legend.removeItem(curve)
        self.overlays.clear()
        if self._right is not None:
            self.plot.getPlotItem().hideAxis("right")
        self._right_unit = None
        for panel in self.panels.values():
            panel.setParent(None)
            panel.deleteLater()
        self.panels.clear()
        self.plot.setTitle("")
        self._auto_range_next = True
        show_empty(self.plot, EMPTY)

    def shade(self, start_s: float, end_s: float, around_s: float = 2 * 86400) -> None:
        """Shade an event and bring it into view with some context either side."""
        if getattr(self, "_shade", None) is None:
            self._shade = pg.LinearRegionItem(movable=False, brush=pg.mkBrush(217, 140, 31, 60))
            self.plot.addItem(self._shade)
        self._shade.setRegion((start_s, end_s))
        self._auto_range_next = False
        self.plot.setXRange(start_s - around_s, end_s + around_s, padding=0)

    def set_view(self, start_s: float | None, end_s: float | None = None) -> None:
        """Show [start, end) local seconds (the time range control), kept for the next meter;
        None: all of the data (the view fits it, as on a first look)."""
        self.view_range = None if start_s is None else (start_s, end_s)
        if self.series is None:
            return
        self._auto_range_next = False
        if self.view_range is None:
            self.plot.enableAutoRange(axis="x")
        else:
            self.plot.setXRange(start_s, end_s, padding=0)

    def shown_meters(self) -> list[int]:
        return ([self.series.meter.id] if self.series else []) + list(self.overlays)

    # -- zoom-driven resolution -----------------------------------------------------------------
    def visible_range(self) -> tuple[float, float]:
        (x0, x1), _ = self.plot.getViewBox().viewRange()
        return float(x0), float(x1)

    def _ask_for_visible(self) -> None:
        if self.series is None:
            return
        x0, x1 = self.visible_range()
        if self.view_range is not None or not self.plot.getViewBox().autoRangeEnabled()[0]:
            self.view_range = (x0, x1)  # a zoom by the user: the range they now look at
            self.view_changed.emit(x0, x1)
        sampled = str(self.series.meter.semantics) == "instantaneous"
        level = level_for_span(x1 - x0, sampled)
        loaded = "raw" if self.series.raw else self.series.level
        if level == loaded and len(self.series.x) and \
                self.series.x[0] <= x0 and x1 <= self.series.x[-1]:
            return  # what is loaded covers the view at the right resolution
        margin = x1 - x0
        for mid in self.shown_meters():
            self.range_wanted.emit(mid, level, x0 - margin, x1 + margin)

    # -- reading values -------------------------------------------------------------------------
    def _mouse_moved(self, event) -> None:
        pos = event[0]
        if self.series is None or not self.plot.sceneBoundingRect().contains(pos):
            return
        x = self.plot.getViewBox().mapSceneToView(pos).x()
        self.vline.setPos(x)
        self.set_readout(self.value_text(x))

    def set_readout(self, text: str) -> None:
        """The crosshair's text, elided to the room the label has (the whole in its tooltip)."""
        self._readout_text = text
        metrics = self.readout.fontMetrics()
        self.readout.setText(metrics.elidedText(text, Qt.TextElideMode.ElideRight,
                                                max(self.readout.width(), 40)))
        self.readout.setToolTip(text)

    def value_text(self, x: float) -> str:
        parts = []
        for s in [self.series] + [o[1] for o in self.overlays.values() if o[1] is not None]:
            if s is None or not len(s.x):
                continue
            i = int(np.clip(np.searchsorted(s.x, x, side="right") - 1, 0, len(s.x) - 1))
            value = "no data" if np.isnan(s.y[i]) else f"{s.y[i]:,.2f} {s.unit}"
            parts.append(f"{s.meter.name}: {value}")
        when = datetime.fromtimestamp(x, timezone.utc).strftime("%a %d %b %Y %H:%M")
        return f"{when}  " + "   ".join(parts)

    def _legend_entry(self, curve, label: str | None) -> None:
        """The legend lists what is drawn, each with its unit; None takes an entry out."""
        legend = self.plot.getPlotItem().legend
        if legend is None:
            return
        legend.removeItem(curve)
        if label:
            legend.addItem(curve, label)

    def _redraw_last_week(self, *_):
        s = self.series
        shown = s is not None and self.compare_box.isChecked() and s.level <= Level.HOUR
        self._legend_entry(self.last_week, f"same time last week ({s.unit})" if shown else None)
        if not shown:
            self.last_week.setData([], [])
            return
        self.last_week.setData(s.x + WEEK_S, s.y, connect="finite")  # last week's, a week on

    def export_visible(self, path) -> int:
        """Write the visible part of every curve to CSV (atomically); returns rows written."""
        x0, x1 = self.visible_range()
        rows = []
        for s in [self.series] + [o[1] for o in self.overlays.values() if o[1] is not None]:
            if s is None:
                continue
            sel = (s.x >= x0) & (s.x <= x1)
            rows += [(s.meter.name, x, y, s.unit) for x, y in zip(s.x[sel], s.y[sel])]
        tmp = path.with_name(path.name + ".part")
        with tmp.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["meter", "local_time", "value", "unit"])
            for meter, x, y, unit in rows:
                stamp = datetime.fromtimestamp(x, timezone.utc).strftime("%Y-%m-%d %H:%M")
                w.writerow([spreadsheet_safe(meter), stamp, "" if np.isnan(y) else f"{y:.4f}",
                            unit])
        tmp.replace(path)
        return len(rows)


def display_units(series, system: str):
    """The series as the user asked to read it: temperatures in °F under imperial units
    (energy stays in kWh and power in kW, as US meters and bills state them)."""
    from dataclasses import replace

    if system == "imperial" and series.unit == "°C":
        return replace(series, y=series.y * 9 / 5 + 32, unit="°F",
                       label=series.label.replace("°C", "°F"))
    return series
