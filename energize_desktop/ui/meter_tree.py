"""Sites and their meters as a tree; selecting a meter emits its id."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem

from energize_desktop.core.text import printable

METER_ROLE = Qt.ItemDataRole.UserRole
SOURCE_ROLE = Qt.ItemDataRole.UserRole + 1  # the live device or broker the meter comes from
LIGHTS = {"online": "#27ae60", "connected": "#27ae60", "retrying": "#f39c12",
          "waiting": "#95a5a6", "connecting": "#95a5a6", "offline": "#c0392b",
          "disconnected": "#c0392b", "refused": "#c0392b"}


def _light(colour: str) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(0, 0, 0, 0))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(colour))
    painter.setPen(QColor("#555"))
    painter.drawEllipse(1, 1, 10, 10)
    painter.end()
    return QIcon(pixmap)


class MeterTree(QTreeWidget):
    """Click a meter to chart it; Ctrl+click (or Enter on another meter with Ctrl held)
    overlays it on the chart instead."""

    meter_selected = Signal(int)
    overlay_wanted = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setHeaderLabels(["Site / meter", "Unit", "Semantics"])
        self.setAlternatingRowColors(True)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QTreeWidget.SelectionMode.ExtendedSelection)
        self.itemSelectionChanged.connect(self._selection_changed)

    def populate(self, sites, meters_of) -> None:
        self.clear()
        for site in sites:
            area = f" · {site.floor_area_m2:,.0f} m²" if site.floor_area_m2 else ""
            top = QTreeWidgetItem([f"{printable(site.name)}{area}", "", site.timezone])
            self.addTopLevelItem(top)
            for meter in meters_of(site):
                how = "virtual" if meter.is_virtual else str(meter.semantics)
                item = QTreeWidgetItem([printable(meter.name), meter.unit, how])
                item.setData(0, METER_ROLE, meter.id)
                item.setData(0, SOURCE_ROLE, meter.source.get("device") or
                             meter.source.get("broker"))
                item.setToolTip(0, f"{meter.kind} · computed from other meters" if
                                meter.is_virtual else
                                f"{meter.kind} · every {meter.interval_s // 60} min")
                top.addChild(item)
            top.setExpanded(True)
        for col in range(3):
            self.resizeColumnToContents(col)

    def set_states(self, states: dict[str, str]) -> None:
        """Status lights on meters fed by a live device or broker; none when not acquiring."""
        for item in self.meter_items():
            source = item.data(0, SOURCE_ROLE)
            state = states.get(source) if source else None
            item.setIcon(0, _light(LIGHTS.get(state, "#95a5a6")) if state else QIcon())
            item.setToolTip(1, f"{source}: {state}" if state else "")

    def meter_items(self) -> list[QTreeWidgetItem]:
        items = []
        for i in range(self.topLevelItemCount()):
            top = self.topLevelItem(i)
            items.extend(top.child(j) for j in range(top.childCount()))
        return items

    def select_meter(self, meter_id: int) -> None:
        for item in self.meter_items():
            if item.data(0, METER_ROLE) == meter_id:
                self.setCurrentItem(item)
                return

    def _selection_changed(self) -> None:
        selected = [i.data(0, METER_ROLE) for i in self.selectedItems()]
        selected = [int(m) for m in selected if m is not None]
        item = self.currentItem()
        current = item.data(0, METER_ROLE) if item else None
        if current is None:
            return
        if len(selected) > 1 and int(current) in selected:
            self.overlay_wanted.emit(int(current))  # added to the selection: overlay it
        else:
            self.meter_selected.emit(int(current))
