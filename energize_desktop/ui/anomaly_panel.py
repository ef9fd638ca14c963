"""Anomalies & alerts: the events found (sortable, filterable; double-click shows the moment on
the chart with the event shaded; "Not an anomaly" teaches the next run) and the alerts raised
(acknowledge or resolve with a note, kept in the audit trail)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from energize_desktop.ui.window_support import theme_colour

COLUMNS = ("Start (local)", "Meter", "Kind", "Severity", "Score", "Explanation")
RANK = {"critical": 0, "warning": 1, "info": 2}
ALERT_COLUMNS = ("Opened", "State", "Severity", "Message")
SEVERITY_ROLE = {"critical": "bad", "warning": "warn", "info": "muted"}  # theme colours
EVENT_ROLE = Qt.ItemDataRole.UserRole


class _Item(QTableWidgetItem):
    """A cell that sorts by a key of its own (a time, a severity rank, a number), not by the
    text it shows: "Fri 18 Apr" must not sort before "Mon 05 May"."""

    def __init__(self, text: str, key):
        super().__init__(text)
        self.key = key

    def __lt__(self, other):
        return self.key < other.key if isinstance(other, _Item) else super().__lt__(other)


def _table(columns) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(columns)
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
    table.setWordWrap(False)
    return table


class AnomalyPanel(QWidget):
    jump_to = Signal(object)  # the Event double-clicked
    dismiss_wanted = Signal(object)  # the Event the user says is not an anomaly
    alert_action = Signal(int, str)  # alert id, "acknowledge" | "resolve"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("anomalies")
        self.table = _table(COLUMNS)
        self.table.setAccessibleName("anomalies found")
        self.table.verticalHeader().setVisible(False)
        # sorted on a click of a header only: the order as given (alarms first, newest first)
        # stays until then — Qt's own sorting would re-sort it by the last column clicked
        self.table.horizontalHeader().setSectionsClickable(True)
        self.table.horizontalHeader().sectionClicked.connect(self._sort_by)
        self._sorted = (-1, Qt.SortOrder.AscendingOrder)
        self.table.cellDoubleClicked.connect(lambda row, _c: self._jump(row))
        self.filter = QLineEdit(placeholderText="Filter by meter, kind or text…")
        self.filter.setAccessibleName("filter anomalies")
        self.filter.textChanged.connect(self._apply_filter)
        self.severity = QComboBox()
        self.severity.addItems(["all severities", "alarms (warning and above)", "critical"])
        self.severity.setCurrentIndex(1)  # findings are kept apart from alarms: asked for
        self.severity.currentIndexChanged.connect(self._apply_filter)
        self.meter = QComboBox()
        self.meter.setAccessibleName("filter by meter")
        self.kind = QComboBox()
        self.kind.setAccessibleName("filter by kind")
        for box in (self.meter, self.kind):
            box.currentIndexChanged.connect(self._apply_filter)
        self.since = QLineEdit(placeholderText="from YYYY-MM-DD")
        self.until = QLineEdit(placeholderText="to YYYY-MM-DD")
        for edit in (self.since, self.until):
            edit.setMaximumWidth(130)
            edit.textChanged.connect(self._apply_filter)
        self.counts = QLabel()
        self.grouped = QCheckBox("One row per episode")
        self.grouped.setToolTip("An alarm seen again at the same time on a parent meter or a "
                                "virtual total that adds it is shown once, on the most specific "
                                "meter, with the others named beside it")
        self.grouped.setChecked(True)
        self.grouped.toggled.connect(self._apply_filter)
        self._under: set[int] = set()  # ids of events shown under their episode's lead
        self.dismiss_button = QPushButton("Not an anomaly…")
        self.dismiss_button.setToolTip("The next detection run leaves this event out and raises "
                                       "this meter's threshold for its kind a little")
        self.dismiss_button.clicked.connect(self._dismiss)
        self.alerts = _table(ALERT_COLUMNS)
        self.alerts.setAccessibleName("alerts")
        self.ack_button = QPushButton("Acknowledge…")
        self.resolve_button = QPushButton("Resolve…")
        self.ack_button.clicked.connect(lambda: self._alert("acknowledge"))
        self.resolve_button.clicked.connect(lambda: self._alert("resolve"))
        self._layout()

    def _layout(self) -> None:
        bar = QHBoxLayout()
        for w in (self.filter, self.severity, self.meter, self.kind, self.since, self.until,
                  self.dismiss_button):
            bar.addWidget(w)
        top, bottom = QWidget(), QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addLayout(bar)
        counts = QHBoxLayout()
        counts.addWidget(self.counts, 1)
        counts.addWidget(self.grouped)
        tl.addLayout(counts)
        tl.addWidget(self.table)
        alert_bar = QHBoxLayout()
        alert_bar.addWidget(QLabel("<b>Alerts</b> (open and acknowledged)"))
        alert_bar.addStretch(1)
        alert_bar.addWidget(self.ack_button)
        alert_bar.addWidget(self.resolve_button)
        bl = QVBoxLayout(bottom)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addLayout(alert_bar)
        bl.addWidget(self.alerts)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(bottom)
        split.setSizes([500, 200])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)

    # -- events ---------------------------------------------------------------------------------
    def theme_changed(self) -> None:
        """The severity column in the theme's colours."""
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 3)
            event = item.data(EVENT_ROLE) if item is not None else None
            if event is not None:
                item.setForeground(QColor(theme_colour(SEVERITY_ROLE[event.severity.value])))

    def show_events(self, events, episodes=None) -> None:
        """Alarms first (critical, then warning), newest first; findings after them. With
        `episodes` (jobs.episodes), the alarms seen again on a containing meter sit under
        their lead, which names them."""
        events = sorted(events, key=lambda e: (RANK[e.severity.value], -e.start_us))
        self._events = list(events)
        self._episodes = list(episodes or [])
        also = {id(ep.lead): ep.also for ep in self._episodes if ep.also}
        self._under = {id(e) for ep in self._episodes for e in ep.also}
        self._fill_choices(self.meter, "all meters", sorted({e.meter for e in events}))
        self._fill_choices(self.kind, "all kinds", sorted({e.kind.value for e in events}))
        self.table.setSortingEnabled(False)
        self.table.setRowCount(len(events))
        for row, e in enumerate(events):
            when, _, what = e.explanation.partition(": ") if ": " in e.explanation else \
                ("", "", e.explanation)
            shown = e.meter + (f" (also on {', '.join(sorted({o.meter for o in also[id(e)]}))})"
                               if id(e) in also else "")
            cells = ((when, e.start_us), (shown, e.meter), (e.kind.value, e.kind.value),
                     (e.severity.value, RANK[e.severity.value]), (f"{e.score:.1f}", e.score),
                     (what, what))
            for col, (text, key) in enumerate(cells):
                item = _Item(text, key)
                item.setToolTip(e.explanation)
                item.setData(EVENT_ROLE, e)
                if col == 3:
                    item.setForeground(QColor(theme_colour(SEVERITY_ROLE[e.severity.value])))
                self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(0, min(self.table.columnWidth(0), 270))
        self.table.setColumnWidth(len(COLUMNS) - 1, 600)
        self.table.horizontalHeader().setSortIndicatorShown(False)  # ranked as above
        alarms = sum(e.severity.value != "info" for e in events)
        grouped = alarms - sum(1 for e in events if id(e) in self._under)
        self.counts.setText(f"{alarms} alarm(s) in {grouped} episode(s), "
                            f"{len(events) - alarms} finding(s) (findings: choose 'all "
                            "severities')")
        self._apply_filter()

    def _sort_by(self, column: int) -> None:
        last, order = self._sorted
        order = Qt.SortOrder.DescendingOrder if column == last and \
            order == Qt.SortOrder.AscendingOrder else Qt.SortOrder.AscendingOrder
        self._sorted = (column, order)
        self.table.sortItems(column, order)
        self.table.horizontalHeader().setSortIndicatorShown(True)
        self.table.horizontalHeader().setSortIndicator(column, order)

    @staticmethod
    def _fill_choices(box: QComboBox, everything: str, values: list[str]) -> None:
        chosen = box.currentText()
        box.blockSignals(True)
        box.clear()
        box.addItems([everything, *values])
        if chosen in values:
            box.setCurrentText(chosen)
        box.blockSignals(False)

    def event_at(self, row: int):
        item = self.table.item(row, 0)
        return item.data(EVENT_ROLE) if item else None

    def visible_rows(self) -> list[int]:
        return [r for r in range(self.table.rowCount()) if not self.table.isRowHidden(r)]

    def _apply_filter(self, *_):
        text = self.filter.text().strip().lower()
        wanted = {0: ("critical", "warning", "info"), 1: ("critical", "warning"),
                  2: ("critical",)}[self.severity.currentIndex()]
        meter = self.meter.currentText() if self.meter.currentIndex() > 0 else None
        kind = self.kind.currentText() if self.kind.currentIndex() > 0 else None
        since, until = _day_us(self.since.text()), _day_us(self.until.text())
        for row in range(self.table.rowCount()):
            e = self.event_at(row)
            hay = f"{e.meter} {e.kind.value} {e.explanation}".lower()
            shown = (e.severity.value in wanted and text in hay
                     and not (self.grouped.isChecked() and id(e) in self._under)
                     and (meter is None or e.meter == meter)
                     and (kind is None or e.kind.value == kind)
                     and (since is None or e.end_us > since)
                     and (until is None or e.start_us < until + 86_400_000_000))
            self.table.setRowHidden(row, not shown)

    def _jump(self, row: int) -> None:
        event = self.event_at(row)
        if event is not None:
            self.jump_to.emit(event)

    def _dismiss(self) -> None:
        rows = {i.row() for i in self.table.selectedItems()}
        if rows:
            self.dismiss_wanted.emit(self.event_at(rows.pop()))

    def remove_event(self, event) -> None:
        self._events = [e for e in getattr(self, "_events", []) if e is not event]
        for row in range(self.table.rowCount()):
            if self.event_at(row) is event:
                self.table.removeRow(row)
                return

    def add_event(self, event) -> None:
        """An event back in the table (an undone "not an anomaly"), in its ranked place."""
        self.show_events([*getattr(self, "_events", []), event], self._episodes)

    # -- alerts ---------------------------------------------------------------------------------
    def show_alerts(self, alerts: list[dict]) -> None:
        self.alerts.setRowCount(len(alerts))
        for row, a in enumerate(alerts):
            cells = (str(a["opened_at"])[:16], a["state"], a["severity"], a["message"])
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(EVENT_ROLE, a["id"])
                self.alerts.setItem(row, col, item)
        self.alerts.resizeColumnsToContents()

    def _alert(self, action: str) -> None:
        rows = {i.row() for i in self.alerts.selectedItems()}
        if rows:
            self.alert_action.emit(int(self.alerts.item(rows.pop(), 0).data(EVENT_ROLE)), action)


def _day_us(text: str) -> int | None:
    """A typed date as µs (UTC midnight: the filter is by day, a few hours either way is
    fine), or None while it is empty or not yet a whole date."""
    from datetime import date, datetime, timezone

    try:
        d = date.fromisoformat(text.strip())
    except ValueError:
        return None
    return int(datetime(d.year, d.month, d.day, tzinfo=timezone.utc).timestamp() * 1_000_000)
