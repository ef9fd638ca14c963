"""Live value tiles: one per device point (its last value, unit and age), grouped under their
device with the device's state (online, or offline since when and why), and a banner above them
while any device is offline. The clock is passed in, so a test says what "now" is."""

from __future__ import annotations

import time
from dataclasses import dataclass

from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from energize_desktop.ui.window_support import set_font, theme_colour

ONLINE = ("online", "connected")
TILE_WIDTH = 150  # px a tile needs: as many columns as the page's width holds


@dataclass(frozen=True)
class SourceState:
    """A device's or broker's state as the acquisition engine reports it."""

    name: str
    state: str  # online, waiting, retrying, offline; connected, connecting, disconnected…
    since: float | None = None  # wall-clock seconds of the last change of state
    error: str = ""

    @property
    def online(self) -> bool:
        return self.state in ONLINE

    @property
    def down(self) -> bool:
        """Lost, not merely starting: a device that answered no poll, a broker that dropped."""
        return self.state in ("offline", "disconnected", "refused")

    def text(self) -> str:
        when = f" since {time.strftime('%H:%M:%S', time.localtime(self.since))}" \
            if self.since else ""
        why = f" ({self.error})" if self.error and not self.online else ""
        return f"{self.state}{when}{why}"


def device_of(meter) -> str:
    """The device (Modbus) or broker (MQTT) a live meter is fed by; "" for any other."""
    source = meter.source or {}
    return str(source.get("device") or source.get("broker") or "")


def age_text(seconds: float) -> str:
    if seconds < 0:
        seconds = 0
    if seconds < 90:
        return f"{seconds:.0f} s ago"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min ago"
    return f"{seconds / 3600:.1f} h ago"


def value_text(value: float, unit: str) -> str:
    digits = 0 if abs(value) >= 1000 else 1 if abs(value) >= 10 else 2
    return f"{value:,.{digits}f} {unit}".rstrip()


class Tile(QFrame):
    def __init__(self, point: str, unit: str, parent=None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.unit = unit
        self.point, self.value, self.age = QLabel(point), QLabel("—"), QLabel("no reading yet")
        self.point.setWordWrap(True)
        self.setToolTip(point)
        set_font(self.value, 13, bold=True)
        set_font(self.age, 8)
        self.setMinimumWidth(TILE_WIDTH - 12)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 3, 6, 3)
        layout.setSpacing(1)
        for w in (self.point, self.value, self.age):
            layout.addWidget(w)
        self.last_t: float | None = None

    def show_value(self, t: float, value: float, rate: str = "") -> None:
        self.last_t = t
        self.value.setText(value_text(value, self.unit) + (f"  ({rate})" if rate else ""))
        self.setAccessibleName(f"{self.point.text()}: {self.value.text()}")

    def show_age(self, now: float, stale: bool) -> None:
        if self.last_t is None:
            return
        self.age.setText(age_text(now - self.last_t))
        self.age.setStyleSheet(f"color: {theme_colour('bad' if stale else 'muted')};")


class LiveTiles(QWidget):
    """`set_meters` lays the tiles out; `show_readings` and `show_states` fill them;
    `refresh(now)` ages them (the page's timer calls it every second)."""

    def __init__(self, clock=time.time, parent=None):
        super().__init__(parent)
        self.clock = clock
        self.banner = QLabel("")
        self.banner.setWordWrap(True)
        self.banner.setAccessibleName("offline devices")
        self.banner.hide()
        self.groups: dict[str, QGroupBox] = {}
        self.headers: dict[str, QLabel] = {}
        self.tiles: dict[int, Tile] = {}
        self.device_of: dict[int, str] = {}
        self.states: dict[str, SourceState] = {}
        self._columns = 0
        self._body = QVBoxLayout()
        self.empty = QLabel("No live meters yet: add a Modbus device or an MQTT broker (the "
                            "tabs beside this one), check the settings, then Start. Each point "
                            "gets a tile here with its value, unit and age.")
        self.empty.setWordWrap(True)
        self._body.addWidget(self.empty)
        layout = QVBoxLayout(self)  # the banner is the page's to place (above every tab)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._body)
        layout.addStretch(1)

    def set_meters(self, meters) -> None:
        """A tile for every enabled live meter, under its device, in the order they came."""
        for box in self.groups.values():
            box.deleteLater()
        self.groups, self.headers, self.tiles, self.device_of = {}, {}, {}, {}
        for m in meters:
            device = device_of(m)
            if not device or not m.enabled:
                continue
            if device not in self.groups:
                self._add_group(device)
            point = m.name.split(" – ", 1)[-1]
            self.tiles[m.id] = Tile(point, m.unit)
            self.device_of[m.id] = device
        self._columns = 0
        self.empty.setVisible(not self.tiles)
        self._lay_out()
        self.show_states(list(self.states.values()))

    def _lay_out(self) -> None:
        """The tiles in rows as wide as the page: laid out again when its width holds a
        different number of columns."""
        columns = max(1, (self.width() - 24) // TILE_WIDTH)
        if columns == self._columns:
            return
        self._columns = columns
        placed: dict[str, int] = {}
        for mid, tile in self.tiles.items():
            device = self.device_of[mid]
            n = placed[device] = placed.get(device, -1) + 1
            grid = self.groups[device].layout().itemAt(1).layout()
            grid.addWidget(tile, n // columns, n % columns)
            for c in range(grid.columnCount()):
                grid.setColumnStretch(c, 1 if c < columns else 0)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._lay_out()

    def _add_group(self, device: str) -> None:
        box = QGroupBox(device)
        header = self.headers[device] = QLabel("waiting for its first poll")
        outer = QVBoxLayout(box)
        outer.addWidget(header)
        outer.addLayout(QGridLayout())
        self.groups[device] = box
        self._body.addWidget(box)

    def show_readings(self, latest: dict[int, tuple[float, float, str]]) -> None:
        """meter id -> (t in s, value, its rate as text or "") of the newest reading."""
        for mid, (t, value, rate) in latest.items():
            tile = self.tiles.get(mid)
            if tile is not None:
                tile.show_value(t, value, rate)
        self.refresh()

    def show_states(self, states: list[SourceState]) -> None:
        self.states = {s.name: s for s in states}
        for device, header in self.headers.items():
            s = self.states.get(device)
            if s is None:
                continue
            header.setText(("● " if s.online else "○ ") + s.text())
            header.setStyleSheet(f"color: {theme_colour('good' if s.online else 'bad')};")
        down = [s for s in states if s.down]
        self.banner.setVisible(bool(down))
        if down:
            self.banner.setText("⚠ " + "; ".join(f"{s.name} is {s.text()}" for s in down)
                                + " — its tiles keep the last value received")
            self.banner.setStyleSheet(f"color: {theme_colour('bad')}; font-weight: bold;")

    def refresh(self, now: float | None = None) -> None:
        now = self.clock() if now is None else now
        for mid, tile in self.tiles.items():
            state = self.states.get(self.device_of[mid])
            tile.show_age(now, stale=state is not None and not state.online)

    def theme_changed(self) -> None:
        self.show_states(list(self.states.values()))
        self.refresh()
