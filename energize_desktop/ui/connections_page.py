"""Connections: the workspace's Modbus buses and MQTT brokers as TOML (the file `energize
connections` imports and exports; passwords stay in the keyring), checked before anything
starts; start and stop acquisition; status per device; live values as they are committed."""

from __future__ import annotations

import json

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from energize_desktop.ui.live_chart import CounterRate, LiveChart, rate_unit
from energize_desktop.ui.live_tiles import LiveTiles, SourceState, value_text
from energize_desktop.ui.window_support import theme_colour


def _scrolled(form: QWidget) -> QWidget:
    """A form that scrolls instead of holding the window wider than a laptop's screen."""
    from PySide6.QtWidgets import QScrollArea

    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setWidget(form)
    area.setMinimumWidth(240)
    return area


def _is_site_line(line: str) -> bool:
    return line.split("=", 1)[0].strip() == "site" and not line.startswith((" ", "\t"))


def _site_line(text: str) -> str | None:
    """The top-level `site = "…"` of a connection file (before any table), if any."""
    for line in text.splitlines():
        if line.strip().startswith("["):
            return None
        if _is_site_line(line):
            value = line.split("=", 1)[1].strip()
            try:
                return json.loads(value)
            except ValueError:
                return value.strip("'\"")
    return None


class ConnectionsPage(QWidget):
    start_wanted = Signal(str)  # the TOML text
    stop_wanted = Signal()
    source_message = Signal(str)  # a device went offline or came back: for the status bar

    def __init__(self, templates: dict | None = None, parent=None):
        from energize_desktop.ui.device_form import BrokerForm, DeviceForm

        super().__init__(parent)
        if templates is None:
            from energize_desktop.live.templates import load_all

            templates = load_all()
        self.device_form = DeviceForm(templates)
        self.device_form.add_wanted.connect(self.append_block)
        self.broker_form = BrokerForm()
        self.broker_form.add_wanted.connect(self.append_block)
        self.editor = QPlainTextEdit()
        self.editor.setAccessibleName("connection settings (TOML)")
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.editor.setPlaceholderText('[[modbus]]\nname = "main board"\ntransport = "tcp"\n'
                                       'host = "192.168.1.50"\n...')
        self.check_button = QPushButton("Check")
        self.start_button, self.stop_button = QPushButton("Start"), QPushButton("Stop")
        self.check_button.clicked.connect(self.check)
        self.site = QComboBox(editable=True)
        self.site.setAccessibleName("site for live meters")
        self.site.setToolTip("The site the live meters belong to (created if new): live data "
                             "never joins a building's totals unless you choose its site")
        self.site.addItem("Live data")
        self.start_button.clicked.connect(lambda: self.start_wanted.emit(self.config_text()))
        self.stop_button.clicked.connect(self.stop_wanted.emit)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.devices = QListWidget()
        self.devices.setAccessibleName("device status")
        self.live = LiveChart([], capacity=3600 * 6, interval_ms=500)
        self.tiles = LiveTiles()
        self._ager = QTimer(self, interval=1000)
        self._ager.timeout.connect(self.tiles.refresh)
        self._rates = CounterRate()
        self.names: dict[int, str] = {}
        self._layout()
        self.set_running(False)

    def _layout(self) -> None:
        buttons = QHBoxLayout()
        for b in (self.check_button, self.start_button, self.stop_button):
            buttons.addWidget(b)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(QLabel("<b>Connection settings</b> (TOML; passwords live in the OS "
                            "keyring)"))
        ll.addWidget(self.editor, 3)
        site_row = QHBoxLayout()
        site_row.addWidget(QLabel("Live meters go to site"))
        site_row.addWidget(self.site, 1)
        ll.addLayout(site_row)
        ll.addLayout(buttons)
        ll.addWidget(self.message)
        ll.addWidget(QLabel("<b>Status</b>"))
        ll.addWidget(self.devices, 2)
        from PySide6.QtWidgets import QTabWidget

        watch = QSplitter()
        watch.setOrientation(watch.orientation().Vertical)
        tiles = _scrolled(self.tiles)
        tiles.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # rows fit
        watch.addWidget(tiles)
        watch.addWidget(self.live)
        watch.setSizes([360, 340])
        self.tabs = QTabWidget()
        self.tabs.addTab(watch, "Live values")
        self.tabs.addTab(_scrolled(self.device_form), "Add Modbus device")
        self.tabs.addTab(_scrolled(self.broker_form), "Add MQTT broker")
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(self.tabs)
        split.setSizes([450, 750])
        layout = QVBoxLayout(self)
        layout.addWidget(self.tiles.banner)
        layout.addWidget(split)

    def append_block(self, block: str) -> None:
        text = self.editor.toPlainText().rstrip()
        self.editor.setPlainText((text + "\n\n" if text else "") + block)
        self.check()

    def set_text(self, text: str | None) -> None:
        self.editor.setPlainText(text or "")
        named = _site_line(text or "")
        if named:
            self.site.setCurrentText(named)

    def set_sites(self, names: list[str]) -> None:
        current = self.site.currentText()
        self.site.clear()
        self.site.addItems(list(dict.fromkeys(["Live data", *names])))
        self.site.setCurrentText(current or "Live data")

    def config_text(self) -> str:
        """The editor's settings with the chosen site as their `site` line."""
        lines = [ln for ln in self.editor.toPlainText().splitlines()
                 if not _is_site_line(ln)]
        site = self.site.currentText().strip()
        head = [f"site = {json.dumps(site)}"] if site else []
        return "\n".join(head + lines) + "\n"

    def check(self) -> bool:
        from energize_desktop.core.errors import EnergizeError
        from energize_desktop.live.sources_config import SourcesConfig

        try:
            config = SourcesConfig.loads(self.editor.toPlainText(), "connection settings")
        except EnergizeError as exc:
            self.show_error(str(exc))
            return False
        devices = sum(len(b.devices) for b in config.modbus)
        self.message.setText(f"{len(config.modbus)} Modbus bus(es) with {devices} device(s), "
                             f"{len(config.mqtt)} MQTT broker(s): ready to start")
        self.message.setStyleSheet(f"color: {theme_colour('good')};")
        return True

    def show_error(self, message: str) -> None:
        self.message.setText(message)
        self.message.setStyleSheet(f"color: {theme_colour('bad')};")

    def set_running(self, running: bool) -> None:
        if running:
            self.tabs.setCurrentIndex(0)  # what is arriving, once it starts
            self._ager.start()
        else:
            self._ager.stop()
        self.start_button.setEnabled(not running)
        self.editor.setReadOnly(running)
        self.stop_button.setEnabled(running)

    def show_status(self, lines: list[str]) -> None:
        self.devices.clear()
        self.devices.addItems(lines)

    def set_meters(self, meters) -> None:
        """The workspace's meters: names, units and whether a point is a counter."""
        self.meters = {m.id: m for m in meters}
        self.names = {m.id: m.name for m in meters}
        self.tiles.set_meters(meters)

    def show_sources(self, states: list[dict]) -> None:
        """Each device's and broker's state: the tiles' headers and the offline banner."""
        before = self.tiles.states
        now = [SourceState(**s) for s in states]
        self.tiles.show_states(now)
        for s in now:
            was = before.get(s.name)
            if s.down and (was is None or not was.down):
                self.source_message.emit(f"⚠ {s.name} is {s.text()}: no readings from it "
                                         "are stored until it answers again")
            elif s.online and was is not None and was.down:
                self.source_message.emit(f"{s.name} is back online")

    def add_readings(self, ids, ts, values) -> None:
        """Samples onto the live chart, each in its unit's panel; a counter (a cumulative
        register) as its rate — kWh as kW — never as the register itself."""
        ids, ts, values = np.asarray(ids), np.asarray(ts), np.asarray(values)
        latest: dict[int, tuple[float, float, str]] = {}
        for mid in np.unique(ids).tolist():
            name = self.names.get(mid, f"meter {mid}")
            meter = getattr(self, "meters", {}).get(mid)
            sel = ids == mid
            t, v = ts[sel] / 1e6, values[sel].astype(float)
            unit = meter.unit if meter is not None else ""
            rate = ""
            if meter is not None and str(meter.semantics) == "cumulative":
                latest_register = float(v[-1])
                v, unit = self._rates.rates(mid, t, v), rate_unit(meter.unit)
                finite = v[np.isfinite(v)]
                rate = value_text(float(finite[-1]), unit) if len(finite) else ""
                latest[mid] = (float(t[-1]), latest_register, rate)
            else:
                latest[mid] = (float(t[-1]), float(v[-1]), "")
            self.live.ensure_curve(name, unit or None)
            self.live.append(name, t, v)
        self.tiles.show_readings(latest)
