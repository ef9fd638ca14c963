"""Adding a Modbus device: pick its template, say how to reach it, scan the bus for unit ids,
test it (raw registers beside decoded values, so a wrong word order or scale shows at once), and
add it to the connection settings."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

PROBE_COLUMNS = ("Point", "Address", "Registers (raw)", "Decoded", "Unit", "Error")


class DeviceForm(QGroupBox):
    probe_wanted = Signal(object, int, str)  # LinkSettings, unit id, template id
    scan_wanted = Signal(object, int, int)  # LinkSettings, first, last unit id
    add_wanted = Signal(str)  # a TOML block

    def __init__(self, templates: dict, parent=None):
        super().__init__("Add a Modbus device", parent)
        self.templates = templates
        self.template = QComboBox()
        for tid, t in sorted(templates.items(), key=lambda kv: kv[1].name):
            label = t.name if t.name.startswith(t.manufacturer) else \
                f"{t.manufacturer} {t.name}".strip()
            self.template.addItem(label, tid)
        self.transport = QComboBox()
        self.transport.addItems(["tcp", "rtu", "rtu-over-tcp"])
        self.host, self.serial = QLineEdit("127.0.0.1"), QLineEdit("/dev/ttyUSB0")
        self.port, self.baud = QSpinBox(maximum=65535), QSpinBox(maximum=921600)
        self.port.setValue(502)
        self.baud.setValue(9600)
        self.unit = QSpinBox(minimum=0, maximum=247)
        self.unit.setValue(1)
        self.name = QLineEdit("meter 1")
        self.interval = QDoubleSpinBox(minimum=0.2, maximum=3600, value=1.0, suffix=" s")
        self.scan_button, self.test_button = QPushButton("Scan bus"), QPushButton("Test device")
        self.add_button = QPushButton("Add to settings")
        self.scan_button.clicked.connect(lambda: self.scan_wanted.emit(self.link(), 1, 247))
        self.test_button.clicked.connect(
            lambda: self.probe_wanted.emit(self.link(), self.unit.value(),
                                           self.template.currentData()))
        self.add_button.clicked.connect(self._add)
        self.results = QTableWidget(0, len(PROBE_COLUMNS))
        self.results.setHorizontalHeaderLabels(PROBE_COLUMNS)
        self.results.horizontalHeader().setStretchLastSection(True)
        self.results.setAccessibleName("raw and decoded values")
        self.found = QComboBox()
        self.found.setToolTip("Unit ids that answered the last scan")
        self.found.currentTextChanged.connect(
            lambda t: self.unit.setValue(int(t)) if t.isdigit() else None)
        form = QFormLayout()
        for label, w in (("Device template", self.template), ("Transport", self.transport),
                         ("Host (TCP)", self.host), ("Port (TCP)", self.port),
                         ("Serial port (RTU)", self.serial), ("Baud rate (RTU)", self.baud),
                         ("Unit id", self.unit), ("Found on the bus", self.found),
                         ("Name", self.name), ("Poll every", self.interval)):
            form.addRow(label, w)
        buttons = QHBoxLayout()
        for b in (self.scan_button, self.test_button, self.add_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.results)

    def link(self):
        from energize_desktop.live.modbus import LinkSettings

        return LinkSettings(transport=self.transport.currentText(), host=self.host.text().strip(),
                            port=self.port.value(), serial_port=self.serial.text().strip(),
                            baudrate=self.baud.value(), timeout_s=1.0)

    def _add(self) -> None:
        from energize_desktop.live.device_probe import device_toml

        link = self.link()
        bus = link.host if link.transport != "rtu" else link.serial_port
        self.add_wanted.emit(device_toml(bus, link, self.name.text().strip() or "meter",
                                         self.unit.value(), self.template.currentData(),
                                         self.interval.value()))

    def set_busy(self, busy: bool) -> None:
        for b in (self.scan_button, self.test_button):
            b.setEnabled(not busy)

    def show_probe(self, rows) -> None:
        self.set_busy(False)
        self.results.setRowCount(len(rows))
        for r, row in enumerate(rows):
            value = "" if row.value is None else f"{row.value:,.4g}"
            for c, text in enumerate((row.point, str(row.address), row.raw, value, row.unit,
                                      row.error)):
                self.results.setItem(r, c, QTableWidgetItem(text))
        self.results.resizeColumnsToContents()

    def show_scan(self, units: list[int]) -> None:
        self.set_busy(False)
        self.found.clear()
        self.found.addItems([str(u) for u in units])


class BrokerForm(QGroupBox):
    """An MQTT broker and one subscription, added to the settings as TOML; its password goes to
    the OS keyring under an entry name, never into the settings."""

    add_wanted = Signal(str)

    def __init__(self, parent=None):
        from energize_desktop.live.payloads import FORMATS

        super().__init__("Add an MQTT broker", parent)
        self.name, self.host = QLineEdit("site broker"), QLineEdit("127.0.0.1")
        self.port = QSpinBox(maximum=65535)
        self.port.setValue(1883)
        self.username, self.password_key = QLineEdit(), QLineEdit()
        self.password_key.setPlaceholderText("keyring entry, e.g. mqtt:site")
        self.tls_ca = QLineEdit(placeholderText="CA file for TLS (empty: no TLS)")
        self.topic = QLineEdit("tele/+/SENSOR")
        self.format = QComboBox()
        self.format.addItems(list(FORMATS))
        self.unit = QLineEdit(placeholderText="for plain numbers, e.g. W")
        self.add_button = QPushButton("Add to settings")
        self.add_button.clicked.connect(self._add)
        form = QFormLayout(self)
        for label, w in (("Name", self.name), ("Host", self.host), ("Port", self.port),
                         ("User", self.username), ("Password (keyring entry)",
                                                    self.password_key),
                         ("TLS CA file", self.tls_ca), ("Topic", self.topic),
                         ("Payload format", self.format), ("Unit", self.unit)):
            form.addRow(label, w)
        form.addRow(self.add_button)

    def _add(self) -> None:
        from energize_desktop.live.mqtt import BrokerSettings, Subscription
        from energize_desktop.live.sources_config import SourcesConfig

        sub = Subscription(self.topic.text().strip(), format=self.format.currentText(),
                           unit=self.unit.text().strip() or None)
        broker = BrokerSettings(self.name.text().strip() or "broker", self.host.text().strip(),
                                self.port.value(), username=self.username.text().strip(),
                                password_key=self.password_key.text().strip(),
                                tls_ca=self.tls_ca.text().strip(), subscriptions=(sub,))
        self.add_wanted.emit(SourcesConfig(mqtt=[broker]).dump())
