"""Connection settings as a TOML file: what `energize acquire --config` reads and `energize
simulate --write-config` writes. No secrets: passwords live in the OS keyring.

    [[modbus]]                      # one physical bus
    name = "Plant room"
    transport = "tcp"               # tcp, rtu, rtu-over-tcp
    host = "192.168.1.50"
    port = 502
    timeout_s = 1.0
      [[modbus.devices]]
      name = "Main SDM630"
      unit_id = 1
      template = "eastron-sdm630"   # a device template id, or "sunspec" to discover
      interval_s = 1.0
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from energize_desktop.core.errors import ValidationError
from energize_desktop.live.modbus import LinkSettings
from energize_desktop.live.mqtt import BrokerSettings, Subscription

_BUS_FIELDS = {"name", "transport", "host", "port", "serial_port", "baudrate", "parity",
               "stopbits", "bytesize", "timeout_s", "devices"}
_DEVICE_FIELDS = {"name", "unit_id", "template", "interval_s", "retries", "min_interval_ms",
                  "timeout_s"}


@dataclass(frozen=True)
class DeviceSettings:
    name: str
    unit_id: int
    template: str
    interval_s: float = 1.0
    retries: int = 1
    min_interval_ms: int | None = None
    timeout_s: float | None = None  # None: the bus timeout


@dataclass(frozen=True)
class BusSettings:
    name: str
    link: LinkSettings
    devices: tuple[DeviceSettings, ...]


@dataclass
class SourcesConfig:
    modbus: list[BusSettings] = field(default_factory=list)
    mqtt: list[BrokerSettings] = field(default_factory=list)
    # the site the live meters belong to (created if missing): live data never lands in a
    # building's totals by default (acquisition.live_site)
    site: str | None = None

    @classmethod
    def load(cls, path: Path) -> "SourcesConfig":
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ValidationError(f"{path}: cannot read the connection file ({exc})") from None
        return cls.loads(text, path)

    @classmethod
    def loads(cls, text: str, path) -> "SourcesConfig":
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ValidationError(f"{path}: not a valid connection file ({exc})") from None
        site = doc.get("site")
        if site is not None and (not isinstance(site, str) or not site.strip()):
            raise ValidationError(f"{path}: site = {site!r}: expected the name of the site the "
                                  "live meters belong to", field="site")
        return cls([_bus(path, i, b) for i, b in enumerate(doc.get("modbus", []), 1)],
                   [_broker(path, i, b) for i, b in enumerate(doc.get("mqtt", []), 1)],
                   site.strip() if site else None)

    def dump(self) -> str:
        out = ["# Energize connection file (see README: Live acquisition)"]
        if self.site:
            out += ["", f"site = {_q(self.site)}"]
        for bus in self.modbus:
            s = bus.link
            out += ["", "[[modbus]]", f"name = {_q(bus.name)}", f"transport = {_q(s.transport)}"]
            if s.transport == "rtu":
                out += [f"serial_port = {_q(s.serial_port)}", f"baudrate = {s.baudrate}",
                        f"parity = {_q(s.parity)}", f"stopbits = {s.stopbits}",
                        f"bytesize = {s.bytesize}"]
            else:
                out += [f"host = {_q(s.host)}", f"port = {s.port}"]
            out.append(f"timeout_s = {s.timeout_s}")
            for d in bus.devices:
                out += ["", "  [[modbus.devices]]", f"  name = {_q(d.name)}",
                        f"  unit_id = {d.unit_id}", f"  template = {_q(d.template)}",
                        f"  interval_s = {d.interval_s}", f"  retries = {d.retries}"]
                if d.min_interval_ms is not None:
                    out.append(f"  min_interval_ms = {d.min_interval_ms}")
                if d.timeout_s is not None:
                    out.append(f"  timeout_s = {d.timeout_s}")
        for b in self.mqtt:
            out += ["", "[[mqtt]]"]
            out += [f"{k} = {_value(getattr(b, k))}" for k in _BROKER_ORDER
                    if getattr(b, k) not in ("", None)]
            for sub in b.subscriptions:
                out += ["", "  [[mqtt.subscriptions]]"]
                out += [f"  {k} = {_value(getattr(sub, k))}" for k in _SUB_ORDER
                        if getattr(sub, k) not in ("", None)]
        return "\n".join(out) + "\n"


_BROKER_ORDER = ("name", "host", "port", "client_id", "username", "password_key",
                 "password_source", "tls_ca",
                 "tls_cert", "tls_key", "keepalive", "discovery_prefix", "use_discovery")
_BROKER_FIELDS = set(_BROKER_ORDER) | {"subscriptions"}
_SUB_ORDER = ("topic", "qos", "format", "path", "channel", "unit")


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    return _q(v)


def _broker(path, index: int, data: dict) -> BrokerSettings:
    where = f"{path}: [[mqtt]] {index}"
    extra = set(data) - _BROKER_FIELDS
    if extra:
        raise ValidationError(f"{where}: unknown field(s) {', '.join(sorted(extra))}")
    if "password" in data:
        raise ValidationError(f"{where}: passwords do not belong in connection files; store it "
                              "in the OS keyring and name its entry with password_key, or name "
                              "its source with password_source (env:VAR, file:/path with mode "
                              "600, systemd:NAME)")
    subs = []
    for j, sub in enumerate(data.get("subscriptions", []), 1):
        unknown = set(sub) - set(_SUB_ORDER)
        if unknown or "topic" not in sub:
            raise ValidationError(f"{where}, subscription {j}: needs a topic"
                                  + (f"; unknown {', '.join(sorted(unknown))}" if unknown else ""))
        subs.append(Subscription(**sub))
    fields = {k: v for k, v in data.items() if k != "subscriptions"}
    return BrokerSettings(**{"name": f"broker {index}", **fields}, subscriptions=tuple(subs))


def _q(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _bus(path, index: int, data: dict) -> BusSettings:
    where = f"{path}: [[modbus]] {index}"
    extra = set(data) - _BUS_FIELDS
    if extra:
        raise ValidationError(f"{where}: unknown field(s) {', '.join(sorted(extra))}")
    link = LinkSettings(**{k: v for k, v in data.items() if k not in ("name", "devices")})
    if link.transport not in ("tcp", "rtu", "rtu-over-tcp"):
        raise ValidationError(f"{where}: transport {link.transport!r}: expected tcp, rtu or "
                              "rtu-over-tcp")
    devices = []
    for j, d in enumerate(data.get("devices", []), 1):
        extra = set(d) - _DEVICE_FIELDS
        if extra or not {"name", "unit_id", "template"} <= set(d):
            raise ValidationError(f"{where}, device {j}: needs name, unit_id and template"
                                  + (f"; unknown {', '.join(sorted(extra))}" if extra else ""))
        devices.append(DeviceSettings(**d))
    return BusSettings(str(data.get("name", link.label)), link, tuple(devices))
