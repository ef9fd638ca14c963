"""The shape of a meter's load: a carpet plot (day × hour), the load-duration curve and average
day profiles by weekday / weekend and season."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from energize_desktop.ui.window_support import show_empty, style_chart

DAY_S = 86_400
PROFILE_COLOURS = ("#1f6fb2", "#c0392b", "#27ae60", "#8e44ad", "#d35400", "#16a085",
                   "#7f8c8d", "#2c3e50", "#f39c12", "#2980b9")


class ShapesPage(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.title = QLabel("Select a meter")
        # days on x as dates: the image spans its days in seconds of the local wall clock, read
        # by a date axis with no offset (local day numbers are wall-clock days)
        self.carpet = pg.PlotWidget(title="Carpet plot (day × hour)",
                                    axisItems={"bottom": pg.DateAxisItem(utcOffset=0)})
        self.image = pg.ImageItem()
        self.carpet.addItem(self.image)
        self.carpet.setLabel("left", "hour of day")
        self.carpet.setLabel("bottom", "date (local)")
        self.colorbar = pg.ColorBarItem(colorMap=pg.colormap.get("viridis"), interactive=False)
        self.colorbar.setImageItem(self.image, insert_in=self.carpet.getPlotItem())
        self.duration = pg.PlotWidget(title="Load-duration curve")
        self.duration.setLabel("bottom", "hours at or above")
        self.duration_curve = self.duration.plot([], [], pen=pg.mkPen("#1f6fb2", width=1))
        self.profiles = pg.PlotWidget(title="Average day profiles")
        self.profiles.setLabel("bottom", "hour of day (local)")
        self.profiles.addLegend(offset=(10, 10))
        for w in (self.carpet, self.duration, self.profiles):
            style_chart(w)
            show_empty(w, "Choose a meter on the left")
        layout = QGridLayout(self)
        layout.addWidget(self.title, 0, 0, 1, 2)
        layout.addWidget(self.carpet, 1, 0, 1, 2)
        layout.addWidget(self.duration, 2, 0)
        layout.addWidget(self.profiles, 2, 1)

    def show_shapes(self, name: str, shapes) -> None:
        unit = shapes.unit
        for w in (self.carpet, self.duration, self.profiles):
            show_empty(w, None)
        self.title.setText(f"<b>{name}</b> — hourly {unit}; gaps are blank cells")
        carpet = shapes.carpet
        if carpet.size:
            self.image.setImage(carpet, autoLevels=False)  # rows = days on x, columns = hours
            self.image.setRect(pg.QtCore.QRectF(shapes.first_day * DAY_S, 0,
                                                carpet.shape[0] * DAY_S, 24))
            self.carpet.getPlotItem().autoRange()
            finite = carpet[np.isfinite(carpet)]
            if finite.size:
                self.colorbar.setLevels((float(np.percentile(finite, 1)),
                                         float(np.percentile(finite, 99))))
        self.duration_curve.setData(np.arange(1, len(shapes.duration_kw) + 1),
                                    shapes.duration_kw)
        self.duration.setLabel("left", unit)
        self.profiles.clear()
        self.profiles.getPlotItem().legend.clear()
        wanted = [k for k in shapes.profiles if k.endswith(("all year", "winter", "summer"))]
        for colour, key in zip(PROFILE_COLOURS, wanted):
            style = pg.QtCore.Qt.PenStyle.DashLine if key.startswith("weekend") else \
                pg.QtCore.Qt.PenStyle.SolidLine
            self.profiles.plot(np.arange(24), shapes.profiles[key], name=key,
                               pen=pg.mkPen(colour, width=1.5, style=style))
        self.profiles.setLabel("left", unit)
