"""Every page rendered in both themes at 1280×720 and 1920×1080, checked from the pixels: the
window keeps the size it was given (no page forces it wider or taller), every visible text
label reads at ≥ 4.5:1 against what is drawn behind it, and every chart's background is the
theme's. The renders are written to the test's folder (look at them when this fails)."""

import pyqtgraph as pg
import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel

from energize_desktop.runtime.workspace_service import WorkspaceService
from energize_desktop.ui.dialogs import RecordingDialogs
from energize_desktop.ui.main_window import PAGES, MainWindow
from energize_desktop.ui.window_support import THEMES, apply_theme
from tests.gui.test_theme import _text_contrast, contrast

SIZES = ((1280, 720), (1920, 1080))


@pytest.fixture(scope="module")
def shown(qapp, demo_file, tmp_path_factory):
    import os

    before = os.environ.get("ENERGIZE_DATA_DIR")
    os.environ["ENERGIZE_DATA_DIR"] = str(tmp_path_factory.mktemp("screens-data"))
    service = WorkspaceService()
    win = MainWindow(service, dialogs=RecordingDialogs())
    ready = []
    service.overview_ready.connect(lambda *_: ready.append(1))
    win.open_path(demo_file)
    yield win, ready
    apply_theme("light")
    win.close()
    service.close()
    if before is None:
        os.environ.pop("ENERGIZE_DATA_DIR", None)
    else:
        os.environ["ENERGIZE_DATA_DIR"] = before


def _labels(page):
    return [w for w in page.findChildren(QLabel)
            if w.isVisible() and w.text().strip() and w.width() > 8 and w.height() > 8
            and not w.text().startswith("<img")]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_page_fits_reads_and_follows_the_theme(qtbot, qapp, shown, size, theme,
                                                     tmp_path):
    win, ready = shown
    qtbot.waitUntil(lambda: bool(ready), timeout=30_000)
    win.settings.theme.setCurrentText(theme)
    win.resize(*size)
    win.show()
    qtbot.waitExposed(win)
    colours = THEMES[theme]
    labels = plots = 0
    try:
        for i in range(win.pages.count()):  # the tab icons drawn in the theme's text colour
            image = win.pages.tabIcon(i).pixmap(32, 32).toImage()
            inked = [QColor(image.pixel(x, y)) for x in range(32) for y in range(32)
                     if QColor.fromRgba(image.pixel(x, y)).alpha() > 200]
            assert inked and contrast(inked[0], QColor(colours["window"])) >= 4.5, (i, theme)
        for i, name in enumerate(PAGES):
            win.pages.setCurrentIndex(i)
            qtbot.waitUntil(lambda: win.pages.currentIndex() == i)
            qapp.processEvents()  # the palette change and the layout reach every widget
            page = win.pages.currentWidget()
            image = win.grab()
            image.save(str(tmp_path / f"{name}-{theme}-{size[0]}.png"))
            assert (win.width(), win.height()) == size, (name, win.size())
            assert page.width() <= win.width() and not page.minimumSizeHint().width() > size[0]
            for label in _labels(page)[:40]:
                labels += 1
                assert _text_contrast(label) >= 4.5, (name, theme, label.text()[:60])
            for plot in page.findChildren(pg.PlotWidget):
                if not plot.isVisible() or plot.width() < 20:
                    continue
                plots += 1
                legend = plot.getPlotItem().legend
                for _sample, entry in (legend.items if legend is not None else []):
                    drawn = entry.item.toHtml().lower()  # the colour the text is drawn in
                    assert colours["chart_fg"].lower() in drawn, (name, theme, entry.text)
                pixels = plot.grab().toImage()
                corner = QColor(pixels.pixel(pixels.width() - 3, 3))
                assert contrast(corner, QColor(colours["chart_bg"])) < 1.1, (name, theme)
    finally:
        win.hide()
    assert labels > 40 and plots >= 5, (labels, plots)  # the checks saw the pages' contents
