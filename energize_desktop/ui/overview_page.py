"""The Overview page: KPI cards, the site's recent power, the latest anomalies and the top
recommendations — filled from one immutable payload (analytics.overview.Overview)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from energize_desktop.ui.window_support import (
    set_font,
    show_empty,
    style_chart,
    theme_colour,
)

TONES = {"good": "good", "bad": "bad", "neutral": "muted"}  # a card's tone: its theme colour


ACTIONS = {"tariffs": "Add a tariff…", "factors": "Add carbon factors…",
           "import": "Import files…"}


class CardWidget(QFrame):
    action_wanted = Signal(str)  # the editor that fills what the card misses

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title, self.value, self.detail = QLabel(), QLabel(), QLabel()
        set_font(self.value, 20, bold=True)
        self.detail.setWordWrap(True)
        self.button = QPushButton()
        self.button.hide()
        self.button.clicked.connect(lambda: self.action_wanted.emit(self._action))
        self._action = ""
        layout = QVBoxLayout(self)
        for w in (self.title, self.value, self.detail, self.button):
            layout.addWidget(w)

    def show_card(self, card) -> None:
        self.title.setText(card.title)
        self.value.setText(card.value)
        self.detail.setText(card.detail)
        self._action = card.action
        self.button.setText(ACTIONS.get(card.action, ""))
        self.button.setVisible(card.action in ACTIONS)
        self._tone = TONES.get(card.tone, "muted")
        self.theme_changed()
        self.setAccessibleName(f"{card.title}: {card.value}")

    def theme_changed(self) -> None:
        self.detail.setStyleSheet(f"color: {theme_colour(getattr(self, '_tone', 'muted'))};")


class OverviewPage(QWidget):
    COLUMNS = 3
    chart_wanted = Signal(dict)  # a recommendation's chart: meter, view, from_us, to_us
    site_wanted = Signal()  # the site's properties editor (zone, holidays, floor area…)
    editor_wanted = Signal(str)  # a card's hint: "tariffs" or "factors"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.heading = QLabel("Open a workspace to see its overview")
        set_font(self.heading, 13)
        self.grid = QGridLayout()
        self.cards: list[CardWidget] = []
        self.power = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(utcOffset=0)})
        style_chart(self.power)
        self.power.setLabel("left", "kW")
        self.power.setTitle("Site electricity, last 48 hours", size="10pt")
        self.power_curve = self.power.plot([], [], pen=pg.mkPen("#1f6fb2", width=1),
                                           connect="finite")
        show_empty(self.power, "The site's electricity of the last 48 hours shows here")
        self.anomalies, self.findings = QListWidget(), QListWidget()
        self.anomalies.setAccessibleName("latest anomalies")
        self.findings.setAccessibleName("recommendations")
        self.findings.setToolTip("Double-click a recommendation to open the chart that shows it")
        self._charts: tuple[dict, ...] = ()
        self.findings.itemActivated.connect(
            lambda item: self._open_chart(self.findings.row(item)))
        lists = QHBoxLayout()
        for title, widget in (("Latest anomalies", self.anomalies),
                              ("Recommendations (annual estimates)", self.findings)):
            box = QVBoxLayout()
            box.addWidget(QLabel(f"<b>{title}</b>"))
            box.addWidget(widget)
            lists.addLayout(box)
        self.site_button = QPushButton("Site properties…")
        self.site_button.setToolTip("Name, time zone, country and holidays, floor area and "
                                    "building type (Ctrl+Shift+P)")
        self.site_button.clicked.connect(self.site_wanted)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.site_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(self.grid)
        layout.addWidget(self.power, 2)
        layout.addLayout(lists, 2)

    def show_overview(self, data) -> None:
        when = data.as_of if data.first_steps else f"as of {data.as_of} (latest reading)"
        self.heading.setText(f"<b>{data.site}</b> — {when}")
        while len(self.cards) > len(data.cards):  # a first-steps overview has fewer cards
            self.cards.pop().deleteLater()
        while len(self.cards) < len(data.cards):
            card = CardWidget()
            card.action_wanted.connect(self.editor_wanted)
            n = len(self.cards)
            self.grid.addWidget(card, n // self.COLUMNS, n % self.COLUMNS)
            self.cards.append(card)
        for widget, card in zip(self.cards, data.cards):
            widget.show_card(card)
        self.power_curve.setData(data.power_x, data.power_kw, connect="finite")
        has_data = np.isfinite(np.asarray(data.power_kw, float)).any() if len(data.power_kw) \
            else False
        show_empty(self.power, None if has_data else "No electricity readings yet: import files "
                   "or add a connection" if data.first_steps else
                   "No electricity readings in the 48 hours before the latest reading")
        self.anomalies.clear()
        self.anomalies.addItems(list(data.anomalies) or ["No warnings: run Analyse › Detect "
                                                          "anomalies (Ctrl+D)"])
        self.findings.clear()
        self.findings.addItems(list(data.findings) or ["No findings for this site"])
        self._charts = tuple(data.finding_charts)

    def _open_chart(self, row: int) -> None:
        if 0 <= row < len(self._charts):
            self.chart_wanted.emit(self._charts[row])
