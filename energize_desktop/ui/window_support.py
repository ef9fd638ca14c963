"""Small pieces the main window uses: theme, icons, the user's name, this computer's zone."""

from __future__ import annotations


def login_name() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers): still an honest audit entry
        return "desktop user"


# Every colour a page draws text or charts in, per theme; each text colour holds a contrast of
# at least 4.5:1 (WCAG AA) against the window colour of its theme (tests/gui/test_theme.py).
THEMES = {
    "light": {"window": "#f0f0f0", "text": "#1e1e1e", "base": "#ffffff", "muted": "#555555",
              "good": "#17653a", "bad": "#a93226", "warn": "#8a5200",
              "chart_bg": "#ffffff", "chart_fg": "#333333", "curve": "#1f6fb2"},
    "dark": {"window": "#2b2b2b", "text": "#e6e6e6", "base": "#1e1e1e", "muted": "#bdbdbd",
             "good": "#58d68d", "bad": "#f1948a", "warn": "#f5b041",
             "chart_bg": "#1e1e1e", "chart_fg": "#d0d0d0", "curve": "#5dade2"},
}
_current = {"name": "light"}


def theme_colour(role: str) -> str:
    """A colour of the theme in force ("good", "bad", "warn", "muted", "chart_fg"…)."""
    return THEMES[_current["name"]][role]


def apply_theme(theme: str) -> None:
    """Dark, light, or whatever the platform gives ("system", drawn as light): the palette of
    every widget and the colours of every chart, applied at once to what is open."""
    import pyqtgraph as pg
    from PySide6.QtGui import QColor, QPalette
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        return
    name = "dark" if theme == "dark" else "light"
    _current["name"] = name
    colours = THEMES[name]
    app.setStyle("Fusion")  # the one style that honours a palette on every platform
    palette = app.style().standardPalette()
    if name == "dark":
        roles = {QPalette.ColorRole.Window: colours["window"],
                 QPalette.ColorRole.WindowText: colours["text"],
                 QPalette.ColorRole.Base: colours["base"],
                 QPalette.ColorRole.AlternateBase: "#2f2f2f",
                 QPalette.ColorRole.Text: colours["text"], QPalette.ColorRole.Button: "#353535",
                 QPalette.ColorRole.ButtonText: colours["text"],
                 QPalette.ColorRole.ToolTipBase: "#353535",
                 QPalette.ColorRole.ToolTipText: colours["text"],
                 QPalette.ColorRole.PlaceholderText: "#9e9e9e",
                 QPalette.ColorRole.Highlight: "#2a82da",
                 QPalette.ColorRole.HighlightedText: "#ffffff"}
        for role, colour in roles.items():
            palette.setColor(role, QColor(colour))
    app.setPalette(palette)
    pg.setConfigOption("background", colours["chart_bg"])
    pg.setConfigOption("foreground", colours["chart_fg"])
    for widget in app.allWidgets():
        if isinstance(widget, pg.PlotWidget):
            style_chart(widget)
        if hasattr(widget, "icon_names"):
            retint_tabs(widget)
        restyle = getattr(widget, "theme_changed", None)
        if callable(restyle):
            restyle()


def set_font(label, points: float, bold: bool = False) -> None:
    """Size and weight by QFont, not a style sheet: a style sheet freezes the palette the
    label had, and its text then stays black when the theme turns dark."""
    font = label.font()
    font.setPointSizeF(points)
    font.setBold(bold)
    label.setFont(font)


def style_chart(plot) -> None:
    """A chart in the theme's colours: background, axes, their labels, title and legend."""
    import pyqtgraph as pg

    fg, bg = theme_colour("chart_fg"), theme_colour("chart_bg")
    item = plot.getPlotItem()
    if item is None:  # a chart of a window already closed, not yet collected
        return
    plot.setBackground(bg)
    for name in ("left", "bottom", "right", "top"):
        axis = item.getAxis(name)
        axis.setPen(pg.mkPen(fg))
        axis.setTextPen(pg.mkPen(fg))
        if axis.labelText:
            axis.setLabel(axis.labelText, units=axis.labelUnits, color=fg)
    if item.titleLabel.text:
        item.titleLabel.setText(item.titleLabel.text, color=fg)
    if getattr(plot, "_empty_note", None) is not None:
        plot._empty_note.setColor(fg)
    if item.legend is not None:
        item.legend.setLabelTextColor(fg)
        for _sample, label in item.legend.items:  # setLabelTextColor only sets an attribute:
            label.setText(label.text)  # the text drawn keeps its old colour until set again


def local_zone() -> str:
    """This computer's IANA zone for a new site (UTC when it cannot be told)."""
    import os

    zone = os.environ.get("TZ", "")
    if "/" in zone:
        return zone
    try:
        link = os.path.realpath("/etc/localtime")
        return link.split("zoneinfo/", 1)[1] if "zoneinfo/" in link else "UTC"
    except OSError:
        return "UTC"


def icon(name: str, tint: bool = True):
    """An SVG icon from resources/icons in the theme's text colour (dark line art vanishes on
    a dark tab), drawn large enough to stay crisp at any screen scale."""
    from PySide6.QtGui import QColor, QIcon, QPainter

    from energize_desktop import paths

    source = QIcon(str(paths.resource("icons", f"{name}.svg")))
    pixmap = source.pixmap(64, 64)
    if pixmap.isNull() or not tint:
        return source
    painter = QPainter(pixmap)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
    painter.fillRect(pixmap.rect(), QColor(theme_colour("text")))
    painter.end()
    tinted = QIcon(pixmap)
    return tinted


def retint_tabs(tabs) -> None:
    """A tab bar's icons again in the theme's colour (its `icon_names`, one per tab)."""
    for i, name in enumerate(getattr(tabs, "icon_names", ())):
        tabs.setTabIcon(i, icon(name))


def show_empty(plot, text: str | None) -> None:
    """An empty chart says what would fill it instead of drawing axes of nothing (0–1, a
    1970 date axis); `None` once it has data (the axes come back)."""
    import pyqtgraph as pg

    item = plot.getPlotItem()
    note = getattr(plot, "_empty_note", None)
    if text is None:
        if note is not None:
            item.removeItem(note)
            plot._empty_note = None
            for side in ("left", "bottom"):
                item.showAxis(side)
        return
    if note is None:
        note = plot._empty_note = pg.TextItem(anchor=(0.5, 0.5))
        item.addItem(note, ignoreBounds=True)
        item.getViewBox().sigRangeChanged.connect(lambda *_: _centre(plot))
    note.setText(text, color=theme_colour("chart_fg"))
    for side in ("left", "bottom"):
        item.hideAxis(side)
    _centre(plot)


def _centre(plot) -> None:
    note = getattr(plot, "_empty_note", None)
    if note is not None:  # the middle of whatever range the empty view has
        (x0, x1), (y0, y1) = plot.getPlotItem().getViewBox().viewRange()
        note.setPos((x0 + x1) / 2, (y0 + y1) / 2)
