"""A pyqtgraph chart drawn without a window, to a PNG: the self-test's proof that Qt, its
platform plugin, fonts and pyqtgraph all load in an installed app."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def draw_chart(values: np.ndarray, path: Path, size=(800, 400)) -> int:
    """Draws `values` as a curve, saves a PNG, returns its byte size (raises if empty)."""
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(["energize-selftest"])
    plot = pg.PlotWidget(title="Self-test: hourly energy")
    try:
        plot.resize(*size)
        plot.setLabel("left", "Energy", units="kWh")
        plot.plot(np.arange(len(values)), np.nan_to_num(values), pen=pg.mkPen(width=1))
        app.processEvents()
        if not plot.grab().save(str(path), "PNG"):
            raise RuntimeError(f"{path}: the chart could not be saved as PNG")
    finally:
        plot.deleteLater()
        app.processEvents()
    size_bytes = Path(path).stat().st_size
    if size_bytes < 2000:
        raise RuntimeError(f"{path}: the chart is nearly empty ({size_bytes} bytes)")
    return size_bytes
