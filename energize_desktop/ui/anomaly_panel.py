"""The anomalies found: one row per event, newest first, alarms before findings."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

COLUMNS = ("When", "Meter", "Kind", "Severity", "Explanation")
COLOURS = {"critical": QColor(200, 40, 40), "warning": QColor(200, 120, 0),
           "info": QColor(90, 90, 90)}


class AnomalyPanel(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("anomalies")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)

    def show_events(self, events) -> None:
        rank = {"critical": 0, "warning": 1, "info": 2}
        events = sorted(events, key=lambda e: (rank[e.severity.value], -e.start_us))
        self.table.setRowCount(len(events))
        for row, e in enumerate(events):
            when = e.explanation.split(": ", 1)[0] if ": " in e.explanation else ""
            cells = (when, e.meter, e.kind.value, e.severity.value, e.explanation)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(e.explanation)
                if col == 3:
                    item.setForeground(COLOURS[e.severity.value])
                self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(4, 600)
        self.table.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft)
