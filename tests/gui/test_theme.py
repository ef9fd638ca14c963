"""Both themes on every page: the palette and every chart follow the theme at once (no Save),
and text keeps a contrast of at least 4.5:1 (WCAG AA) — measured on the colours the pages
use and on rendered pixels of the charts."""

import re

import pyqtgraph as pg
import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel

from energize_desktop.runtime.workspace_service import WorkspaceService
from energize_desktop.ui.dialogs import RecordingDialogs
from energize_desktop.ui.main_window import MainWindow
from energize_desktop.ui.window_support import THEMES, apply_theme


def _luminance(colour: QColor) -> float:
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    return 0.2126 * channel(colour.red()) + 0.7152 * channel(colour.green()) + \
        0.0722 * channel(colour.blue())


def contrast(a: QColor, b: QColor) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_every_text_colour_of_a_theme_reads_on_its_background(theme):
    c = THEMES[theme]
    for role in ("text", "muted", "good", "bad", "warn"):
        assert contrast(QColor(c[role]), QColor(c["window"])) >= 4.5, (theme, role)
    assert contrast(QColor(c["chart_fg"]), QColor(c["chart_bg"])) >= 4.5
    assert contrast(QColor(c["text"]), QColor(c["base"])) >= 4.5


@pytest.fixture
def window(qtbot, demo_file):
    service = WorkspaceService()
    win = MainWindow(service, dialogs=RecordingDialogs())
    qtbot.addWidget(win)
    with qtbot.waitSignals([service.series_ready, service.overview_ready], timeout=30_000):
        win.open_path(demo_file)
    yield win
    apply_theme("light")
    service.close()


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_the_theme_applies_at_once_to_every_page_and_chart(qtbot, window, theme):
    window.settings.theme.setCurrentText("light" if theme == "dark" else "dark")
    window.settings.theme.setCurrentText(theme)  # chosen, not saved
    colours = THEMES[theme]
    palette = QApplication.instance().palette()
    window_bg = palette.color(QPalette.ColorRole.Window)
    assert window_bg == QColor(colours["window"]) or theme == "light"
    assert contrast(palette.color(QPalette.ColorRole.WindowText), window_bg) >= 4.5
    plots = window.findChildren(pg.PlotWidget)
    assert len(plots) >= 6
    for plot in plots:
        assert plot.backgroundBrush().color() == QColor(colours["chart_bg"]), plot
        axis = plot.getPlotItem().getAxis("left")
        assert axis.textPen().color() == QColor(colours["chart_fg"])
    # pixels: the Explorer's chart drawn in the theme's background
    window.resize(1280, 720)
    window.pages.setCurrentWidget(window.chart.parentWidget() if window.pages.indexOf(
        window.chart) < 0 else window.chart)
    image = window.chart.plot.grab().toImage()
    corner = QColor(image.pixel(image.width() - 3, 3))
    assert contrast(corner, QColor(colours["chart_bg"])) < 1.1, corner.name()
    # every label that sets its own colour keeps AA contrast on the window colour
    for label in window.findChildren(QLabel):
        found = re.search(r"color:\s*(#[0-9a-fA-F]{6})", label.styleSheet() + label.text())
        if found:
            assert contrast(QColor(found[1]), window_bg) >= 4.5, (label.text(), found[1])
    for card in window.overview.cards:  # the KPI cards' sub-texts
        found = re.search(r"color:\s*(#[0-9a-fA-F]{6})", card.detail.styleSheet())
        assert found and found[1].lower() in {colours[r] for r in ("good", "bad", "muted")}


def _text_contrast(widget) -> float:
    """From the pixels: the colour of the label's text (the pixel farthest from its
    background) against its background (the commonest pixel)."""
    from collections import Counter

    image = widget.grab().toImage()
    pixels = [QColor(image.pixel(x, y)) for x in range(0, image.width(), 2)
              for y in range(0, image.height(), 2)]
    background = Counter(p.rgb() for p in pixels).most_common(1)[0][0]
    bg = QColor(background)
    return max(contrast(p, bg) for p in pixels)


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_kpi_numbers_and_the_heading_are_drawn_readable(qtbot, window, theme):
    window.settings.theme.setCurrentText(theme)
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    for label in [window.overview.heading] + [c.value for c in window.overview.cards] + \
            [c.detail for c in window.overview.cards]:
        assert _text_contrast(label) >= 4.5, (theme, label.text())
    window.hide()
